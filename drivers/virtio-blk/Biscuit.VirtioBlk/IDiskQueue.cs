// What BlockService needs from a disk: its geometry, a window of DMA slots, and synchronous
// transfers that several threads may have in flight at once (each call blocks only its caller),
// into a slot or straight into pages a client lent (ReadInto).
// VirtioDisk is the real one; tests use a memory-backed fake.
//
// Invariants a queue keeps: Transfer and Flush are safe to call from many threads at once; the
// arguments have been validated by BlockService (slot in range, count within a slot, sectors on the
// disk), so a queue only reports device errors (a non-zero status: EIO).
using Biscuit.Block.Protocol;

namespace Biscuit.VirtioBlk;

public interface IDiskQueue
{
    long Sectors { get; }
    bool CanFlush { get; }
    int QueueSize { get; }

    /// <summary>Requests the device can hold at once (descriptor chains).</summary>
    int MaxInFlight { get; }

    int Slots { get; }
    int SlotBytes { get; }
    long Interrupts { get; }

    /// <summary>Moves `sectors` 512-byte sectors between the disk at `sector` and slot `slot`.</summary>
    BlockStatus Transfer(bool write, int slot, long sector, int sectors);

    /// <summary>Reads `sectors` sectors from `sector` into the pinned pages, at byte `offset` of them
    /// (validated: 512-aligned, inside the pinned pages, at most DirectWindow.MaxTransferBytes).</summary>
    BlockStatus ReadInto(IDirectPin pages, long offset, long sector, int sectors);

    /// <summary>Makes completed writes durable (VIRTIO_BLK_T_FLUSH); nothing to do without a write cache.</summary>
    BlockStatus Flush();
}

/// <summary>The slots' pages given to a client: a grant to the process whose call is being served.</summary>
public interface IWindowGrant
{
    /// <summary>Revokes the current grant (if any) and grants the slots at `targetAddress` in the
    /// caller being served. Returns 0 or a Linux errno.</summary>
    int GrantToCaller(long targetAddress);
}
