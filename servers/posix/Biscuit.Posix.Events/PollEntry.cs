// PollEntry: one element of poll(2)'s array (struct pollfd) after the posix server resolved its fd:
// Target is the open file, or null when the fd is not open (reported as POLLNVAL); IsIgnored marks a
// negative fd, which poll(2) skips (revents 0, not counted).
namespace Biscuit.Posix.Events;

/// <summary>struct pollfd with the fd resolved to its file.</summary>
public struct PollEntry
{
    /// <summary>The open file, or null for an fd that is not open (POLLNVAL).</summary>
    public IPollable? Target;
    /// <summary>The events asked for (POLLIN, POLLOUT, POLLRDHUP, ...).</summary>
    public short Events;
    /// <summary>The events that happened; written by PollWait.Wait.</summary>
    public short Revents;
    /// <summary>A negative fd: poll(2) ignores the entry and leaves revents 0 (addition to the agreed shape).</summary>
    public bool IsIgnored;

    public PollEntry(IPollable? target, short events)
    {
        Target = target;
        Events = events;
        Revents = 0;
        IsIgnored = false;
    }

    /// <summary>The entry of a negative fd.</summary>
    public static PollEntry Ignored => new() { IsIgnored = true };
}
