// The forwarded calls posix answers, by Linux syscall number. Handlers are registered once, at
// start, by the Calls/*Calls.cs files; afterwards the table is read-only and shared by every worker.
namespace Biscuit.Posix;

public delegate long SyscallHandler(CallContext call);

public sealed class SyscallTable
{
    private readonly Dictionary<int, (string Name, SyscallHandler Handler)> handlers = [];

    public void Add(int number, string name, SyscallHandler handler)
    {
        if (!handlers.TryAdd(number, (name, handler)))
            throw new InvalidOperationException($"syscall {number} ({name}) registered twice");
    }

    public bool TryGet(int number, out string name, out SyscallHandler handler)
    {
        bool found = handlers.TryGetValue(number, out var entry);
        (name, handler) = entry;
        return found;
    }

    public IEnumerable<(int Number, string Name)> Served => handlers.Select(h => (h.Key, h.Value.Name)).OrderBy(h => h.Key);
}
