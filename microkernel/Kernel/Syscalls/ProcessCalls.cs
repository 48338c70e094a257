// process_spawn, process_watch, process_status, process_kill.
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class ProcessCalls
    {
        public const int MaxArgs = 2048, MaxInitialHandles = 8;

        public static long Spawn(Thread* t, ulong name, ulong nameLength, ulong args, ulong argsLength, ulong handles, ulong handleCount)
        {
            Process* parent = t->Process;
            if (nameLength == 0 || nameLength > BootModule.NameBytes) return -Errno.ENAMETOOLONG;
            if (argsLength > MaxArgs) return -Errno.E2BIG;
            if (handleCount > MaxInitialHandles) return -Errno.EINVAL;
            byte* nameBuffer = stackalloc byte[BootModule.NameBytes];
            byte* argsBuffer = stackalloc byte[MaxArgs];
            uint* handleBuffer = stackalloc uint[MaxInitialHandles];
            if (UserMemory.CopyIn(parent, nameBuffer, name, nameLength) != 0) return -Errno.EFAULT;
            if (UserMemory.CopyIn(parent, argsBuffer, args, argsLength) != 0) return -Errno.EFAULT;
            long error = FetchInitialHandles(parent, handles, handleCount, handleBuffer);
            if (error != 0) return error;
            BootModule* module = BootModules.Find(nameBuffer, (int)nameLength);
            if (module == null) return -Errno.ENOENT;

            Process* child;
            long r = ProcessControl.Spawn(module, argsBuffer, (int)argsLength, parent->MaxPriority, Scheduler.ApplicationPriority, out child);
            if (r < 0) return r;
            GiveInitialHandles(parent, child, handleBuffer, handleCount);
            uint handle = parent->HandleTable->Insert(CapabilityType.Process, Rights.Control | Rights.Transfer | Rights.Duplicate, child, 0);
            if (handle == 0)
            {
                ProcessControl.Exit(child, 9);      // cannot be named by anyone: do not leave it running
                return -Errno.EMFILE;
            }
            child->Handles++;
            return handle;
        }

        // Copies a spawner's list of initial handles in and checks that each may be passed (Transfer).
        public static long FetchInitialHandles(Process* parent, ulong handles, ulong count, uint* buffer)
        {
            if (UserMemory.CopyIn(parent, (byte*)buffer, handles, count * 4) != 0) return -Errno.EFAULT;
            for (ulong i = 0; i < count; i++)
            {
                Capability* c;
                long error = parent->HandleTable->Lookup(buffer[i], CapabilityType.None, Rights.Transfer, out c);
                if (error != 0) return error;
            }
            return 0;
        }

        // Puts the checked handles into slots 0..count-1 of the child's new table.
        public static void GiveInitialHandles(Process* parent, Process* child, uint* buffer, ulong count)
        {
            for (ulong i = 0; i < count; i++)
            {
                Capability* c;
                parent->HandleTable->Lookup(buffer[i], CapabilityType.None, Rights.Transfer, out c);
                child->HandleTable->Insert(c->Type, c->Rights, c->Object, c->Badge);
                KernelObjects.Retain(c->Type, c->Object);
            }
        }

        // process_set_limits(process, max_priority, memory_budget, main_priority): what a
        // spawner (init, from the boot manifest) grants a child before it runs: a priority ceiling
        // no higher than its own, a memory budget (bytes; sysinfo reports it and owned frames are
        // held to it), and the priority of the child's threads now.
        public static long SetLimits(Thread* t, ulong process, ulong maxPriority, ulong budget, ulong priority)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, process, CapabilityType.Process, Rights.Control, out c);
            if (error != 0) return error;
            Process* p = (Process*)c->Object;
            if (p->State != ProcessState.Alive) return -Errno.ESRCH;
            if (maxPriority >= Scheduler.Priorities || priority > maxPriority) return -Errno.EINVAL;
            if (maxPriority > t->Process->MaxPriority) return -Errno.EPERM;
            if (budget < (ulong)p->OwnedFrames * 4096 || budget > Boot.BootMemory.Frames->TotalFrames * 4096) return -Errno.EINVAL;
            p->MaxPriority = (byte)maxPriority;
            p->MemoryBudget = budget;
            for (Thread* th = p->Threads; th != null; th = th->ProcessNext)
            {
                bool ready = th->State == ThreadState.Ready;
                if (ready) Scheduler.Unready(th);
                th->Priority = (byte)priority;
                if (ready) Scheduler.MakeReady(th);
            }
            return 0;
        }

        // module_read(name, name_len, offset, buffer, length): bytes of a boot module (the boot
        // manifest, configuration), as a file would be read; returns the count, 0 at its end.
        public static long ReadModule(Thread* t, ulong name, ulong nameLength, ulong offset, ulong buffer, ulong length)
        {
            if (nameLength == 0 || nameLength > BootModule.NameBytes) return -Errno.ENAMETOOLONG;
            byte* nameBuffer = stackalloc byte[BootModule.NameBytes];
            if (UserMemory.CopyIn(t->Process, nameBuffer, name, nameLength) != 0) return -Errno.EFAULT;
            BootModule* m = BootModules.Find(nameBuffer, (int)nameLength);
            if (m == null) return -Errno.ENOENT;
            if (offset >= m->Size) return 0;
            ulong n = length < m->Size - offset ? length : m->Size - offset;
            long r = UserMemory.CopyOut(t->Process, buffer, Boot.KernelImage.PhysicalToVirtual(m->Physical) + offset, n);
            return r != 0 ? r : (long)n;
        }

        public static long Watch(Thread* t, ulong process, ulong notification, ulong bits)
        {
            Capability* pc, nc;
            long error = HandleCalls.Lookup(t, process, CapabilityType.Process, Rights.Control, out pc);
            if (error != 0) return error;
            error = HandleCalls.Lookup(t, notification, CapabilityType.Notification, Rights.Signal, out nc);
            if (error != 0) return error;
            return ProcessControl.Watch((Process*)pc->Object, (Notification*)nc->Object, bits & Notification.UsableBits);
        }

        public static long Status(Thread* t, ulong process)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, process, CapabilityType.Process, 0, out c);
            if (error != 0) return error;
            Process* p = (Process*)c->Object;
            return p->State == ProcessState.Alive ? -Errno.EAGAIN : p->WaitStatus;
        }

        public static long Kill(Thread* t, ulong process)
        {
            Capability* c;
            long error = HandleCalls.Lookup(t, process, CapabilityType.Process, Rights.Control, out c);
            if (error != 0) return error;
            ProcessControl.Exit((Process*)c->Object, 9);   // SIGKILL
            return 0;
        }
    }
}
