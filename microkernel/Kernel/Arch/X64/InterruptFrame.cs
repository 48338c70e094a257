// The stack frame interrupts.S builds for every vector: the general registers it pushed, the
// vector number and error code, then what the CPU pushed (Intel SDM Vol. 3A §7.14.2, Figure 7-9).
// Field order is the reverse of push order; interrupts.S and this struct must agree.
using System.Runtime.InteropServices;

namespace Biscuit.Kernel.Arch.X64
{
    [StructLayout(LayoutKind.Sequential)]
    public struct InterruptFrame
    {
        public ulong Rax, Rbx, Rcx, Rdx, Rsi, Rdi, Rbp, R8, R9, R10, R11, R12, R13, R14, R15;
        public ulong Vector, ErrorCode;
        public ulong Rip, Cs, Rflags, Rsp, Ss;

        public bool FromUserMode => (Cs & 3) == 3;
    }
}
