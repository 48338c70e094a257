// Which endpoint, if any, is the pager of application processes (issue 8 option; DESIGN.md §6;
// Syscalls.md 0x859 memory_pager_set). While one is registered, an application's demand-zero
// fault becomes an IPC call to it (PagerFaults.cs); without one — the default — the kernel serves
// every fault itself (DemandPaging.cs).
// Authority: the device manager capability (Control), as for memory_census: only a server init
// trusts with it (mm) may take the applications' faults. The caller must also hold the endpoint
// with the Receive right, so that it can only register an endpoint it serves.
// Fallback: when the pager's server dies (its endpoint is orphaned), when a call to it fails, or
// when it does not answer within AnswerBoundMilliseconds, the registration is dropped with one
// console line and the kernel serves faults itself again; an application never hangs because mm
// died. A restarted mm registers again.
// Invariants: s_endpoint is null or holds one count of the endpoint (KernelObjects.Retain), so
// the object stays valid while registered; guarded by the kernel being single-threaded with
// interrupts off. Nothing here allocates.
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Memory
{
    internal static unsafe class Pager
    {
        // How long a faulting application waits for the pager before the kernel serves the fault
        // itself and drops the pager: far above a round trip under TCG (~16 µs) and a server's GC
        // pause, far below what a person would call a hang.
        public const ulong AnswerBoundMilliseconds = 1000;

        private static Endpoint* s_endpoint;   // the pager's endpoint (one count held), or null: the kernel pages
        private static ulong s_badge;          // the badge of the capability it was registered with
        public static ulong Registrations, Fallbacks;   // statistics (memory_pager_census)

        public static bool IsSet => s_endpoint != null;

        // memory_pager_set(authority, endpoint): 0; endpoint 0 unregisters (the kernel pages).
        // EBADF / EPERM (authority, or an endpoint the caller cannot receive on).
        public static long Set(Thread* t, ulong authority, ulong endpoint)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, authority, CapabilityType.DeviceManager, Rights.Control, out c);
            if (error != 0) return error;
            if (endpoint == 0)
            {
                if (s_endpoint != null) Drop("unregistered by its server");
                return 0;
            }
            error = HandleCalls.Lookup(t, endpoint, CapabilityType.Endpoint, Rights.Receive, out c);
            if (error != 0) return error;
            if (s_endpoint != null) Release();
            KernelObjects.Retain(CapabilityType.Endpoint, c->Object);
            s_endpoint = (Endpoint*)c->Object;
            s_badge = c->Badge;
            Registrations++;
            Console.Write("biscuit: pager: application page faults go to ");
            ProcessControl.WriteName(t->Process);
            Console.Write(" (process ");
            Console.WriteDecimal(t->Process->Id);
            Console.Write(")");
            Console.NewLine();
            return 0;
        }

        // The endpoint to send an application's fault to, or null when the kernel serves it. A
        // pager whose server died is dropped here, the first time a fault finds it so.
        public static Endpoint* Endpoint(out ulong badge)
        {
            badge = s_badge;
            if (s_endpoint == null) return null;
            if (s_endpoint->Orphaned)
            {
                Drop("its server died");
                return null;
            }
            return s_endpoint;
        }

        // The kernel serves faults itself from now on: one console line saying why.
        public static void Drop(string why)
        {
            if (s_endpoint == null) return;
            Fallbacks++;
            Console.Write("biscuit: pager: ");
            Console.Write(why);
            Console.Write("; the kernel serves application page faults itself again");
            Console.NewLine();
            Release();
        }

        private static void Release()
        {
            Endpoint* ep = s_endpoint;
            s_endpoint = null;
            s_badge = 0;
            KernelObjects.Release(CapabilityType.Endpoint, ep);
        }
    }
}
