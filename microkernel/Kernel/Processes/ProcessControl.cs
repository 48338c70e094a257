// Starting and ending processes.
// CreateEmpty: the common part of spawn and process_create (issue 7): pools, address space, no thread.
// Spawn: a process from a boot module — a new address space (kernel upper half shared), a
// handle table, the ELF image mapped, a user stack with argv/envp/auxv, copies of the handles
// the parent passes, and a main thread. Any failure undoes everything and returns an error; a
// malformed ELF is named in one console line.
// Exit (exit, last thread exit, fault, kill): every thread destroyed, grants it made revoked,
// endpoints it served orphaned (their callers fail with EOWNERDEAD), handles closed, memory
// freed, death watchers signalled. The slot stays as a zombie while handles to it exist.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Devices;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Linux;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Syscalls;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Processes
{
    public static unsafe class ProcessControl
    {
        public const ulong StackTop = 0x0000_7FFF_FFFF_0000;
        public const ulong StackBytes = 256 * 1024;
        public const ulong StartupAreaBytes = 4096;        // the stack's top page: strings and vectors
        public const ulong DefaultMemoryBudget = 256UL << 20;   // until the boot manifest and mm set quotas

        private static ulong s_nextId = 1;
        private static ulong s_randomState = 0x9E37_79B9_7F4A_7C15;
        public static Process* Init;                        // the first process (boot option init=)

        public static long Spawn(BootModule* module, byte* args, int argsLength, byte maxPriority, byte priority, out Process* spawned)
        {
            spawned = null;
            ElfImage image;
            ElfError elfError = ElfImage.Parse(KernelImage.PhysicalToVirtual(module->Physical), module->Size, out image);
            if (elfError != ElfError.None)
            {
                Console.Write("biscuit: cannot start '");
                Console.Write(module->Name, module->NameLength);
                Console.Write("': ");
                Console.WriteLine(ElfImage.Describe(elfError));
                return -Errno.ENOEXEC;
            }

            Process* p;
            long made = CreateEmpty(module->Name, module->NameLength, maxPriority, out p);
            if (made < 0) return made;
            p->Started = true;

            ulong imageEnd;
            long error = ElfLoader.Load(p, &image, out imageEnd);
            p->Linux->BreakStart = p->Linux->BreakEnd = (imageEnd + 4095) & ~4095UL;
            ulong rsp = 0;
            if (error == 0) error = BuildStack(p, &image, module, args, argsLength, out rsp);
            Thread* main = null;
            if (error == 0) error = ThreadControl.Create(p, image.Entry, rsp, 0, priority, out main);
            if (error < 0)
            {
                Discard(p);
                return error;
            }
            spawned = p;
            return 0;
        }

        // A process with an empty user address space (the kernel half shared), a fresh handle
        // table, address map and Linux state, and no thread: what spawn fills from an ELF module
        // and what process_create hands to posix to fill. ENOMEM if any pool is empty.
        public static long CreateEmpty(byte* name, int nameLength, byte maxPriority, out Process* created)
        {
            created = null;
            Process* p = (Process*)BootMemory.Pool(PoolKind.Processes)->Take();
            HandleTable* handles = (HandleTable*)BootMemory.Pool(PoolKind.HandleTables)->Take();
            AddressMap* map = (AddressMap*)BootMemory.Pool(PoolKind.AddressMaps)->Take();
            LinuxState* linux = (LinuxState*)BootMemory.Pool(PoolKind.LinuxStates)->Take();
            if (p == null || handles == null || map == null || linux == null)
            {
                if (p != null) BootMemory.Pool(PoolKind.Processes)->Give((byte*)p);
                if (handles != null) BootMemory.Pool(PoolKind.HandleTables)->Give((byte*)handles);
                if (map != null) BootMemory.Pool(PoolKind.AddressMaps)->Give((byte*)map);
                if (linux != null) BootMemory.Pool(PoolKind.LinuxStates)->Give((byte*)linux);
                return -Errno.ENOMEM;
            }
            handles->Initialize();
            linux->Initialize();
            p->HandleTable = handles;
            p->Map = map;
            p->Linux = linux;
            p->MemoryBudget = DefaultMemoryBudget;
            p->Id = s_nextId++;
            p->State = ProcessState.Alive;
            p->MaxPriority = maxPriority;
            for (int i = 0; i < nameLength && i < Process.NameBytes; i++) p->Name[i] = name[i];
            PageTable space;
            if (PageTable.CreateUser(BootMemory.Frames, new PhysicalWindow(KernelImage.PhysicalWindowBase), KernelAddressSpace.Root, out space) != MapResult.Ok)
            {
                Discard(p);
                return -Errno.ENOMEM;
            }
            p->Space = space;
            created = p;
            return 0;
        }

        // Undoes a spawn (or fork) that failed before its first thread existed: the address space
        // (every owned frame given back) and the pool slots.
        public static void Discard(Process* p)
        {
            if (p->Space.Root != 0) p->Space.ReleaseUserHalf();
            BootMemory.Pool(PoolKind.AddressMaps)->Give((byte*)p->Map);
            BootMemory.Pool(PoolKind.LinuxStates)->Give((byte*)p->Linux);
            BootMemory.Pool(PoolKind.HandleTables)->Give((byte*)p->HandleTable);
            BootMemory.Pool(PoolKind.Processes)->Give((byte*)p);
        }

        private static long BuildStack(Process* p, ElfImage* image, BootModule* module, byte* args, int argsLength, out ulong rsp)
        {
            rsp = 0;
            for (ulong va = StackTop - StackBytes; va < StackTop; va += 4096)
            {
                ulong frame = UserFrames.Take(p);
                if (frame == 0) return -Errno.ENOMEM;
                if (p->Space.Map(va, frame, PageFlags.User | PageFlags.Writable | PageFlags.NoExecute | PageFlags.Owned) != MapResult.Ok)
                {
                    UserFrames.Give(p, frame);
                    return -Errno.ENOMEM;
                }
            }
            // The startup area is the stack's top page, built in place through the physical window.
            ulong topFrame;
            PageFlags topFlags;
            p->Space.Translate(StackTop - StartupAreaBytes, out topFrame, out topFlags);
            byte* area = KernelImage.PhysicalToVirtual(topFrame);
            byte* random = stackalloc byte[16];
            for (int i = 0; i < 16; i++) random[i] = (byte)NextRandom();
            // argv[0] is the program's name unless the spawner gave arguments.
            byte* name = stackalloc byte[BootModule.NameBytes];
            for (int i = 0; i < module->NameLength; i++) name[i] = module->Name[i];
            AuxEntry* aux = stackalloc AuxEntry[16];
            int n = 0;
            aux[n++] = new AuxEntry(InitialStack.AT_PHDR, image->ProgramHeaderAddress);
            aux[n++] = new AuxEntry(InitialStack.AT_PHENT, ElfImage.ProgramHeaderSize);
            aux[n++] = new AuxEntry(InitialStack.AT_PHNUM, (ulong)image->ProgramHeaderCount);
            aux[n++] = new AuxEntry(InitialStack.AT_PAGESZ, 4096);
            aux[n++] = new AuxEntry(InitialStack.AT_BASE, 0);
            aux[n++] = new AuxEntry(InitialStack.AT_FLAGS, 0);
            aux[n++] = new AuxEntry(InitialStack.AT_ENTRY, image->Entry);
            aux[n++] = new AuxEntry(InitialStack.AT_UID, 0);
            aux[n++] = new AuxEntry(InitialStack.AT_EUID, 0);
            aux[n++] = new AuxEntry(InitialStack.AT_GID, 0);
            aux[n++] = new AuxEntry(InitialStack.AT_EGID, 0);
            aux[n++] = new AuxEntry(InitialStack.AT_SECURE, 0);
            aux[n++] = new AuxEntry(InitialStack.AT_HWCAP, Cpu.FeatureFlagsEdx());
            aux[n++] = new AuxEntry(InitialStack.AT_HWCAP2, 0);
            aux[n++] = new AuxEntry(InitialStack.AT_CLKTCK, Time.Ticks.Hz);
            byte* env = stackalloc byte[8];
            env[0] = (byte)'H'; env[1] = (byte)'O'; env[2] = (byte)'M'; env[3] = (byte)'E'; env[4] = (byte)'='; env[5] = (byte)'/'; env[6] = 0;
            long r = argsLength > 0
                ? InitialStack.Build(area, StartupAreaBytes, StackTop, args, argsLength, env, 7, aux, n, random, out rsp)
                : InitialStack.Build(area, StartupAreaBytes, StackTop, name, module->NameLength, env, 7, aux, n, random, out rsp);
            return r;
        }

        // xorshift64*, seeded from the time-stamp counter: AT_RANDOM bytes (not cryptographic).
        private static ulong NextRandom()
        {
            s_randomState ^= Cpu.ReadTimestampCounter();
            s_randomState ^= s_randomState >> 12;
            s_randomState ^= s_randomState << 25;
            s_randomState ^= s_randomState >> 27;
            return (s_randomState * 0x2545_F491_4F6C_DD1D) >> 32;
        }

        public static void Exit(Process* p, int waitStatus)
        {
            if (p->State != ProcessState.Alive) return;
            p->State = ProcessState.Zombie;
            p->WaitStatus = waitStatus;

            for (Thread* t = p->Threads; t != null;)
            {
                Thread* next = t->ProcessNext;
                ThreadControl.Destroy(t);
                t = next;
            }
            p->Threads = null;
            p->ThreadCount = 0;

            // Its devices stop mastering before its frames (their DMA buffers) are given back.
            p->DevicesReleased = DeviceClaims.ReleaseAllOf(p);
            OrphanEndpoints(p);
            if (p->Personality != null)
            {
                KernelObjects.Release(CapabilityType.Endpoint, p->Personality);
                p->Personality = null;
            }
            // Closing the handles also revokes and frees every grant this process made (a grant
            // has exactly one handle, held by its source), before its frames are freed below.
            for (int i = 0; i < HandleTable.Slots; i++)
            {
                Capability* c = p->HandleTable->At(i);
                if (c == null) continue;
                Capability removed;
                p->HandleTable->Remove(HandleTable.HandleOf(i, c->Generation), out removed);
                KernelObjects.Release(removed.Type, removed.Object);
            }
            BootMemory.Pool(PoolKind.HandleTables)->Give((byte*)p->HandleTable);
            p->HandleTable = null;
            FileCalls.CloseAll(p->Linux);
            BootMemory.Pool(PoolKind.LinuxStates)->Give((byte*)p->Linux);
            p->Linux = null;
            BootMemory.Pool(PoolKind.AddressMaps)->Give((byte*)p->Map);
            p->Map = null;

            // Leave the dying address space before freeing it (the kernel half is the same everywhere).
            Scheduler.LeaveSpace(p->Space.Root);
            p->Space.ReleaseUserHalf();
            p->OwnedFrames = 0;

            Report(p);
            for (int i = 0; i < Process.MaxWatchers; i++)
            {
                Notification* n = (Notification*)p->WatcherObjects[i];
                if (n == null) continue;
                p->WatcherObjects[i] = 0;
                Notification.Signal(n, p->WatcherBits[i]);
                KernelObjects.Release(CapabilityType.Notification, n);
            }
            if (p == Init) KernelMain.InitExited(p->WaitStatus);
            if (p->Handles == 0) BootMemory.Pool(PoolKind.Processes)->Give((byte*)p);
        }

        private static void OrphanEndpoints(Process* p)
        {
            for (int i = 0; i < HandleTable.Slots; i++)
            {
                Capability* c = p->HandleTable->At(i);
                if (c == null || c->Type != CapabilityType.Endpoint) continue;
                Endpoint* ep = (Endpoint*)c->Object;
                if (ep->Owner == p && ep->OwnerId == p->Id) Endpoint.OwnerDied(ep);
            }
        }

        private static void Report(Process* p)
        {
            Console.Write("biscuit: process ");
            Console.WriteDecimal(p->Id);
            Console.Write(" (");
            WriteName(p);
            if ((p->WaitStatus & 0x7F) == 0)
            {
                Console.Write(") exited with status ");
                Console.WriteDecimal((ulong)((p->WaitStatus >> 8) & 0xFF));
            }
            else
            {
                Console.Write(") killed by signal ");
                Console.WriteDecimal((ulong)(p->WaitStatus & 0x7F));
            }
            if (p->DevicesReleased > 0)
            {
                Console.Write("; its device claims released: ");
                Console.WriteDecimal((ulong)p->DevicesReleased);
            }
            if (p->SignalsHandled > 0)
            {
                Console.Write("; its handlers ran for ");
                Console.WriteDecimal(p->SignalsHandled);
                Console.Write(" signals");
            }
            Console.NewLine();
        }

        public static void WriteName(Process* p)
        {
            int n = 0;
            while (n < Process.NameBytes && p->Name[n] != 0) n++;
            Console.Write(p->Name, n);
        }

        public static void ReleaseHandle(Process* p)
        {
            if (--p->Handles > 0) return;
            // Made by process_create and never started: nobody can ever start or name it again.
            // (Exit frees the slot itself, as no handle remains.)
            if (p->State == ProcessState.Alive && !p->Started) { Exit(p, 9); return; }
            if (p->State == ProcessState.Zombie) BootMemory.Pool(PoolKind.Processes)->Give((byte*)p);
        }

        public static long Watch(Process* p, Notification* n, ulong bits)
        {
            if (p->State != ProcessState.Alive)
            {
                Notification.Signal(n, bits);   // already dead: tell at once
                return 0;
            }
            for (int i = 0; i < Process.MaxWatchers; i++)
            {
                if (p->WatcherObjects[i] != 0) continue;
                n->Handles++;
                p->WatcherObjects[i] = (ulong)n;
                p->WatcherBits[i] = bits;
                return 0;
            }
            return -Errno.EBUSY;
        }
    }
}
