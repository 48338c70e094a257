// One running QEMU guest (Biscuit or the Linux guest of bench/linux): timestamps each serial line as the host sees it (seconds
// from spawn) and keeps QEMU's stderr. Disposing kills QEMU; so do the bench program's exit and an
// unhandled exception (whose unwinding need not run `using` blocks), so no QEMU outlives a failed
// or interrupted run.
using System.Diagnostics;
using System.Text;

namespace Biscuit.Bench;

public sealed class GuestQemu : IDisposable
{
    private static readonly HashSet<Process> running = new();   // guarded by lock(running)

    static GuestQemu()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
    }

    private readonly Process process;
    private readonly Stopwatch clock;
    private readonly List<TimedLine> lines = new();          // guarded by lock(lines)
    private readonly StringBuilder errors = new();           // QEMU's stderr; guarded by lock(errors)

    private GuestQemu(Process process, Stopwatch clock) { this.process = process; this.clock = clock; }

    public static GuestQemu Start(IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start qemu-system-x86_64");
        var q = new GuestQemu(p, clock);
        lock (running) running.Add(p);
        p.StandardInput.Close();
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (q.lines) q.lines.Add(new TimedLine(clock.Elapsed.TotalSeconds, e.Data)); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (q.errors) q.errors.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return q;
    }

    public double Seconds => clock.Elapsed.TotalSeconds;
    public bool HasExited => process.HasExited;

    // True if QEMU exited within the timeout (its output is then complete).
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout)) return false;
        process.WaitForExit();   // drains the asynchronous readers
        return true;
    }

    public int ExitCode => process.ExitCode;

    public List<TimedLine> Lines { get { lock (lines) return lines.ToList(); } }

    // Host time (s from spawn) at which the first serial line containing `marker` appeared.
    public double? SeenAt(string marker) => Lines.FirstOrDefault(l => l.Text.Contains(marker))?.Seconds;

    // The last serial lines and QEMU's own messages, for error reports.
    // `skip`: lines left out (a guest's periodic counters would otherwise fill the tail).
    public string Tail(int count = 30, Func<string, bool>? skip = null)
    {
        var all = Lines.Where(l => skip == null || !skip(l.Text)).ToList();
        string serial = string.Join("\n", all.Skip(Math.Max(0, all.Count - count)).Select(l => $"  [{l.Seconds,7:F2}] {l.Text}"));
        string qemu;
        lock (errors) qemu = errors.ToString().Trim();
        return $"serial console (last {Math.Min(count, all.Count)} lines):\n{serial}" + (qemu.Length > 0 ? $"\nQEMU: {qemu}" : "");
    }

    public void Dispose()
    {
        Kill(process);
        lock (running) running.Remove(process);
        process.Dispose();
    }

    private static void KillAll()
    {
        lock (running) foreach (var p in running) Kill(p);
    }

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
        }
        catch (InvalidOperationException) { }   // already gone
    }
}
