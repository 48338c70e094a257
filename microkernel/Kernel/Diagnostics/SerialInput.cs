// The receive side of the console UART (COM1, a 16550 at I/O port 0x3F8; SerialPort.cs is the
// polled transmit side). Following the 16550D datasheet (National Semiconductor, "PC16550D UART
// with FIFOs"; also OSDev "Serial Ports"):
//   - IER bit 0 ("enable received data available interrupt") raises the UART's interrupt when the
//     receive FIFO reaches its trigger level or holds a byte for 4 character times (timeout);
//   - MCR bit 3 (OUT2) gates the UART's interrupt onto the ISA line on PC hardware: IRQ 4 for COM1;
//   - LSR bit 0 (data ready) says the receiver buffer (RBR) holds a byte; reading RBR takes it;
//     LSR bit 1 (overrun error) says a byte arrived with the FIFO full and was lost.
// Draining reads RBR until LSR says it is empty, which also clears the interrupt condition, so the
// edge-triggered ISA line rises again for the next byte. Nothing here blocks or allocates.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Devices;

namespace Biscuit.Kernel.Diagnostics
{
    internal static unsafe class SerialInput
    {
        public const int Irq = 4;
        private const ushort Com1 = 0x3F8;
        private const ushort ReceiverBuffer = Com1 + 0, InterruptEnable = Com1 + 1, ModemControl = Com1 + 4, LineStatus = Com1 + 5;
        private const byte DataReady = 0x01, OverrunError = 0x02;
        private const byte ReceivedDataInterrupt = 0x01;
        private const byte DtrRtsOut2 = 0x0B;      // DTR | RTS | OUT2
        private const int MostPerDrain = 4096;     // bounds the loop should the UART never report empty

        /// <summary>Turns on the receive-data interrupt (the caller unmasks IRQ 4 at the PIC).</summary>
        public static void EnableReceiveInterrupt()
        {
            Cpu.OutByte(ModemControl, DtrRtsOut2);
            Cpu.OutByte(InterruptEnable, ReceivedDataInterrupt);
        }

        /// <summary>Moves every byte the UART holds into `ring`; returns how many it read.</summary>
        public static int Drain(ConsoleRing* ring)
        {
            int read = 0;
            while (read < MostPerDrain)
            {
                byte status = Cpu.InByte(LineStatus);
                if ((status & OverrunError) != 0) ring->Dropped++;
                if ((status & DataReady) == 0) break;
                ring->Put(Cpu.InByte(ReceiverBuffer));
                read++;
            }
            return read;
        }
    }
}
