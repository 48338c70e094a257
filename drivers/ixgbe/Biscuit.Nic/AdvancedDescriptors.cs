// The 82599's advanced 16-byte descriptors (Intel 82599 10 GbE Controller Datasheet §7.1.6 receive,
// §7.2.3.2.4 transmit data descriptor), one buffer per frame (SRRCTL.DESCTYPE = advanced one buffer).
// Receive, read format: bytes 0-7 packet buffer address, 8-15 header buffer address (0: no header
// split; its bit 0 is where DD appears). Write-back format: dword 2 (bytes 8-11) extended status
// (DD bit 0, EOP bit 1) and extended errors (bits 31:20), dword 3 (bytes 12-15) packet length
// (15:0) and VLAN tag. Transmit, read format: bytes 0-7 buffer address; dword 2 DTALEN (15:0),
// DTYP = 0011 data (23:20), DCMD (31:24: EOP, IFCS, RS, DEXT); dword 3 PAYLEN (31:14), the whole
// frame here (no offload). Write-back: DD in STA, bit 0 of dword 3.
namespace Biscuit.Nic;

public static unsafe class AdvancedDescriptors
{
    public const uint RxDone = 1u << 0, RxEndOfPacket = 1u << 1, RxErrors = 0xFFFu << 20;
    public const uint TxTypeData = 0x3u << 20, TxEndOfPacket = 1u << 24, TxInsertCrc = 1u << 25, TxReportStatus = 1u << 27,
        TxExtended = 1u << 29, TxDone = 1u << 0;
    public const int TxPayloadShift = 14;

    public static void GiveRx(byte* descriptor, ulong bufferAddress)
    {
        *(ulong*)descriptor = bufferAddress;
        *(ulong*)(descriptor + 8) = 0;                          // no header buffer; DD clear
    }

    public static RxOutcome ReadRx(byte* descriptor, out int length)
    {
        uint status = Volatile.Read(ref *(uint*)(descriptor + 8));
        length = *(ushort*)(descriptor + 12);
        if ((status & RxDone) == 0) return RxOutcome.Pending;
        return (status & RxEndOfPacket) != 0 && (status & RxErrors) == 0 ? RxOutcome.Good : RxOutcome.Bad;
    }

    public static void PutTx(byte* descriptor, ulong bufferAddress, int length)
    {
        *(ulong*)descriptor = bufferAddress;
        *(uint*)(descriptor + 8) = (uint)length | TxTypeData | TxEndOfPacket | TxInsertCrc | TxReportStatus | TxExtended;
        Volatile.Write(ref *(uint*)(descriptor + 12), (uint)length << TxPayloadShift);   // DD (bit 0) clear
    }

    public static bool TxFinished(byte* descriptor) => (Volatile.Read(ref *(uint*)(descriptor + 12)) & TxDone) != 0;
}
