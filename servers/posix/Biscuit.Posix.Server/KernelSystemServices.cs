// ISystemServices on Biscuit: the console is debug_write, a process's memory figures come from memory_info,
// random bytes from getrandom (the kernel's; not cryptographic today), and /proc/biscuit/gc is the
// Stats report of posix itself and of every server it holds an endpoint of, as lib's StatsTable.
using Biscuit.Lib.Client;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;
using Biscuit.Posix;

namespace Biscuit.Posix.Server;

public sealed class KernelSystemServices(Func<StatsReport> ownStats, IReadOnlyList<(string Name, ServiceClient Client)> servers) : ISystemServices
{
    private const long GetRandom = 318;
    private const ulong StatsTimeoutMs = 1000;

    public void ConsoleWrite(ReadOnlySpan<byte> bytes)
    {
        for (int done = 0; done < bytes.Length;)
        {
            var r = Syscalls.DebugWrite(bytes[done..Math.Min(bytes.Length, done + 4096)]);
            if (!r.IsOk || r.Value <= 0) return;
            done += r.Value;
        }
    }

    /// <summary>memory_info of the process (Syscalls.md "Memory"): twelve u64, of which resident pages
    /// (0), page quota (4), free frames (5) and total frames (7).</summary>
    public unsafe MemoryFigures? MemoryOf(KernelProcess process)
    {
        const int Fields = 8;
        ulong* info = stackalloc ulong[Fields];
        long r = Syscalls.Invoke(SyscallNumbers.MemoryInfo, process.Handle, (long)info, Fields * 8);
        if (r < Fields * 8) return null;
        return new MemoryFigures((long)info[4], (long)info[0], (long)info[5], (long)info[7]);
    }

    public string ServerStatistics()
    {
        var reports = new List<StatsReport> { ownStats() };
        var missing = new List<string>();
        foreach (var (name, client) in servers)
        {
            CallResult<StatsReport> r;
            lock (client) r = client.Call(StandardRequests.Stats, default(Empty), StatsTimeoutMs);   // a ServiceClient serves one thread at a time
            if (r.IsOk && r.Value is not null) reports.Add(r.Value); else missing.Add($"{name}: {r}");
        }
        string table = StatsTable.Format(reports);
        return missing.Count == 0 ? table : table + string.Join("\n", missing.Select(m => "no figures from " + m)) + "\n";
    }

    /// <summary>fs's open files (FsStats) and net's open sockets (NetCounters' sockets_open), asked now.</summary>
    public string ServerResources()
    {
        var w = new System.Text.StringBuilder();
        foreach (var (name, client) in servers)
        {
            if (name == "fs")
            {
                CallResult<Biscuit.Fs.Protocol.FsReply<Biscuit.Fs.Protocol.FsServerFigures>> r;
                lock (client) r = client.Call(Biscuit.Fs.Protocol.FsContracts.FsStats, default(Empty), StatsTimeoutMs);
                w.Append(r.IsOk && r.Value.IsOk ? $"fs open_files {r.Value.Value!.OpenFiles}\n" : $"fs open_files unknown ({r})\n");
            }
            else if (name == "net")
            {
                CallResult<string> r;
                lock (client) r = client.Call(Biscuit.Net.Protocol.SocketRequests.NetCounters, default(Empty), StatsTimeoutMs);
                string? line = r.IsOk ? r.Value!.Split('\n').FirstOrDefault(l => l.StartsWith("sockets_open ", StringComparison.Ordinal)) : null;
                w.Append(line is not null ? $"net {line}\n" : $"net sockets_open unknown ({r})\n");
            }
        }
        return w.ToString();
    }

    public string CpuStatistics()
    {
        var census = CpuCensus.Read();
        return census.IsOk ? CpuCensus.Format(census.Value!) : $"no CPU figures: cpu_census failed ({census.Error})\n";
    }

    public unsafe void RandomBytes(Span<byte> into)
    {
        fixed (byte* p = into)
        {
            for (int done = 0; done < into.Length;)
            {
                long n = Syscalls.Invoke(GetRandom, (long)(p + done), into.Length - done, 0);
                if (n <= 0) { Random.Shared.NextBytes(into[done..]); return; }
                done += (int)n;
            }
        }
    }

    public void Log(string line) => Console.WriteLine(line);
}
