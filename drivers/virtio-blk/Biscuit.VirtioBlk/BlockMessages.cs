// The error replies of BlockService, each with a message that names what was wrong. One place, so
// that every message's allocation is one annotated string (MAXLIVE: < 200 bytes each).
using Biscuit.Annotations;
using Biscuit.Block.Protocol;

namespace Biscuit.VirtioBlk;

public static class BlockMessages
{
    public static readonly BlockStatus NotConnected = new(BlockErrno.NotConnected, "not connected: send Connect first (the driver may have restarted)");

    [AssumeAllocation(256)]
    public static BlockStatus BadSlot(int slot, int slots) => new(BlockErrno.Invalid, $"slot {slot} is not one of the {slots} slots");

    [AssumeAllocation(256)]
    public static BlockStatus BadCount(int sectors, int most) => new(BlockErrno.Invalid, $"{sectors} sectors: a request moves 1 to {most}");

    [AssumeAllocation(256)]
    public static BlockStatus BeyondDisk(long sector, int sectors, long disk) =>
        new(BlockErrno.BeyondDevice, $"sectors {sector}..{sector + sectors - 1} leave the disk of {disk} sectors");

    [AssumeAllocation(256)]
    public static string BadWindow(long address) => $"window address 0x{address:x} is not a non-zero page-aligned address";

    [AssumeAllocation(256)]
    public static string GrantFailed(int errno) => $"grant_create of the window failed: errno {errno}";

    public static readonly BlockStatus NoDirect = new(BlockErrno.Invalid, "this driver reads into slots only (no pin support)");

    public static readonly BlockStatus NotPinned = new(BlockErrno.NotConnected, "no pages pinned: lend pages and send PinDirect first (the driver may have restarted)");

    [AssumeAllocation(256)]
    public static BlockStatus BadPinCount(int pages, int most) => new(BlockErrno.Invalid, $"{pages} pages: a pin holds 1 to {most}");

    [AssumeAllocation(256)]
    public static BlockStatus PinFailed(int errno) => new(errno, $"dma_pin of the lent pages failed: errno {errno} (are they granted writable at the agreed address?)");

    [AssumeAllocation(256)]
    public static BlockStatus MisalignedOffset(long offset) => new(BlockErrno.Invalid, $"offset {offset} is not a multiple of 512");

    [AssumeAllocation(256)]
    public static BlockStatus OutsidePinned(long offset, long bytes, int pages) =>
        new(BlockErrno.Invalid, $"bytes {offset}..{offset + bytes - 1} leave the {pages} pinned pages");
}
