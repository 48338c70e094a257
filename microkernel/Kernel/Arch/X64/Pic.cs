// The legacy 8259A programmable interrupt controllers (master at 0x20, slave at 0xA0), remapped so
// IRQ 0-15 arrive on vectors 32-47 instead of colliding with CPU exceptions 8-15. All lines start
// masked; Unmask opens one. (Intel 8259A datasheet: ICW1-ICW4, OCW1 mask, OCW2 EOI, OCW3 ISR read.)
namespace Biscuit.Kernel.Arch.X64
{
    internal static class Pic
    {
        private const ushort MasterCommand = 0x20, MasterData = 0x21, SlaveCommand = 0xA0, SlaveData = 0xA1;
        public const int SpuriousMasterIrq = 7;

        // Current masks (bit set = line masked). Owned by the boot CPU with interrupts off.
        private static byte s_masterMask = 0xFF, s_slaveMask = 0xFF;

        public static void Initialize(int vectorBase)
        {
            Cpu.OutByte(MasterCommand, 0x11);           // ICW1: init, ICW4 follows, cascade
            Cpu.OutByte(SlaveCommand, 0x11);
            Cpu.OutByte(MasterData, (byte)vectorBase);  // ICW2: vector offset
            Cpu.OutByte(SlaveData, (byte)(vectorBase + 8));
            Cpu.OutByte(MasterData, 0x04);              // ICW3: slave on IRQ2
            Cpu.OutByte(SlaveData, 0x02);               // ICW3: slave identity
            Cpu.OutByte(MasterData, 0x01);              // ICW4: 8086 mode
            Cpu.OutByte(SlaveData, 0x01);
            s_masterMask = 0xFB;                        // everything masked but the cascade line
            s_slaveMask = 0xFF;
            Cpu.OutByte(MasterData, s_masterMask);
            Cpu.OutByte(SlaveData, s_slaveMask);
        }

        public static void Unmask(int irq)
        {
            if (irq < 8) { s_masterMask &= (byte)~(1 << irq); Cpu.OutByte(MasterData, s_masterMask); }
            else { s_slaveMask &= (byte)~(1 << (irq - 8)); Cpu.OutByte(SlaveData, s_slaveMask); }
        }

        public static void Mask(int irq)
        {
            if (irq < 8) { s_masterMask |= (byte)(1 << irq); Cpu.OutByte(MasterData, s_masterMask); }
            else { s_slaveMask |= (byte)(1 << (irq - 8)); Cpu.OutByte(SlaveData, s_slaveMask); }
        }

        public static bool IsInService(int irq)
        {
            ushort port = irq < 8 ? MasterCommand : SlaveCommand;
            Cpu.OutByte(port, 0x0B);                    // OCW3: read the in-service register
            return (Cpu.InByte(port) & (1 << (irq & 7))) != 0;
        }

        public static void EndOfInterrupt(int irq)
        {
            if (irq >= 8) Cpu.OutByte(SlaveCommand, 0x20);
            Cpu.OutByte(MasterCommand, 0x20);
        }
    }
}
