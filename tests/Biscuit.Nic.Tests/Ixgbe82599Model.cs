// A register-file model of the 82599 for host tests: it plays the device's part behind
// IRegisterFile as the datasheet describes it, so that Ixgbe82599Hardware and the ring core run as
// they would on the device. A write of CTRL.RST resets it (registers cleared, RAL(0)/RAH(0) loaded
// from its "EEPROM", EEC.ARD and RDRXCTL.DMAIDONE set, RST self-clearing); EICR is read-to-clear and
// write-1-to-clear; LINKS reports the link it is told. It finds the rings where the driver's
// RDBAL/RDBAH/RDLEN and TDBAL/TDBAH/TDLEN say (addresses are host pointers here): Deliver puts a
// frame in the buffer of the next RX descriptor the driver gave (RDH .. RDT) and writes back the
// advanced write-back format (§7.1.6.2: DD, EOP, errors, length); a TDT write sends every descriptor
// up to it (§7.2.3.2.4) and writes DD back. Each cause is raised on the EICR bit IVAR maps it to.
// What the real device would refuse (a queue not enabled, a non-advanced descriptor type, a frame
// bigger than SRRCTL's buffer, a PAYLEN that is not the frame's length) is recorded in Complaints.
using Biscuit.Nic;
using static Biscuit.Nic.Ixgbe82599Registers;

namespace Biscuit.Nic.Tests;

public sealed unsafe class Ixgbe82599Model : IRegisterFile
{
    public const uint RxErrorRxe = 1u << 29;                 // extended error RXE (§7.1.6.2)
    private readonly Dictionary<int, uint> registers = new();   // guarded by `this`
    private uint cause;                                         // EICR, guarded by `this`
    private int rxHead, txHead;                                 // guarded by `this`
    public ulong EepromMac { get; init; } = 0x0000_5634_1200_1B00;   // 00:1b:00:12:34:56
    public bool Link { get; set; } = true;
    public bool StuckInReset { get; init; }
    public List<byte[]> Sent { get; } = [];
    public List<string> Complaints { get; } = [];
    public List<(int Offset, uint Value)> Writes { get; } = [];

    public uint Peek(int offset) { lock (this) return registers.GetValueOrDefault(offset); }
    public uint PendingCause { get { lock (this) return cause; } }

    public uint Read(int offset)
    {
        lock (this)
        {
            switch (offset)
            {
                case Eicr: { uint c = cause; cause = 0; return c; }
                case Links: return Link ? LinksUp : 0;
                default: return registers.GetValueOrDefault(offset);
            }
        }
    }

    public void Write(int offset, uint value)
    {
        lock (this)
        {
            Writes.Add((offset, value));
            switch (offset)
            {
                case Ctrl when (value & CtrlReset) != 0:
                    Reset();
                    registers[Ctrl] = StuckInReset ? value : value & ~(CtrlReset | CtrlLinkReset);
                    break;
                case Eicr: cause &= ~value; break;
                case Eims: registers[Eims] = registers.GetValueOrDefault(Eims) | value; break;
                case Eimc: registers[Eims] = registers.GetValueOrDefault(Eims) & ~value; break;
                case Rdh0: registers[offset] = value; rxHead = (int)value; break;
                case Tdh0: registers[offset] = value; txHead = (int)value; break;
                case Tdt0: registers[offset] = value; SendUpTo((int)value); break;
                default: registers[offset] = value; break;
            }
        }
    }

    private void Reset()
    {
        registers.Clear();
        cause = 0;
        rxHead = txHead = 0;
        registers[Ral0] = (uint)EepromMac;
        registers[Rah0] = (uint)(EepromMac >> 32) | RahValid;
        registers[Eec] = EecAutoReadDone;
        registers[Rdrxctl] = RdrxctlDmaInitDone;
    }

    private bool On(int offset, uint bit) => (registers.GetValueOrDefault(offset) & bit) != 0;
    private byte* Ring(int low, int high) => (byte*)(registers.GetValueOrDefault(low) | (ulong)registers.GetValueOrDefault(high) << 32);

