// ISystemServices for tests: the console and the log are recorded, memory figures are fixed, and
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
    public (long Total, long Free) Memory() => (512L << 20, 300L << 20);
    public string ServerStatistics() => "server  gen0  gen1  gen2\nfs      3     1     0\n";
    public string CpuStatistics() => "process  id  cycles  share%  syscalls  ipc_calls  kind\nidle  0  500  25.00  0  0  idle\nposix-server  7  1500  75.00  40  2  server\n";
    public void RandomBytes(Span<byte> into) { lock (gate) for (int i = 0; i < into.Length; i++) into[i] = next++; }
    public void Log(string line) { lock (gate) LogLines.Add(line); }
}
