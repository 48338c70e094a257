// Wire form of StatsReport: a MessagePack array of 28 fields in the order below (integers as
// MessagePack ints, TimeInGcFraction as float64, the histogram as two int arrays), then optional
// groups that later versions appended: 3 allocation fields (31), then 5 request-pause fields (36),
// then the 6 fields of the restart history (42, Incarnation.cs's order and checks).
// Fields are only ever appended, never renumbered. A reader accepts a longer array from a newer
// writer and skips the extra fields, and reads the optional groups that are present; a shorter
// array than 28, a histogram whose counts are not bounds + 1 (the request-pause histogram may also
// be empty), more than MaxBins bins, or a negative figure is malformed.
using MessagePack;
using Biscuit.Lib.Messages;

namespace Biscuit.Lib.Telemetry;

public sealed class StatsReportCodec : IMessageCodec<StatsReport>
{
    public static readonly StatsReportCodec Instance = new();
    // 28 fields since version 1; the next 3 (observed allocation per request type, issue 10's
    // soundness check) and the 5 after them (GC pause inside requests, issue 11) are optional so that
    // older readers skip them and newer readers accept 28 or 31.
    public const int Fields = 28, FieldsWithAllocations = 31, FieldsWithRequestPauses = 36, FieldsWithHistory = 42, MaxBins = 64, MaxRequestTypes = 64;

    public void Write(ref MessagePackWriter w, StatsReport r)
    {
        w.WriteArrayHeader(FieldsWithHistory);
        w.Write(r.Server);
        w.Write(r.UptimeMs);
        w.Write(r.Gen0Collections);
        w.Write(r.Gen1Collections);
        w.Write(r.Gen2Collections);
        w.Write(r.TotalPauseNs);
        w.Write(r.MaxPauseNs);
        WriteArray(ref w, r.HistogramUpperBoundsNs);
        WriteArray(ref w, r.HistogramCounts);
        w.Write(r.SampledGcs);
        w.Write(r.UnsampledGcs);
        w.Write(r.HeapSizeBytes);
        w.Write(r.HeapLimitBytes);
        w.Write(r.LiveBytesAfterLastGc);
        w.Write(r.CommittedBytes);
        w.Write(r.TotalAllocatedBytes);
        w.Write(r.TimeInGcFraction);
        w.Write(r.RequestsReceived);
        w.Write(r.RequestsOk);
        w.Write(r.RequestsMalformed);
        w.Write(r.RequestsUnknown);
        w.Write(r.HandlerFailures);
        w.Write(r.RepliesTooLarge);
        w.Write(r.Admitted);
        w.Write(r.Queued);
        w.Write(r.Refused);
        w.Write(r.ReservedBytes);
        w.Write(r.AdmissionCollections);
        w.WriteArrayHeader(r.AllocationRequests.Length);
        foreach (var name in r.AllocationRequests) w.Write(name);
        WriteArray(ref w, r.AllocationBudgets);
        WriteArray(ref w, r.AllocationObservedMax);
        w.Write(r.RequestsMeasuredForGc);
        w.Write(r.RequestsWithGc);
        w.Write(r.RequestPauseSumNs);
        w.Write(r.RequestPauseMaxNs);
        WriteArray(ref w, r.RequestPauseHistogramCounts);
        w.Write(r.History.Number);
        w.Write(r.History.Deaths);
        w.Write(r.History.InjectedDeaths);
        w.Write(r.History.LastDeathStatus);
        w.Write(r.History.LastRestartLatencyMs);
        w.Write(r.History.MaxRestartLatencyMs);
    }

