// The report's Linux sections: the kernel-core figures of "linux-ipc" beside Biscuit's "ipc" (with
// Biscuit/Linux ratios when both ran in the same invocation), and the "nginx-linux" baseline.
// Every figure is a median over boots with its min–max spread; published figures from the
// Biscuit paper are printed as anchors and marked as coming from other hardware.
using System.Text;

namespace Biscuit.Bench;

public static class LinuxReport
{
    // Biscuit operation -> its Linux counterpart(s), in report order.
    private static readonly (string Biscuit, string Linux, string What)[] Pairs =
    [
        ("ipc_call_0", "pipe_rtt_1", "round trip: IPC call+reply_recv, empty / pipe ping-pong, 1 byte"),
        ("ipc_call_0", "pipe_rtt_1_threads", "round trip: IPC call+reply_recv, empty / pipe ping-pong between two threads, 1 byte"),
        ("ipc_call_64", "pipe_rtt_64", "round trip: IPC call+reply_recv / pipe ping-pong, 64 bytes"),
        ("notify_wakeup", "futex_wakeup", "wake-up: notification signal / FUTEX_WAKE, to a higher-priority waiter"),
        ("yield_switch", "yield_switch", "context switch: thread_yield / sched_yield (SCHED_FIFO), two threads"),
        ("spawn_exit", "fork_exit_wait", "process: spawn+exit+death notice / fork+_exit+waitpid"),
        ("spawn_exit", "fork_exec_wait", "process: spawn+exit+death notice / fork+execve+exit+waitpid"),
    ];

    public static string Markdown(Dictionary<string, object> results)
    {
        var w = new StringBuilder();
        if (results.TryGetValue("linux-ipc", out var l) && l is Dictionary<string, object> linux)
            KernelCore(w, linux, results.TryGetValue("ipc", out var b) ? b as Dictionary<string, object> : null);
        if (results.TryGetValue("nginx-linux", out var n) && n is Dictionary<string, object> nginx)
            Nginx(w, nginx);
        return w.ToString();
    }

    private static void KernelCore(StringBuilder w, Dictionary<string, object> linux, Dictionary<string, object>? biscuit)
    {
        bool paired = biscuit != null && linux.ContainsKey("interleaved_with");
        w.AppendLine($"## Kernel core beside Linux (QEMU TCG, -m {linux["memory"]}, Linux {linux["kernel"]}, {linux["repetitions"]} boots each" +
                     (paired ? ", interleaved)" : ")"));
        w.AppendLine();
        w.AppendLine("Median over boots of the in-guest median, [min–max over boots]; cycles are the guest TSC. " +
                     $"Host load average before / after: {linux["host_loadavg_before"]} / {linux["host_loadavg_after"]}.");
        w.AppendLine();
        if (paired)
        {
            w.AppendLine("| operation (Biscuit / Linux) | Biscuit cycles | Linux cycles | Biscuit / Linux | Biscuit p99 / Linux p99 |");
            w.AppendLine("|---|---|---|---|---|");
            foreach (var (bn, ln, what) in Pairs)
            {
                if (Figure(biscuit!, bn) is not { } bf || Figure(linux, ln) is not { } lf) continue;
                var (bm, lm) = ((Summary)bf["median_cycles"], (Summary)lf["median_cycles"]);
                var (bp, lp) = ((Summary)bf["p99_cycles"], (Summary)lf["p99_cycles"]);
                w.AppendLine($"| {what} (`{bn}` / `{ln}`) | {Spread(bm)} | {Spread(lm)} | **{bm.Median / lm.Median:F2}** | {bp.Median / lp.Median:F2} |");
            }
        }
        else
        {
            w.AppendLine("| Linux operation | median cycles | p99 cycles | median ns | p99 ns |");
            w.AppendLine("|---|---|---|---|---|");
            foreach (var (name, value) in linux)
                if (value is Dictionary<string, object> f)
                    w.AppendLine($"| {name} | {Spread((Summary)f["median_cycles"])} | {Spread((Summary)f["p99_cycles"])} | " +
                                 $"{((Summary)f["median_ns"]).Median:F0} | {((Summary)f["p99_ns"]).Median:F0} |");
            w.AppendLine();
            w.AppendLine("Run `./biscuit bench ipc linux-ipc` for Biscuit/Linux ratios (boots interleaved in one invocation).");
        }
        w.AppendLine();
        w.AppendLine("A ratio below 1 means Biscuit is faster. Both guests run on the same emulated CPU (QEMU TCG, -smp 1), so");
        w.AppendLine("the ratios compare emulated work; under TCG an address-space switch flushes QEMU's software TLB, which");
        w.AppendLine("weighs on the kernel that touches more memory per switch. Linux runs linux-ipcbench as a static musl");
        w.AppendLine("program as PID 1's child, futex and yield threads under SCHED_FIFO (as Biscuit's priority scheduler).");
        w.AppendLine("Published anchor (Biscuit in Go, OSDI 2018, other hardware): the pipe ping-pong in C was ~15% faster");
        w.AppendLine("than in Go.");
        w.AppendLine();
    }

