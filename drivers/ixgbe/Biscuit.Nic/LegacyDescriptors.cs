// The legacy 16-byte descriptors of the e1000 (82540EM, 8254x manual §3.2.3 receive, §3.3.3
// transmit) and the e1000e (82574L datasheet §7.1.4, §7.2.10.1), as SlotRings writes and reads them.
// Receive: bytes 0-7 buffer address; the device writes back length (8-9), status (12: DD bit 0, EOP
// bit 1) and errors (13). Transmit: bytes 0-7 buffer address, length (8-9), CMD (11: EOP, IFCS, RS);
// the device sets DD (bit 0 of byte 12, STA) when RS was set and the frame has gone.
namespace Biscuit.Nic;

public static unsafe class LegacyDescriptors
{
    public const byte RxDone = 1 << 0, RxEndOfPacket = 1 << 1;
    public const byte TxEndOfPacket = 1 << 0, TxInsertCrc = 1 << 1, TxReportStatus = 1 << 3, TxDone = 1 << 0;

    /// <summary>Gives the device a receive buffer: address, and a cleared write-back half (DD = 0).</summary>
    public static void GiveRx(byte* descriptor, ulong bufferAddress)
    {
        *(ulong*)descriptor = bufferAddress;
        *(ulong*)(descriptor + 8) = 0;
    }

    /// <summary>Pending while DD is clear; else Good with the frame's length (one descriptor, EOP,
    /// no error) or Bad.</summary>
    public static RxOutcome ReadRx(byte* descriptor, out int length)
    {
        byte status = Volatile.Read(ref descriptor[12]);
        length = *(ushort*)(descriptor + 8);
        if ((status & RxDone) == 0) return RxOutcome.Pending;
        return (status & RxEndOfPacket) != 0 && descriptor[13] == 0 ? RxOutcome.Good : RxOutcome.Bad;
    }

    public static void PutTx(byte* descriptor, ulong bufferAddress, int length)
    {
        *(ulong*)descriptor = bufferAddress;
        *(ushort*)(descriptor + 8) = (ushort)length;
        descriptor[10] = 0;                                     // CSO
        descriptor[11] = TxEndOfPacket | TxInsertCrc | TxReportStatus;
        Volatile.Write(ref descriptor[12], 0);                  // STA: DD clear until the device sends it
    }

    public static bool TxFinished(byte* descriptor) => (Volatile.Read(ref descriptor[12]) & TxDone) != 0;
}

/// <summary>What a receive descriptor says: not finished yet, a good frame, or one to drop.</summary>
public enum RxOutcome { Pending, Good, Bad }

/// <summary>Which descriptor layout a ring uses: the e1000/e1000e legacy one or the 82599's advanced one.</summary>
public enum DescriptorFormat { Legacy, Advanced }
