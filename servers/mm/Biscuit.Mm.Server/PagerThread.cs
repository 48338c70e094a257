// mm as the pager of application processes (the `pager` option; DESIGN.md §6; Syscalls.md
// 0x859-0x85A): a thread of its own creates an endpoint, registers it with memory_pager_set (the
// device manager capability is the authority), and then, forever: receives a fault (ipc_recv),
// decodes it (PagerFault), decides (PagerPolicy), and answers with memory_page_supply — a zeroed
// page, SIGKILL or SIGSEGV. The kernel takes, zeroes and maps the frame and resumes the faulting
// thread; mm never touches the application's memory.
// Nothing on this path allocates in the steady state (the fault is a struct; lines are logged only
// for refusals), so the GC does not add to a fault's time; a GC pause of mm's heap (another thread)
// still stops this thread, and the kernel's bound (1 s) is far above one.
// Invariant: the thread answers every call it receives before receiving again (the kernel would
// otherwise serve the abandoned fault itself): a message it cannot decode gets a plain ipc_reply.
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Mm;

namespace Biscuit.Mm.Server;

public sealed class PagerThread(Handle authority, PagerPolicy policy, Action<string> log)
{
    private const long Forever = -1;        // ~0 ms: ipc_recv without a deadline

    /// <summary>Creates the endpoint and registers it; a negative errno if the kernel refuses.</summary>
    public long Register(out Endpoint endpoint)
    {
        endpoint = default;
        var created = Endpoint.Create();
        if (!created.IsOk) return -1;
        endpoint = created.Value;
        long r = Syscalls.Invoke(SyscallNumbers.MemoryPagerSet, authority.Value, endpoint.Handle.Value);
        policy.Registered(r == 0);
        return r;
    }

    /// <summary>Serves faults on `endpoint` until receiving fails (it never does while mm lives).</summary>
    public void Serve(Endpoint endpoint)
    {
        while (true)
        {
            long r = Syscalls.Invoke(SyscallNumbers.IpcRecv, endpoint.Handle.Value, Forever);
            if (r < 0)
            {
                log($"mm: pager: ipc_recv failed: {r}; the kernel pages applications again when its bound passes");
                policy.Registered(false);
                return;
            }
            var buffer = IpcBuffer.Current;
            if (!PagerFault.TryDecode(buffer.Label, buffer.PayloadSpan, out var fault, out string why))
            {
                policy.RecordMalformed();
                log($"mm: pager: a message it cannot serve ({why}): refused");
                Syscalls.Reply();
                continue;
            }
            var answer = PagerPolicy.Decide(fault);
            long action = answer switch { PagerAnswer.Kill => 9, PagerAnswer.Segv => 11, _ => 0 };
            long result = Syscalls.Invoke(SyscallNumbers.MemoryPageSupply, fault.ProcessId, (long)fault.Address, action);
            policy.Record(fault.ProcessId, answer, result);
            string? line = PagerPolicy.Explain(fault, answer);
            if (line != null) log(line);
            if (result < 0) log($"mm: pager: memory_page_supply for process {fault.ProcessId} at 0x{fault.Address:x} failed: {result}");
        }
    }
}
