// kmain: the kernel's first C# code, called by boot.S in long mode on the boot stack with
// interrupts off. Boot is a straight line; each step depends only on the ones above it:
//   console -> runtime failure hook -> GDT/TSS/IDT (faults now get diagnostics) -> Multiboot
//   checks -> command line -> symbol table -> physical memory -> boot arena -> statics -> kernel
//   page tables -> pools -> timer -> seal the arena -> "biscuit: ready".
//   -> SYSCALL, PCI, boot modules -> "biscuit: ready" -> init (option init=NAME) -> scheduler.
// After boot the scheduler runs user threads; with none ready the CPU idles in `hlt`.
using System.Runtime.InteropServices;
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Devices;
using Biscuit.Kernel.Diagnostics;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Threads;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Time;
using Internal.Runtime;

namespace Biscuit.Kernel.Boot
{
    internal static unsafe class KernelMain
    {
        public const string Version = "0.1";

        [UnmanagedCallersOnly(EntryPoint = "kmain")]
        private static void Main(uint magic, uint infoPhysical, KernelLayout* layout)
        {
            SerialPort.Initialize();
            RuntimeFailure.Install(&Panic.OnRuntimeFailure);
            KernelImage.Attach(layout);
            DescriptorTables.Install(layout);

            Console.Write("Biscuit ");
            Console.Write(Version);
            Console.WriteLine(": an x86-64 microkernel in C# (NativeAOT, no GC in ring 0)");
            if (magic != Multiboot.LoaderMagic)
                Panic.Halt("not started by a Multiboot loader; magic", magic);

            Multiboot.Info* info = (Multiboot.Info*)KernelImage.PhysicalToVirtual(infoPhysical);
            CommandLine options = ReadCommandLine(info);
            AttachSymbolTable(info);

            BootMemory.DiscoverMemory(info, layout);
            BootMemory.CreateFramePool();
            BootMemory.CreateBootArena();
            int staticBlocks = StaticsInitializer.Run((void**)layout->ModulesStart, (void**)layout->ModulesEnd);
            if (staticBlocks < 0)
                Panic.Halt("malformed ReadyToRun header in the kernel image");
            KernelAddressSpace.BuildAndSwitch(BootMemory.Frames, layout, BootMemory.Map->HighestAddress);
            BootMemory.CreatePools();
            MemorySummary.Print();

            Pic.Initialize(Interrupts.FirstIrqVector);
            Ticks.Start();
            Clock.Calibrate(20);
            Console.Write("timer: PIT at ");
            Console.WriteDecimal(Ticks.Hz);
            Console.Write(" Hz, ");
            Console.WriteDecimal(Ticks.Count);
            Console.Write(" ticks so far; TSC ");
            Console.WriteDecimal(Clock.TscPerSecond / 1_000_000);
            Console.Write(" MHz; wall clock ");
            Console.WriteDecimal(Clock.EpochSecondsAtBoot);
            Console.WriteLine(" s since 1970");

            BootArena.Seal();
            Console.Write("boot: arena used ");
            Console.WriteKiB((ulong)BootArena.BytesUsed);
            Console.Write(" of ");
            Console.WriteKiB(BootMemory.BootArenaBytes);
            Console.WriteLine(", sealed: the kernel allocates nothing from here on");

            if (options.Fault != DeliberateFault.None)
                DeliberateFaults.Raise(options.Fault);

            SystemCallSetup.Enable();
            ThreadControl.CaptureCleanFpuState();
            Pci.Enumerate();
            BootModules.Register(info);
            Console.Write("devices: ");
            Console.WriteDecimal((ulong)Pci.Count);
            Console.Write(" PCI functions; boot modules: ");
            Console.WriteDecimal((ulong)BootModules.Count);
            Console.NewLine();

            Console.WriteLine("biscuit: ready");
            if (options.ExitAfterReady)
                QemuExit.Exit(KernelExitCode.Success);
            s_exitWhenInitExits = options.ExitWhenInitExits;
            if (options.InitLength > 0)
                StartInit(KernelImage.PhysicalToVirtual(info->CommandLine) + options.InitStart, options.InitLength);
            Scheduler.Start();
        }

        private static bool s_exitWhenInitExits;   // boot option exit=init

        private static void StartInit(byte* name, int length)
        {
            BootModule* module = BootModules.Find(name, length);
            if (module == null)
            {
                Console.Write("biscuit: init=");
                Console.Write(name, length);
                Console.WriteLine(": no boot module of that name");
                if (s_exitWhenInitExits) QemuExit.Exit(KernelExitCode.InitFailed);
                return;
            }
            Process* init;
            long error = ProcessControl.Spawn(module, null, 0, Scheduler.MaxPriority, Scheduler.ServerPriority, out init);
            if (error < 0)
            {
                Console.Write("biscuit: cannot start init, error ");
                Console.WriteSigned(error);
                Console.NewLine();
                if (s_exitWhenInitExits) QemuExit.Exit(KernelExitCode.InitFailed);
                return;
            }
            init->HandleTable->Insert(CapabilityType.DeviceManager, Rights.Control | Rights.Transfer | Rights.Duplicate, null, 0);
            init->Handles++;                       // the kernel keeps init's status readable
            ProcessControl.Init = init;
        }

        // Called when the first process ends. With exit=init, QEMU ends with its verdict.
        public static void InitExited(int waitStatus)
        {
            if (!s_exitWhenInitExits) return;
            QemuExit.Exit(waitStatus == 0 ? KernelExitCode.Success : KernelExitCode.InitFailed);
        }

        private static CommandLine ReadCommandLine(Multiboot.Info* info)
        {
            if ((info->Flags & Multiboot.FlagCommandLine) == 0)
                return default;
            byte* text = KernelImage.PhysicalToVirtual(info->CommandLine);
            int length = Multiboot.StringLength(text);
            Console.Write("command line: ");
            Console.Write(text, length);
            Console.NewLine();
            CommandLine options = CommandLine.Parse(text, length);
            for (int i = 0; i < options.UnknownCount; i++)
            {
                Console.Write("biscuit: warning: unknown kernel option '");
                Console.Write(text + options.UnknownStart(i), options.UnknownLength(i));
                Console.WriteLine("' ignored");
            }
            return options;
        }

        private static void AttachSymbolTable(Multiboot.Info* info)
        {
            if ((info->Flags & Multiboot.FlagModules) == 0) return;
            Multiboot.Module* modules = (Multiboot.Module*)KernelImage.PhysicalToVirtual(info->ModuleAddress);
            for (uint i = 0; i < info->ModuleCount; i++)
            {
                if (modules[i].Name == 0 || !Multiboot.EndsWith(KernelImage.PhysicalToVirtual(modules[i].Name), ".syms"))
                    continue;
                SymbolTable.Attach(KernelImage.PhysicalToVirtual(modules[i].Start), modules[i].End - modules[i].Start);
            }
            if (!SymbolTable.Attached)
                Console.WriteLine("biscuit: warning: no kernel.syms module; fault reports will show raw addresses");
        }

    }
}
