// The pure rules of forwarding (issue 7; Syscalls.md "Forwarded Linux calls"), kept apart from the
// blocking and IPC machinery in Forwarding.cs so that host tests compile them as they are:
//   - which Linux calls the kernel answers itself for an application (the core set, IsCore);
//   - the message the personality receives: label LabelTag | number; 80 payload bytes of
//     little-endian u64 `number, arg0..arg5, kernel_process_id, thread_id, flags (0)`;
//   - the reply: its first 8 payload bytes are the thread's RAX; a shorter reply is -EIO.
// Invariant: this layout is the one lib/Biscuit.Lib/Kernel/ForwardedCall.cs decodes (checked by
// tests/Biscuit.Kernel.Tests/ForwardingRulesTests.cs).
using Biscuit.Kernel.Ipc;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Linux
{
    public static unsafe class ForwardingRules
    {
        public const ulong LabelTag = 0x4C4E_5800_0000_0000;
        public const uint PayloadBytes = 80, ReplyBytes = 8;
        public const ulong CloneVm = 0x100, MapAnonymous = 0x20;

        public const ulong RlimitNofile = 7;

        // The core set: mmap is core only for anonymous memory (flags in arg3), clone only for
        // threads (CLONE_VM in arg0), the rlimit calls for every resource but RLIMIT_NOFILE (the
        // descriptors are the personality's; resource in arg0, or arg1 for prlimit64). Everything
        // else, known or not, goes to the personality.
        public static bool IsCore(ulong number, ulong a0, ulong a1, ulong a3)
        {
            switch (number)
            {
                case 9: return (a3 & MapAnonymous) != 0;                        // mmap
                case 56: return (a0 & CloneVm) != 0;                           // clone
                case 97: case 160: return a0 != RlimitNofile;                  // getrlimit setrlimit
                case 302: return a1 != RlimitNofile;                           // prlimit64
                case 10: case 11: case 12: case 28: case 149: case 150:         // mprotect munmap brk madvise mlock munlock
                case 13: case 14: case 15: case 130: case 131:                  // rt_sigaction rt_sigprocmask rt_sigreturn rt_sigsuspend sigaltstack
                case 35: case 228: case 229: case 230: case 96: case 201:       // nanosleep clock_gettime/getres/nanosleep gettimeofday time
                case 39: case 186:                                              // getpid gettid
                case 60: case 231: case 158: case 218: case 273: case 334:      // exit exit_group arch_prctl set_tid_address set_robust_list rseq
                case 202: case 24: case 204:                                    // futex sched_yield sched_getaffinity
                case 62: case 200: case 234:                                    // kill (own pid; others forwarded by SignalCalls.Kill) tkill tgkill
                case 99: case 63: case 318: case 324:                           // sysinfo uname getrandom membarrier
                    return true;
                default:
                    return false;
            }
        }

        // Writes the forwarded call into an IPC buffer (header + payload). `args` holds six values.
        public static void WriteMessage(MessageHeader* m, ulong number, ulong* args, ulong processId, ulong threadId)
        {
            m->Label = LabelTag | (number & 0xFFFF_FFFF);
            m->Length = PayloadBytes;
            m->HandleCount = 0;
            ulong* w = (ulong*)((byte*)m + MessageHeader.HeaderBytes);
            w[0] = number;
            for (int i = 0; i < 6; i++) w[1 + i] = args[i];
            w[7] = processId;
            w[8] = threadId;
            w[9] = 0;
        }

        // The application's RAX from the reply in its IPC buffer.
        public static long ReadReply(MessageHeader* m)
        {
            if (m->Length < ReplyBytes || m->Length > MessageHeader.MaxPayload) return -Errno.EIO;
            return *(long*)((byte*)m + MessageHeader.HeaderBytes);
        }
    }
}
