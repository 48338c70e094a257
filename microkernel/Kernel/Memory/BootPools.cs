// Sizing of the kernel's object pools from the amount of usable memory, decided once at boot.
// Every kernel object that exists per thread, per endpoint or per process comes from one of these
// pools, so no kernel path allocates after boot: a full pool is an error returned to the caller.
//   kernel stacks   16 KiB per thread (syscalls and interrupts from ring 3 run on them)
//   IPC buffers      4 KiB per thread (the message payload; reserved when the thread is made)
//   threads, endpoints, notifications, processes, grants: control blocks
//   handle tables   one per process (HandleTable.Slots capabilities)
//   address maps, Linux states (signal actions, fds)   one per process; pipes   two per process
// Capacities scale with memory (one thread per 512 KiB, clamped to [MinThreads, MaxThreads]); the
// plan is refused when the pools and the minimum left for user space do not fit.
// Pure arithmetic: compiled into the kernel and into the host unit tests.
namespace Biscuit.Kernel.Memory
{
    public enum PoolKind { KernelStacks, IpcBuffers, Threads, Endpoints, Notifications, Processes, HandleTables, Grants, AddressMaps, LinuxStates, Pipes, Count }

    public unsafe struct PoolPlan
    {
        public const ulong MinThreads = 64, MaxThreads = 4096;
        public const ulong KernelStackBytes = 16 * 1024, IpcBufferBytes = 4096;
        public const ulong ThreadBlockBytes = 1280, EndpointBytes = 128, NotificationBytes = 64;
        public const ulong ProcessBytes = 512, HandleTableBytes = 256 * 24, GrantBytes = 64;
        public const ulong AddressMapBytes = 4096, LinuxStateBytes = 4096, PipeBytes = 4096 + 256;
        // Memory that must remain for user space (servers' heaps, page tables) after the pools.
        public const ulong MinimumUserBytes = 16UL << 20;

        public fixed ulong SlotBytes[(int)PoolKind.Count];
        public fixed ulong Capacity[(int)PoolKind.Count];

        public ulong Threads => Capacity[(int)PoolKind.Threads];

        public static PoolPlan ForMemory(ulong usableBytes)
        {
            PoolPlan plan = default;
            ulong threads = usableBytes / (512 * 1024);
            if (threads < MinThreads) threads = MinThreads;
            if (threads > MaxThreads) threads = MaxThreads;
            ulong processes = threads / 4;
            plan.Set(PoolKind.KernelStacks, KernelStackBytes, threads);
            plan.Set(PoolKind.IpcBuffers, IpcBufferBytes, threads);
            plan.Set(PoolKind.Threads, ThreadBlockBytes, threads);
            plan.Set(PoolKind.Endpoints, EndpointBytes, threads * 2);
            plan.Set(PoolKind.Notifications, NotificationBytes, threads);
            plan.Set(PoolKind.Processes, ProcessBytes, processes);
            plan.Set(PoolKind.HandleTables, HandleTableBytes, processes);
            plan.Set(PoolKind.Grants, GrantBytes, threads * 2);
            plan.Set(PoolKind.AddressMaps, AddressMapBytes, processes);
            plan.Set(PoolKind.LinuxStates, LinuxStateBytes, processes);
            plan.Set(PoolKind.Pipes, PipeBytes, processes * 2);
            return plan;
        }

        private void Set(PoolKind kind, ulong slotBytes, ulong capacity)
        {
            SlotBytes[(int)kind] = slotBytes;
            Capacity[(int)kind] = capacity;
        }

        // Bytes one pool takes, rounded up to whole frames.
        public ulong BytesOf(PoolKind kind)
        {
            ulong bytes = SlotPool.BytesNeeded(SlotBytes[(int)kind], Capacity[(int)kind]);
            return (bytes + FramePool.FrameSize - 1) & ~(FramePool.FrameSize - 1);
        }

        public ulong TotalBytes
        {
            get
            {
                ulong total = 0;
                for (int k = 0; k < (int)PoolKind.Count; k++) total += BytesOf((PoolKind)k);
                return total;
            }
        }

        public bool FitsIn(ulong freeBytes) => TotalBytes + MinimumUserBytes <= freeBytes;

        public static string NameOf(PoolKind kind) => kind switch
        {
            PoolKind.KernelStacks => "kernel stacks",
            PoolKind.IpcBuffers => "IPC buffers",
            PoolKind.Threads => "threads",
            PoolKind.Endpoints => "endpoints",
            PoolKind.Notifications => "notifications",
            PoolKind.Processes => "processes",
            PoolKind.HandleTables => "handle tables",
            PoolKind.Grants => "grants",
            PoolKind.AddressMaps => "address maps",
            PoolKind.LinuxStates => "Linux process states",
            PoolKind.Pipes => "pipes",
            _ => "?",
        };
    }
}
