// ISystemServices for tests: the console and the log are recorded, memory figures are set by the test, and
// "random" bytes are a counting pattern (deterministic tests).
using System.Text;

namespace Biscuit.Posix.Tests;

public sealed class FakeSystem : ISystemServices
{
    private readonly object gate = new();
    private readonly StringBuilder console = new();
    public readonly List<string> LogLines = [];
    private byte next;

    public string Console { get { lock (gate) return console.ToString(); } }
    public void ConsoleWrite(ReadOnlySpan<byte> bytes) { lock (gate) console.Append(Encoding.UTF8.GetString(bytes)); }
    /// <summary>memory_info's answer for every process: a 512 MiB quota, 212 MiB resident, 1 GiB free of
    /// 2 GiB (null: the kernel refuses).</summary>
    public MemoryFigures? Figures = new(QuotaPages: 131_072, ResidentPages: 54_272, FreeFrames: 262_144, TotalFrames: 524_288);
    public readonly List<KernelProcess> MemoryAskedFor = [];
    public MemoryFigures? MemoryOf(KernelProcess process) { lock (gate) MemoryAskedFor.Add(process); return Figures; }
    public string ServerStatistics() => "server  gen0  gen1  gen2\nfs      3     1     0\n";
    public string ServerResources() => "fs open_files 2\nnet sockets_open 1\n";
    public string CpuStatistics() => "process  id  cycles  share%  syscalls  ipc_calls  kind\nidle  0  500  25.00  0  0  idle\nposix-server  7  1500  75.00  40  2  server\n";
    public void RandomBytes(Span<byte> into) { lock (gate) for (int i = 0; i < into.Length; i++) into[i] = next++; }
    public void Log(string line) { lock (gate) LogLines.Add(line); }
}
