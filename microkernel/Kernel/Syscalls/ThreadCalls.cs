// thread_create, thread_sleep, thread_set_priority, system_info.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class ThreadCalls
    {
        public static long Create(Thread* t, ulong entry, ulong stack, ulong argument, ulong priority)
        {
            if (!UserMemory.RangeIsUser(entry, 1) || !UserMemory.RangeIsUser(stack, 0) || entry == 0) return -Errno.EFAULT;
            if (priority >= Scheduler.Priorities) return -Errno.EINVAL;
            Thread* created;
            return ThreadControl.Create(t->Process, entry, stack, argument, (byte)priority, out created);
        }

        public static long Sleep(Thread* t, ulong milliseconds)
        {
            if (milliseconds == 0) { Scheduler.Yield(); return 0; }
            Blocking.Block(t, ThreadState.Sleeping, null, null, Timeouts.DeadlineFor(milliseconds));
            return 0;
        }

        public static long SetPriority(Thread* t, ulong priority)
        {
            if (priority >= Scheduler.Priorities) return -Errno.EINVAL;
            if (priority > t->Process->MaxPriority) return -Errno.EPERM;
            t->Priority = (byte)priority;
            Scheduler.Yield();          // let the scheduler re-decide with the new priority
            return 0;
        }

        // system_info(buffer, length): fills up to `length` bytes of SystemInfo.
        private struct SystemInfoBlock
        {
            public ulong TotalFrames, FreeFrames, Ticks, TicksPerSecond, ContextSwitches, Syscalls;
            public ulong FreeThreads, FreeEndpoints, FreeNotifications, FreeProcesses, FreeGrants;
        }

        public static long SystemInfo(Thread* t, ulong buffer, ulong length)
        {
            SystemInfoBlock info;
            info.TotalFrames = BootMemory.Frames->TotalFrames;
            info.FreeFrames = BootMemory.Frames->FreeFrames;
            info.Ticks = Time.Ticks.Count;
            info.TicksPerSecond = Time.Ticks.Hz;
            info.ContextSwitches = Scheduler.Switches;
            info.Syscalls = SyscallDispatch.Count;
            info.FreeThreads = BootMemory.Pool(PoolKind.Threads)->Free;
            info.FreeEndpoints = BootMemory.Pool(PoolKind.Endpoints)->Free;
            info.FreeNotifications = BootMemory.Pool(PoolKind.Notifications)->Free;
            info.FreeProcesses = BootMemory.Pool(PoolKind.Processes)->Free;
            info.FreeGrants = BootMemory.Pool(PoolKind.Grants)->Free;
            ulong n = length < (ulong)sizeof(SystemInfoBlock) ? length : (ulong)sizeof(SystemInfoBlock);
            long r = UserMemory.CopyOut(t->Process, buffer, (byte*)&info, n);
            return r < 0 ? r : (long)n;
        }
    }
}
