using DependencyProxy.Events;

namespace DependencyProxy.Webhooks;

/// <summary>When a failed delivery is tried again: RetryBaseDelay, doubling after each failure up to MaxRetryDelay, until RetryFor after the event.</summary>
internal static class RetrySchedule
{
    /// <summary>
    /// The next attempt after <paramref name="attempts"/> failed ones, or null when the event is older than RetryFor and
    /// the delivery has failed for good. The last attempt is made at the deadline itself.
    /// </summary>
    public static DateTime? Next(DateTime eventTime, int attempts, DateTime now, WebhookOptions options)
    {
        var deadline = eventTime + options.RetryFor;
        if (now >= deadline)
        {
            return null;
        }

        var delay = Delay(attempts, options);
        return now + delay < deadline ? now + delay : deadline;
    }

    /// <summary>The delay after the <paramref name="attempts"/>-th failure: base, 2×base, 4×base… capped.</summary>
    public static TimeSpan Delay(int attempts, WebhookOptions options)
    {
        var doublings = Math.Clamp(attempts - 1, 0, 40);
        var ticks = options.RetryBaseDelay.Ticks * Math.Pow(2, doublings);
        return ticks >= options.MaxRetryDelay.Ticks ? options.MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }
}
