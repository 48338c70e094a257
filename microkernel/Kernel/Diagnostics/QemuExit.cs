// Ending QEMU with a status, for tests: QEMU's isa-debug-exit device (iobase 0xf4, iosize 4)
// turns a write of V into QEMU's exit status (V << 1) | 1. Without the device the write does
// nothing and the caller halts the CPU instead. The statuses below are part of the test contract
// (tests/Biscuit.Boot.Tests/QemuRun.cs mirrors them).
using Biscuit.Kernel.Arch.X64;

namespace Biscuit.Kernel.Diagnostics
{
    internal enum KernelExitCode : uint
    {
        Success = 0,        // QEMU exits with 1
        Panic = 1,          // QEMU exits with 3
        CpuException = 2,   // QEMU exits with 5
        InitFailed = 3,     // QEMU exits with 7: the first process ended with a non-zero status
    }

    internal static class QemuExit
    {
        private const ushort DebugExitPort = 0xF4;

        public static void Exit(KernelExitCode code)
        {
            Cpu.OutDword(DebugExitPort, (uint)code);
            Cpu.HaltForever();
        }
    }
}
