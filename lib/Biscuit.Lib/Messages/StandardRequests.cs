// The requests every server built on lib/ answers, with ids below RequestTypeInfo.FirstServerId.
using Biscuit.Lib.Telemetry;

namespace Biscuit.Lib.Messages;

public static class StandardRequests
{
    /// <summary>Stats: GC and request figures of the server (Telemetry/StatsReport.cs). Idempotent.</summary>
    public static readonly RequestType<Empty, StatsReport> Stats =
        new(1, "Stats", idempotent: true, Codecs.Empty, StatsReportCodec.Instance, standard: true);
}
