// The console: COM1, a 16550-compatible UART at I/O port 0x3F8, 115200 baud, 8N1, polled.
// Polling is deliberate: the console must work in every state (faults, panics, before the IDT).
// Invariant: Write never blocks forever — if the transmitter never empties (no UART), bytes drop.
namespace Biscuit.Kernel.Arch.X64
{
    internal static class SerialPort
    {
        private const ushort Com1 = 0x3F8;
        private const ushort Data = Com1 + 0, InterruptEnable = Com1 + 1, FifoControl = Com1 + 2;
        private const ushort LineControl = Com1 + 3, ModemControl = Com1 + 4, LineStatus = Com1 + 5;
        private const byte TransmitterEmpty = 0x20;

        public static void Initialize()
        {
            Cpu.OutByte(InterruptEnable, 0x00);
            Cpu.OutByte(LineControl, 0x80);      // DLAB on: divisor latch
            Cpu.OutByte(Data, 0x01);             // divisor 1 = 115200 baud
            Cpu.OutByte(InterruptEnable, 0x00);
            Cpu.OutByte(LineControl, 0x03);      // 8 bits, no parity, one stop bit; DLAB off
            Cpu.OutByte(FifoControl, 0xC7);      // enable and clear FIFOs, 14-byte threshold
            Cpu.OutByte(ModemControl, 0x03);     // DTR, RTS
        }

        public static void WriteByte(byte value)
        {
            for (int spins = 0; spins < 100000; spins++)
                if ((Cpu.InByte(LineStatus) & TransmitterEmpty) != 0)
                    break;
            Cpu.OutByte(Data, value);
        }
    }
}
