using DependencyProxy.Configuration;

namespace DependencyProxy.Groups;

internal static class GroupsRegistration
{
    /// <summary>Groups, their members and access, their Dependency Proxy settings, and the mirror's group.</summary>
    public static IServiceCollection AddGroups(this IServiceCollection services)
    {
        services.AddOptionsSection<MirrorOptions>(MirrorOptions.Section);
        services.AddSingleton<GroupDirectory>();
        services.AddSingleton<GroupAccess>();
        services.AddSingleton<GroupMemberships>();
        services.AddSingleton<InheritedMemberships>();
        services.AddSingleton<VisibleGroups>();
        services.AddSingleton<MembershipChanges>();
        services.AddSingleton<DependencyProxySettings>();
        return services;
    }
}
