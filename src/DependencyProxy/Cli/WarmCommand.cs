using System.CommandLine;
using DependencyProxy.Common;
using DependencyProxy.Data;
using DependencyProxy.Groups;
using DependencyProxy.Upstream;
using DependencyProxy.Warming;

namespace DependencyProxy.Cli;

/// <summary>
/// <c>cache warm GROUP IMAGE… [--platform P]… [--wait]</c>: queues a warm-up job in the database, where the running
/// server (the node holding the <c>warming</c> lease) picks it up within <c>Warming:PollInterval</c>; the command
/// downloads nothing itself. <c>--wait</c> follows the job to its end and prints each image's result.
/// </summary>
internal static class WarmCommand
{
    /// <summary>How often <c>--wait</c> reads the job.</summary>
    private static readonly TimeSpan WaitPoll = TimeSpan.FromSeconds(1);

    public static Command Create()
    {
        var group = new Argument<string>("group") { Description = "The group's full path." };
        var images = new Argument<string[]>("image")
        {
            Arity = new ArgumentArity(1, WarmRequestCheck.MaxImages),
            Description = "Images as docker pull takes them: alpine:3.19, library/alpine:3.19, ghcr.io/org/app@sha256:… (no tag: latest).",
        };
        var platforms = new Option<string[]>("--platform")
        {
            AllowMultipleArgumentsPerToken = false,
            Description = "Only these platforms of a multi-arch image, os/arch[/variant]; repeat it (default: every platform).",
            HelpName = "os/arch",
        };
        var wait = new Option<bool>("--wait") { Description = "Wait until the job ends and print each image's result; exit 1 if any image was not warmed." };
        return ProxyCommandLine.Leaf("warm", "Fetch images into a group's cache before anyone pulls them (done by the running server).",
            async (result, services, ct) =>
            {
                var path = result.GetValue(group)!;
                if (await GroupCommands.FindGroupAsync(services.GetRequiredService<GroupDirectory>(), path, ct) is not { } target)
                {
                    return await GroupCommands.NoSuchGroupAsync(path);
                }

                var references = result.GetValue(images) ?? [];
                var wanted = (result.GetValue(platforms) ?? []).Distinct().ToList();
                if (WarmRequestCheck.Problem(references, wanted, forVirtualRegistry: false, services.GetRequiredService<UpstreamResolver>()) is { } problem)
                {
                    await ProxyCommandLine.Console.Error.WriteLineAsync($"error: {problem}");
                    return ProxyCommandLine.UsageError;
                }

                if (!target.ProxyEnabled)
                {
                    return await ProxyCommandLine.FailAsync($"the dependency proxy is disabled for group '{target.FullPath}': enable it before warming its cache");
                }

                var jobs = services.GetRequiredService<WarmJobs>();
                if (await jobs.QueueWithinLimitAsync(new WarmJobRequest(target.Id, null, null, references, wanted, ManifestOnly: false),
                    WarmJobs.MaxActivePerGroup, ct) is not { } queued)
                {
                    return await ProxyCommandLine.FailAsync($"'{target.FullPath}' has {WarmJobs.MaxActivePerGroup} warm-up jobs queued or running, the most it may");
                }

                var jobId = queued.Job.Id;
                ProxyCommandLine.Out.WriteLine($"Queued warm-up job {jobId} for '{target.FullPath}' ({references.Length} image(s)); the running server fetches them.");
                return result.GetValue(wait) ? await WaitAsync(jobs, target.Id, jobId, ct) : 0;
            }, group, images, platforms, wait);
    }

    private static async Task<int> WaitAsync(WarmJobs jobs, long groupId, long jobId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await jobs.FindAsync(groupId, null, jobId, cancellationToken) is not { } found)
            {
                return await ProxyCommandLine.FailAsync($"warm-up job {jobId} is gone");
            }

            if (found.Job.Status is WarmJobStatus.Finished or WarmJobStatus.Cancelled)
            {
                CliValues.WriteList(ProxyCommandLine.Out, false, found.Images, ("IMAGE", i => i.Reference), ("STATUS", i => i.Status),
                    ("MANIFESTS", i => $"{i.Manifests}"), ("BLOBS", i => $"{i.Blobs}"), ("SIZE", i => ByteSize.Format(i.Bytes)), ("ERROR", i => i.Error ?? ""));
                ProxyCommandLine.Out.WriteLine($"Warm-up job {jobId} {found.Job.Status}.");
                return found.Images.All(i => i.Status == WarmImageStatus.Finished) ? 0 : 1;
            }

            await Task.Delay(WaitPoll, cancellationToken);
        }
    }
}