    public StatsReport Read(ref MessagePackReader r)
    {
        int count = Codecs.ReadArrayAtLeast(ref r, Fields, "Stats");
        var report = new StatsReport
        {
            Server = Codecs.ReadRequiredString(ref r, "Stats.Server"),
            UptimeMs = NonNegative(ref r, "UptimeMs"),
            Gen0Collections = NonNegative(ref r, "Gen0Collections"),
            Gen1Collections = NonNegative(ref r, "Gen1Collections"),
            Gen2Collections = NonNegative(ref r, "Gen2Collections"),
            TotalPauseNs = NonNegative(ref r, "TotalPauseNs"),
            MaxPauseNs = NonNegative(ref r, "MaxPauseNs"),
            HistogramUpperBoundsNs = ReadArray(ref r, "HistogramUpperBoundsNs"),
            HistogramCounts = ReadArray(ref r, "HistogramCounts"),
            SampledGcs = NonNegative(ref r, "SampledGcs"),
            UnsampledGcs = NonNegative(ref r, "UnsampledGcs"),
            HeapSizeBytes = NonNegative(ref r, "HeapSizeBytes"),
            HeapLimitBytes = NonNegative(ref r, "HeapLimitBytes"),
            LiveBytesAfterLastGc = NonNegative(ref r, "LiveBytesAfterLastGc"),
            CommittedBytes = NonNegative(ref r, "CommittedBytes"),
            TotalAllocatedBytes = NonNegative(ref r, "TotalAllocatedBytes"),
            TimeInGcFraction = ReadFraction(ref r),
            RequestsReceived = NonNegative(ref r, "RequestsReceived"),
            RequestsOk = NonNegative(ref r, "RequestsOk"),
            RequestsMalformed = NonNegative(ref r, "RequestsMalformed"),
            RequestsUnknown = NonNegative(ref r, "RequestsUnknown"),
            HandlerFailures = NonNegative(ref r, "HandlerFailures"),
            RepliesTooLarge = NonNegative(ref r, "RepliesTooLarge"),
            Admitted = NonNegative(ref r, "Admitted"),
            Queued = NonNegative(ref r, "Queued"),
            Refused = NonNegative(ref r, "Refused"),
            ReservedBytes = NonNegative(ref r, "ReservedBytes"),
            AdmissionCollections = NonNegative(ref r, "AdmissionCollections"),
        };
        if (count >= FieldsWithAllocations)
        {
            int n = r.ReadArrayHeader();
            if (n > MaxRequestTypes) throw new MalformedMessageException($"Stats: {n} request types, at most {MaxRequestTypes}");
            var names = new string[n];
            for (int i = 0; i < n; i++) names[i] = Codecs.ReadRequiredString(ref r, "Stats.AllocationRequests");
            report = report with
            {
                AllocationRequests = names,
                AllocationBudgets = ReadArray(ref r, "AllocationBudgets"),
                AllocationObservedMax = ReadArray(ref r, "AllocationObservedMax"),
            };
            if (report.AllocationBudgets.Length != n || report.AllocationObservedMax.Length != n)
                throw new MalformedMessageException("Stats: allocation figures do not match the request types");
        }
        if (count >= FieldsWithRequestPauses)
            report = report with
            {
                RequestsMeasuredForGc = NonNegative(ref r, "RequestsMeasuredForGc"),
                RequestsWithGc = NonNegative(ref r, "RequestsWithGc"),
                RequestPauseSumNs = NonNegative(ref r, "RequestPauseSumNs"),
                RequestPauseMaxNs = NonNegative(ref r, "RequestPauseMaxNs"),
                RequestPauseHistogramCounts = ReadArray(ref r, "RequestPauseHistogramCounts"),
            };
        if (count >= FieldsWithHistory)
            report = report with { History = IncarnationCodec.ReadFields(ref r, "Stats.History") };
        Codecs.SkipExtraFields(ref r, count, count >= FieldsWithHistory ? FieldsWithHistory : count >= FieldsWithRequestPauses ? FieldsWithRequestPauses
            : count >= FieldsWithAllocations ? FieldsWithAllocations : Fields);
        if (report.HistogramCounts.Length != report.HistogramUpperBoundsNs.Length + 1)
            throw new MalformedMessageException($"Stats: {report.HistogramCounts.Length} histogram counts for {report.HistogramUpperBoundsNs.Length} bounds (need bounds + 1)");
        if (report.RequestPauseHistogramCounts.Length != 0 && report.RequestPauseHistogramCounts.Length != report.HistogramUpperBoundsNs.Length + 1)
            throw new MalformedMessageException($"Stats: {report.RequestPauseHistogramCounts.Length} request-pause histogram counts for {report.HistogramUpperBoundsNs.Length} bounds (need none or bounds + 1)");
        if (report.RequestsWithGc > report.RequestsMeasuredForGc || report.RequestPauseMaxNs > report.RequestPauseSumNs)
            throw new MalformedMessageException($"Stats: {report.RequestsWithGc} requests with a GC of {report.RequestsMeasuredForGc} measured, largest pause {report.RequestPauseMaxNs} ns of {report.RequestPauseSumNs} ns in all: inconsistent");
        return report;
    }

    private static void WriteArray(ref MessagePackWriter w, long[] values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (long v in values) w.Write(v);
    }

    private static long[] ReadArray(ref MessagePackReader r, string field)
    {
        int n = r.ReadArrayHeader();
        if (n > MaxBins) throw new MalformedMessageException($"Stats.{field}: {n} bins, at most {MaxBins}");
        if (n == 0) return [];
        var values = new long[n];
        for (int i = 0; i < n; i++) values[i] = NonNegative(ref r, field);
        return values;
    }

    private static long NonNegative(ref MessagePackReader r, string field)
    {
        long v = r.ReadInt64();
        if (v < 0) throw new MalformedMessageException($"Stats.{field} is negative ({v})");
        return v;
    }

    private static double ReadFraction(ref MessagePackReader r)
    {
        double v = r.ReadDouble();
        if (!(v >= 0.0 && v <= 1.0)) throw new MalformedMessageException($"Stats.TimeInGcFraction {v} is not in [0, 1]");
        return v;
    }
}
