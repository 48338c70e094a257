// The requests every server built on lib/ answers, with ids below RequestTypeInfo.FirstServerId.
using Biscuit.Lib.Telemetry;

namespace Biscuit.Lib.Messages;

public static class StandardRequests
{
    /// <summary>Stats: GC and request figures of the server (Telemetry/StatsReport.cs). Idempotent.</summary>
    public static readonly RequestType<Empty, StatsReport> Stats =
        new(1, "Stats", idempotent: true, Codecs.Empty, StatsReportCodec.Instance, standard: true);

    /// <summary>Shrink: run the server's shrink callbacks (drop what it can rebuild: clean cached
    /// blocks), then a full compacting GC that gives free memory back to the kernel; the reply says
    /// what that gave back (ShrinkReport). mm asks it before it kills an application (issue 8 item 5).
    /// Idempotent: shrinking twice leaves the server as shrinking once does.</summary>
    public static readonly RequestType<Empty, ShrinkReport> Shrink =
        new(2, "Shrink", idempotent: true, Codecs.Empty, ShrinkReportCodec.Instance, standard: true);

    /// <summary>Incarnation: init tells a restarted server its own history (Telemetry/Incarnation.cs),
    /// which Stats then reports. Idempotent: the same history told twice is the same state.</summary>
    public static readonly RequestType<Incarnation, Empty> Incarnation =
        new(3, "Incarnation", idempotent: true, IncarnationCodec.Instance, Codecs.Empty, standard: true);
}
