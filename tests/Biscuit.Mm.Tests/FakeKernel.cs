// A kernel for host tests of mm: figures set by the test, kills recorded, and the kernel's own
// refusal (EPERM) for a server or init, as memory_oom_kill answers on Biscuit.
using Biscuit.Mm;

namespace Biscuit.Mm.Tests;

public sealed class FakeKernel : IMemoryKernel
{
    public const long EPERM = 1, ESRCH = 3;
    public long FreeFrames = 10_000, TotalFrames = 65_536;
    public List<ProcessMemory> Processes = [];
    public readonly List<long> Killed = [];

    public SystemMemory System() => new(FreeFrames, TotalFrames - FreeFrames, TotalFrames, 5, 4, 300, 0);

    public IReadOnlyList<ProcessMemory> Census() => Processes.ToArray();

    public long OomKill(long processId)
    {
        var p = Processes.FirstOrDefault(x => x.Id == processId);
        if (p == null) return -ESRCH;
        if (!p.IsApplication || p.IsInit) return -EPERM;
        Killed.Add(processId);
        Processes.Remove(p);
        FreeFrames += p.ResidentPages;
        return 0;
    }

    public static ProcessMemory Application(long id, string name, long resident) => new(id, name, resident, 65_536, resident, 0, true, false);
    public static ProcessMemory Server(long id, string name, long resident) => new(id, name, resident, 65_536, resident, 0, false, false);
    public static ProcessMemory Init(long id) => new(id, "init", 40, 65_536, 40, 0, false, true);
}
