using System.CommandLine;
using DependencyProxy.Configuration;
using DependencyProxy.Storage;
using Microsoft.Extensions.Options;

namespace DependencyProxy.Cli;

/// <summary><c>storage copy-to-s3</c>: move a single node's content from its data directory into a bucket.</summary>
internal static class StorageCommands
{
    public static Command Create()
    {
        var storage = new Command("storage", "Move the cached content between stores.");
        storage.Subcommands.Add(ProxyCommandLine.Leaf("copy-to-s3",
            "Copy every content file of this data directory into the S3 bucket configured with " +
            "--DependencyProxy:Storage:Provider=s3 and --DependencyProxy:Storage:S3:* (the settings the server will run with). " +
            "Each file is verified first; objects already there are skipped, so it can be run again. Stop the server first, " +
            "or run it again after a last pull; then start the server with the same settings.",
            async (result, services, ct) =>
            {
                var options = services.GetRequiredService<IOptions<InstanceOptions>>().Value;
                if (services.GetRequiredService<IContentStore>() is not S3ContentStore target)
                {
                    return await ProxyCommandLine.FailAsync(
                        "the target is the bucket the server will use: give --DependencyProxy:Storage:Provider=s3 and its --DependencyProxy:Storage:S3:* settings");
                }

                try
                {
                    var source = new FileSystemContentStore(new ContentSpool(options.DataDirectory));
                    var copied = await new ContentCopy(source, target).ToS3Async(ProxyCommandLine.Console.Error.WriteLine, ct);
                    ProxyCommandLine.Out.WriteLine($"Copied {copied.Copied} objects ({copied.BytesCopied} bytes); {copied.AlreadyThere} were already in the bucket; " +
                        $"{copied.Mismatched} did not match their digest and were left out.");
                    return copied.Mismatched == 0 ? 0 : 1;
                }
                catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException
                    or StorageUnavailableException)
                {
                    return await ProxyCommandLine.FailAsync($"the bucket could not be written: {(e as StorageUnavailableException)?.InnerException?.Message ?? e.Message}");
                }
            }));
        return storage;
    }
}
