// The Linux side of a process that the kernel keeps itself (DESIGN.md §4, the "core" ABI): signal
// actions, a small file-descriptor table (the console and pipes — enough for a .NET runtime's
// console and signal pipe; applications' files live in `posix`), the program break, and which
// unimplemented system calls have already been logged.
// Ownership: one per process, from the LinuxStates pool; guarded by the kernel being
// single-threaded with interrupts off.
namespace Biscuit.Kernel.Linux
{
    public enum FileKind : byte { None = 0, Console, PipeRead, PipeWrite }

    public unsafe struct SignalAction
    {
        public ulong Handler;     // 0 = SIG_DFL, 1 = SIG_IGN, else the handler's address
        public ulong Flags;       // SA_SIGINFO, SA_RESTORER, SA_NODEFER, SA_RESETHAND, ...
        public ulong Restorer;
        public ulong Mask;
    }

    public unsafe struct FileDescriptor
    {
        public FileKind Kind;
        public bool CloseOnExec;
        public bool NonBlocking;
        public Pipe* Pipe;
    }

    public unsafe struct LinuxState
    {
        public const int Signals = 64, Files = 64;

        private fixed byte _actions[Signals * 32];
        private fixed byte _files[Files * 16];
        public fixed ulong EnosysLogged[8];      // one bit per system call number below 512
        public ulong BreakStart, BreakEnd;       // the program break (brk)

        public SignalAction* Action(int signal)
        {
            fixed (byte* b = _actions) return (SignalAction*)b + (signal - 1);
        }

        public FileDescriptor* File(int fd)
        {
            fixed (byte* b = _files) return (FileDescriptor*)b + fd;
        }

        public void Initialize()
        {
            fixed (byte* a = _actions) for (int i = 0; i < Signals * 32; i++) a[i] = 0;
            fixed (byte* f = _files) for (int i = 0; i < Files * 16; i++) f[i] = 0;
            for (int i = 0; i < 8; i++) EnosysLogged[i] = 0;
            for (int fd = 0; fd < 3; fd++) File(fd)->Kind = FileKind.Console;
        }

        // What a forked child inherits (fork(2)): signal dispositions and the program break. The fd
        // table stays the fresh one (console 0-2): an application's files are posix's, and the
        // kernel's pipes are for servers, which are not forked.
        public void InheritFrom(LinuxState* parent)
        {
            fixed (byte* mine = _actions) Internal.Runtime.Memory.Move(mine, parent->_actions, Signals * 32);
            BreakStart = parent->BreakStart;
            BreakEnd = parent->BreakEnd;
        }

        // Returns true the first time it is asked about `number` (so each is logged once).
        public bool FirstTimeUnimplemented(ulong number)
        {
            if (number >= 512) return false;
            ulong bit = 1UL << (int)(number % 64);
            if ((EnosysLogged[number / 64] & bit) != 0) return false;
            EnosysLogged[number / 64] |= bit;
            return true;
        }
    }
}
