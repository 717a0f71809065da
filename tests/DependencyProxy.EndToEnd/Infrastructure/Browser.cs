using Microsoft.Playwright;

namespace DependencyProxy.EndToEnd.Infrastructure;

/// <summary>
/// Debian's chromium driven by Playwright for .NET, with no browser download (TESTING.md). Screenshots go to
/// <c>artifacts/screenshots/</c> at the repository root (ignored by git), for people to look at.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        _playwright = playwright;
        Chromium = chromium;
    }

    public IBrowser Chromium { get; }

    /// <summary>Every error any page wrote to the console: a Content-Security-Policy refusal shows up here.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ConsoleErrors { get; } = new();

    public static string ScreenshotDirectory { get; } = Path.Combine(Processes.RepositoryRoot(), "artifacts", "screenshots");

    public static async Task<Browser> LaunchAsync()
    {
        var executable = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromium is not installed (Debian package chromium; scripts/test.sh installs it)");
        var playwright = await Playwright.CreateAsync();
        var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        return new Browser(playwright, chromium);
    }

    /// <summary>A fresh profile (no cookies) at a laptop's size, with the clipboard allowed so copy buttons can be checked.</summary>
    public async Task<IPage> NewPageAsync(string baseUrl, ColorScheme scheme = ColorScheme.Light, int width = 1280, int height = 900)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ColorScheme = scheme,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Enqueue($"{page.Url}: {message.Text}");
            }
        };
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}
