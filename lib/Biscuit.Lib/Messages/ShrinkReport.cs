// The reply to the standard Shrink request (StandardRequests.Shrink): what a server gave back when
// asked to shrink (issue 8 item 5, the first steps of Biscuit's out-of-memory policy): the bytes its
// registered shrink callbacks dropped (fs: clean cached blocks), and its GC heap before and after the
// full compacting collection that followed. Encoded as a MessagePack array of 7 non-negative integers;
// reading refuses short arrays and negative figures, and skips fields a newer writer appended.
using MessagePack;

namespace Biscuit.Lib.Messages;

public sealed record ShrinkReport(
    long CacheBytesDropped,     // the sum of what the callbacks said they dropped
    int Callbacks,              // how many callbacks ran
    int CallbacksFailed,        // of those, how many threw or returned a negative count (logged)
    long HeapBytesBefore,       // GC.GetTotalMemory before the callbacks (garbage included)
    long HeapBytesAfter,        // GC.GetTotalMemory after the collection
    long CommittedBytesBefore,  // memory the GC had committed as of its previous collection (0 if none yet:
                                // the runtime reports committed memory only at collections)
    long CommittedBytesAfter)   // memory the GC has committed after this collection
{
    /// <summary>The bytes the heap shrank by (0 if it grew meanwhile: other requests allocate too).</summary>
    public long HeapShrankBytes => Math.Max(0, HeapBytesBefore - HeapBytesAfter);

    /// <summary>The committed memory the GC gave back to the kernel (0 if it committed more).</summary>
    public long CommittedShrankBytes => Math.Max(0, CommittedBytesBefore - CommittedBytesAfter);
}

public sealed class ShrinkReportCodec : IMessageCodec<ShrinkReport>
{
    public static readonly ShrinkReportCodec Instance = new();
    private const int Fields = 7;

    public void Write(ref MessagePackWriter w, ShrinkReport r)
    {
        w.WriteArrayHeader(Fields);
        w.Write(r.CacheBytesDropped); w.Write(r.Callbacks); w.Write(r.CallbacksFailed);
        w.Write(r.HeapBytesBefore); w.Write(r.HeapBytesAfter); w.Write(r.CommittedBytesBefore); w.Write(r.CommittedBytesAfter);
    }

    public ShrinkReport Read(ref MessagePackReader r)
    {
        int count = Codecs.ReadArrayAtLeast(ref r, Fields, "ShrinkReport");
        var report = new ShrinkReport(Count(ref r, "cache bytes dropped"), checked((int)Count(ref r, "callbacks")),
            checked((int)Count(ref r, "callbacks failed")), Count(ref r, "heap before"), Count(ref r, "heap after"),
            Count(ref r, "committed before"), Count(ref r, "committed after"));
        Codecs.SkipExtraFields(ref r, count, Fields);
        return report;
    }

    private static long Count(ref MessagePackReader r, string what)
    {
        long v = r.ReadInt64();
        if (v < 0) throw new MalformedMessageException($"ShrinkReport: {what} is negative ({v})");
        return v;
    }
}