    private static void Nginx(StringBuilder w, Dictionary<string, object> nginx)
    {
        w.AppendLine($"## nginx on the Linux guest (QEMU TCG, -m {nginx["memory"]}, {nginx["nic"]}, Linux {nginx["kernel"]}, {nginx["repetitions"]} boots)");
        w.AppendLine();
        w.AppendLine($"Load: {nginx["load"]} from the host through QEMU's user-network forward; {nginx["content_check"]}. " +
                     $"Host load average before / after: {nginx["host_loadavg_before"]} / {nginx["host_loadavg_after"]}.");
        w.AppendLine();
        w.AppendLine("| measure | median | min | max |");
        w.AppendLine("|---|---|---|---|");
        foreach (var (key, label) in new[] { ("qemu_spawn_to_init_s", "QEMU spawn → /init"), ("qemu_spawn_to_nginx_start_s", "QEMU spawn → nginx start"),
                                             ("qemu_spawn_to_carrier_up_s", "QEMU spawn → NIC carrier up"), ("qemu_spawn_to_first_200_s", "QEMU spawn → first HTTP 200") })
            if (nginx.TryGetValue(key, out var v) && v is Summary s)
                w.AppendLine($"| {label} | {s.Median:F2} s | {s.Min:F2} s | {s.Max:F2} s |");
        foreach (var file in new[] { "small.html", "big.bin" })
        {
            if (!nginx.TryGetValue(file, out var x) || x is not Dictionary<string, object> f) continue;
            var (rps, p50, p99) = ((Summary)f["requests_per_s"], (Summary)f["latency_p50_ms"], (Summary)f["latency_p99_ms"]);
            w.AppendLine($"| {file} requests/s | {rps.Median:F1} | {rps.Min:F1} | {rps.Max:F1} |");
            w.AppendLine($"| {file} latency p50 | {p50.Median:F2} ms | {p50.Min:F2} ms | {p50.Max:F2} ms |");
            w.AppendLine($"| {file} latency p99 | {p99.Median:F2} ms | {p99.Min:F2} ms | {p99.Max:F2} ms |");
            w.AppendLine($"| {file} errors (all boots) | {f["errors"]} | | |");
        }
        w.AppendLine();
        w.AppendLine("Biscuit cannot serve HTTP yet (no nginx on Biscuit), so these are the Linux baseline only; Biscuit's");
        w.AppendLine("figures and the ratios will join this table when it can. Published anchor (Biscuit in Go, OSDI 2018,");
        w.AppendLine("other hardware): NGINX on Biscuit within 10–15% of Linux.");
        w.AppendLine();
    }

    private static Dictionary<string, object>? Figure(Dictionary<string, object> results, string name) =>
        results.TryGetValue(name, out var v) ? v as Dictionary<string, object> : null;

    private static string Spread(Summary s) => $"{s.Median:F0} [{s.Min:F0}–{s.Max:F0}]";
}