    /// <summary>A frame from the wire; false (and nothing written) when the driver gave the device
    /// no descriptor or receive is not enabled.</summary>
    public bool Deliver(byte[] frame, uint errors = 0)
    {
        lock (this)
        {
            if (!On(Rxctrl, RxctrlEnable) || !On(Rxdctl0, RxdctlEnable)) return false;
            int count = (int)registers.GetValueOrDefault(Rdlen0) / 16;
            if (count == 0 || rxHead == (int)registers.GetValueOrDefault(Rdt0)) return false;
            uint srrctl = registers.GetValueOrDefault(Srrctl0);
            if ((srrctl & (0x7u << 25)) != SrrctlAdvancedOneBuffer) { Complaints.Add($"SRRCTL 0x{srrctl:x}: not advanced one-buffer descriptors"); return false; }
            int bufferBytes = (int)(srrctl & SrrctlPacketSizeKiB) * 1024;
            if (frame.Length > bufferBytes) { Complaints.Add($"a {frame.Length}-byte frame in {bufferBytes}-byte buffers"); return false; }
            byte* d = Ring(Rdbal0, Rdbah0) + rxHead * 16;
            if (*(ulong*)(d + 8) != 0) Complaints.Add($"RX descriptor {rxHead}: a header buffer address with one-buffer descriptors");
            frame.CopyTo(new Span<byte>((byte*)*(ulong*)d, frame.Length));
            *(uint*)d = 0;                                                  // packet type, RSS type
            *(uint*)(d + 4) = 0;                                            // RSS hash
            *(uint*)(d + 12) = (uint)frame.Length;                          // PKT_LEN, no VLAN
            Volatile.Write(ref *(uint*)(d + 8), AdvancedDescriptors.RxDone | AdvancedDescriptors.RxEndOfPacket | errors);
            rxHead = (rxHead + 1) % count;
            registers[Rdh0] = (uint)rxHead;
            Raise(registers.GetValueOrDefault(Ivar0) & 0xFF);
            return true;
        }
    }

    private void SendUpTo(int tail)
    {
        if (tail == txHead) return;                               // nothing queued (the bring-up's TDT = 0)
        if (!On(Dmatxctl, DmatxctlEnable) || !On(Txdctl0, TxdctlEnable)) { Complaints.Add("frames queued while transmit is not enabled"); return; }
        int count = (int)registers.GetValueOrDefault(Tdlen0) / 16;
        while (count > 0 && txHead != tail)
        {
            byte* d = Ring(Tdbal0, Tdbah0) + txHead * 16;
            uint command = *(uint*)(d + 8), olinfo = *(uint*)(d + 12);
            int length = (int)(command & 0xFFFF);
            const uint need = AdvancedDescriptors.TxExtended | AdvancedDescriptors.TxTypeData | AdvancedDescriptors.TxEndOfPacket | AdvancedDescriptors.TxInsertCrc;
            if ((command & need) != need || (command & (0xFu << 20)) != AdvancedDescriptors.TxTypeData)
                Complaints.Add($"TX descriptor {txHead}: command 0x{command:x} is not an advanced data descriptor with EOP and IFCS");
            else if (olinfo >> AdvancedDescriptors.TxPayloadShift != length)
                Complaints.Add($"TX descriptor {txHead}: PAYLEN {olinfo >> AdvancedDescriptors.TxPayloadShift} for a {length}-byte frame");
            else
                Sent.Add(new ReadOnlySpan<byte>((byte*)*(ulong*)d, length).ToArray());
            if ((command & AdvancedDescriptors.TxReportStatus) != 0) Volatile.Write(ref *(uint*)(d + 12), AdvancedDescriptors.TxDone);
            txHead = (txHead + 1) % count;
            registers[Tdh0] = (uint)txHead;
        }
        Raise((registers.GetValueOrDefault(Ivar0) >> 8) & 0xFF);
    }

    // An IVAR entry: bit 7 valid, bits 5:0 the EICR bit to raise.
    private void Raise(uint ivarEntry)
    {
        if ((ivarEntry & IvarValid) != 0) cause |= 1u << (int)(ivarEntry & 0x3F);
    }

    /// <summary>The link goes down or up: LINKS follows and the link-change cause is raised.</summary>
    public void SetLink(bool up)
    {
        lock (this)
        {
            Link = up;
            cause |= CauseLinkChange;
        }
    }
}
