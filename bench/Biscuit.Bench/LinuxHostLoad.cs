// The host's load average (from /proc/loadavg), recorded before and after each Linux benchmark:
// under TCG every guest figure moves with how busy the shared host is, so a reader of the report
// needs to know what the host was doing.
namespace Biscuit.Bench;

public static class LinuxHostLoad
{
    // "1-min 5-min 15-min", or "unknown" where /proc/loadavg cannot be read.
    public static string Now()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException) { return "unknown"; }
        catch (UnauthorizedAccessException) { return "unknown"; }
    }
}
