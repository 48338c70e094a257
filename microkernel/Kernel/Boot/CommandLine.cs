// The kernel command line (QEMU -append), parsed once at boot. The loader puts the kernel's file
// name first; the options follow, separated by spaces:
//   exit=ready     end QEMU with success (isa-debug-exit) right after "biscuit: ready" (tests)
//   init=NAME      start the boot module NAME as the first process, with the DeviceManager capability
//   exit=init      end QEMU when the first process ends: success if it exited with status 0
//   fault=KIND     after boot, deliberately raise a CPU exception (tests of the fault reports):
//                  null, gp, ud, divide, stack
// An unknown option is kept (up to MaxUnknown) so boot can print a warning naming it; boot goes on.
// Pure parsing over bytes: compiled into the kernel and into the host unit tests.
namespace Biscuit.Kernel.Boot
{
    public enum DeliberateFault { None, NullDereference, GeneralProtection, InvalidOpcode, DivideError, StackOverflow }

    public unsafe struct CommandLine
    {
        public const int MaxUnknown = 8;

        public bool ExitAfterReady;
        public bool ExitWhenInitExits;
        public int InitStart, InitLength;   // the init=NAME value, as a range of the command line
        public DeliberateFault Fault;
        public int UnknownCount;
        private fixed int _unknownStart[MaxUnknown];
        private fixed int _unknownLength[MaxUnknown];

        public int UnknownStart(int i) => _unknownStart[i];
        public int UnknownLength(int i) => _unknownLength[i];

        public static CommandLine Parse(byte* text, int length)
        {
            CommandLine result = default;
            int i = 0;
            bool first = true;
            while (i < length)
            {
                while (i < length && text[i] == ' ') i++;
                int start = i;
                while (i < length && text[i] != ' ') i++;
                if (i == start) break;
                if (first) { first = false; continue; }   // the kernel's file name
                result.Apply(text + start, i - start, start);
            }
            return result;
        }

        private void Apply(byte* option, int length, int offset)
        {
            if (Equals(option, length, "exit=ready")) { ExitAfterReady = true; return; }
            if (Equals(option, length, "exit=init")) { ExitWhenInitExits = true; return; }
            if (length > 5 && Equals(option, 5, "init="))
            {
                InitStart = offset + 5;
                InitLength = length - 5;
                return;
            }
            if (Equals(option, length, "fault=null")) { Fault = DeliberateFault.NullDereference; return; }
            if (Equals(option, length, "fault=gp")) { Fault = DeliberateFault.GeneralProtection; return; }
            if (Equals(option, length, "fault=ud")) { Fault = DeliberateFault.InvalidOpcode; return; }
            if (Equals(option, length, "fault=divide")) { Fault = DeliberateFault.DivideError; return; }
            if (Equals(option, length, "fault=stack")) { Fault = DeliberateFault.StackOverflow; return; }
            if (UnknownCount < MaxUnknown)
            {
                _unknownStart[UnknownCount] = offset;
                _unknownLength[UnknownCount] = length;
                UnknownCount++;
            }
        }

        private static bool Equals(byte* text, int length, string expected)
        {
            if (length != expected.Length) return false;
            for (int i = 0; i < length; i++)
                if (text[i] != expected[i]) return false;
            return true;
        }
    }
}
