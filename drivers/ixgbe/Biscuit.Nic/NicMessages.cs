// The error replies of NicService, each with a message that names what was wrong. One place, so
// that every message's allocation is one annotated string (MAXLIVE: < 200 bytes each).
using Biscuit.Annotations;

namespace Biscuit.Nic;

public static class NicMessages
{
    public const string NotAttached = "not attached: send Attach first (the driver may have restarted)";
    public const string StaleSession = "session of an earlier Attach: attach again";
    public const string SecondClient = "another client is attached and holds its session: one client at a time";

    [AssumeAllocation(256)]
    public static string UnknownSlot(string ring, int slot, int slots) => $"{ring} slot {slot} is not one of the {slots} {ring} slots";

    [AssumeAllocation(256)]
    public static string NotHeld(string ring, int slot) => $"{ring} slot {slot} is not the client's now (it is with the device or the driver)";

    [AssumeAllocation(256)]
    public static string Twice(string ring, int slot) => $"{ring} slot {slot} is named twice";

    [AssumeAllocation(256)]
    public static string BadLength(int slot, int length, int min, int max) => $"TX slot {slot}: a frame of {length} bytes; a frame has {min} to {max}";

    [AssumeAllocation(256)]
    public static string BadWindow(long address) => $"window address 0x{address:x} is not a non-zero page-aligned address";

    [AssumeAllocation(256)]
    public static string GrantFailed(int errno) => $"grant_create of the window failed: errno {errno}";

    public const string NoNotification = "Attach carries one handle: the notification to signal when frames wait";
}
