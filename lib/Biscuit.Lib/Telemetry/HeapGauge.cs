// Where admission control and Stats read the heap's size limits from. The real gauge reads the
// runtime (GcHeapGauge); tests substitute a scripted one so that admission decisions are
// deterministic rather than dependent on what the test host's GC happens to do.
namespace Biscuit.Lib.Telemetry;

public interface IHeapGauge
{
    /// <summary>The most heap this server may use: its GC heap hard limit.</summary>
    long HeapLimitBytes { get; }

    /// <summary>Bytes live right after the last GC (heap size minus fragmentation then).</summary>
    long LiveBytesAfterLastGc { get; }

    /// <summary>A full, blocking collection, after which LiveBytesAfterLastGc is fresh.</summary>
    void Collect();
}

/// <summary>The runtime's own figures. The limit is the configured GC heap hard limit when there is
/// one, else what the GC considers available (GCMemoryInfo.TotalAvailableMemoryBytes, which is the
/// hard limit when one is set and the machine's memory otherwise). Observed in a NativeAOT binary
/// built with <RuntimeHostConfigurationOption Include="System.GC.HeapHardLimit" Value="33554432" />:
/// AppContext "System.GC.HeapHardLimit" holds "33554432", "GCHeapHardLimit" is absent, and
/// TotalAvailableMemoryBytes is 32 MiB.</summary>
public sealed class GcHeapGauge : IHeapGauge
{
    public static readonly GcHeapGauge Instance = new();

    // GC.GetGCMemoryInfo allocates a small object per call, and admission asks for these figures on
    // every request; so the limit is read once and the live figure once per GC (it only changes
    // when a GC ends). Guarded by `gate`.
    private readonly object gate = new();
    private long limit = -1;
    private int liveReadAtCollectionCount = -1;
    private long live;

    public long HeapLimitBytes
    {
        get
        {
            lock (gate)
            {
                if (limit < 0)
                {
                    long configured = ConfiguredHardLimit();
                    limit = configured > 0 ? configured : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
                }
                return limit;
            }
        }
    }

    public long LiveBytesAfterLastGc
    {
        get
        {
            int collections = GC.CollectionCount(0);
            lock (gate)
            {
                if (collections != liveReadAtCollectionCount)
                {
                    GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.Any);
                    live = Math.Max(0, info.HeapSizeBytes - info.FragmentedBytes);
                    liveReadAtCollectionCount = collections;
                }
                return live;
            }
        }
    }

    public void Collect() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

    /// <summary>The hard limit the runtime was configured with, or 0: AppContext "System.GC.HeapHardLimit"
    /// (the project's RuntimeHostConfigurationOption), else "GCHeapHardLimit" (the name the runtime's
    /// documentation gives). A number or a string (decimal, or hexadecimal with 0x) is accepted.</summary>
    public static long ConfiguredHardLimit()
    {
        long limit = Parse(AppContext.GetData("System.GC.HeapHardLimit"));
        return limit > 0 ? limit : Parse(AppContext.GetData("GCHeapHardLimit"));
    }

    internal static long Parse(object? value)
    {
        return value switch
        {
            ulong u => (long)Math.Min(u, long.MaxValue),
            long l => Math.Max(0, l),
            uint u => u,
            int i => Math.Max(0, i),
            string s when s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(s.AsSpan(2), System.Globalization.NumberStyles.HexNumber, null, out long hex) => Math.Max(0, hex),
            string s when long.TryParse(s, out long dec) => Math.Max(0, dec),
            _ => 0,
        };
    }
}
