// The 8254 programmable interval timer, channel 0, in rate-generator mode, on IRQ 0: the
// kernel's periodic tick. Input clock 1.193182 MHz (8254 datasheet; OSDev "PIT").
namespace Biscuit.Kernel.Arch.X64
{
    internal static class Pit
    {
        public const int Irq = 0;
        public const uint InputHz = 1_193_182;
        private const ushort Channel0 = 0x40, ModeCommand = 0x43;

        public static void Start(uint hz)
        {
            uint divisor = InputHz / hz;
            Cpu.OutByte(ModeCommand, 0x34);             // channel 0, lobyte/hibyte, mode 2, binary
            Cpu.OutByte(Channel0, (byte)divisor);
            Cpu.OutByte(Channel0, (byte)(divisor >> 8));
        }
    }
}
