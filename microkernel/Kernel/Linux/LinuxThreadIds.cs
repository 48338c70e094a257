// Linux thread ids (gettid(2)): the numbers a Linux program sees for its threads, apart from the
// kernel's own thread ids (one global counter, used by the native calls and in forwarded-call
// messages, never shown to Linux code). The rules (tests/conformance/README.md, issue 7):
//   - a process's leader (its first thread) has the process's pid as its tid, as Linux's thread-group
//     leader does (gettid(2): "in a single-threaded process, the thread ID is equal to the process ID");
//     the pid is the one its personality set (process_set_pid), else the kernel's process id;
//   - every other thread has its kernel id moved up by 2^22 into [2^22, 2^30): above every pid Linux
//     can give (PID_MAX_LIMIT is 2^22 on 64-bit, include/linux/threads.h), so it never equals a posix
//     pid, and within FUTEX_TID_MASK (include/uapi/linux/futex.h), so a tid fits the owner field of a
//     futex word and is a positive pid_t. After 2^30 - 2^22 threads the numbers start again at 2^22
//     (a thread living through a billion creations could share its number with a new one).
// Pure: no kernel state, so that host tests compile this file as it is
// (tests/Biscuit.Kernel.Tests/LinuxThreadIdsTests.cs).
namespace Biscuit.Kernel.Linux
{
    public static class LinuxThreadIds
    {
        public const ulong FirstNonLeaderTid = 1UL << 22;
        public const ulong FutexTidMask = 0x3FFF_FFFF;
        public const ulong NonLeaderTids = FutexTidMask + 1 - FirstNonLeaderTid;   // how many numbers other threads share

        // The Linux tid of a thread with kernel id `kernelThreadId` (≥ 1) in a process whose pid is `pid`.
        public static ulong Of(bool isLeader, ulong pid, ulong kernelThreadId) =>
            isLeader ? pid : FirstNonLeaderTid + (kernelThreadId - 1) % NonLeaderTids;

        // tkill/tgkill take pid_t arguments: zero or negative (as a 32-bit int) is EINVAL before any
        // lookup (kernel/signal.c, do_tkill's callers).
        public static bool IsValidTarget(ulong rawPidArgument) => (int)rawPidArgument > 0;
    }
}
