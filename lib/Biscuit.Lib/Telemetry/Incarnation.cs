// What init tells a server about its own restarts (issue 9 item 1: the restart history in Stats and
// /proc): which incarnation of the server this process is (1 = never restarted), how many times the
// server has died since boot and how many of those deaths were injected on purpose, how the last one
// ended (a wait status: exit code << 8, or the signal number), and the restart latency (death to new
// instance, back-off included) of the last restart and the largest one.
// init keeps the history (it outlives every server) and sends it, once, to each new instance with the
// standard Incarnation request (StandardRequests.cs); a server never restarted holds First.
// Wire form: a MessagePack array of 6 non-negative integers in the order of the record's fields;
// a longer array from a newer writer is accepted and its extra fields skipped. Invariants checked on
// reading: Incarnation >= 1, InjectedDeaths <= Deaths, Deaths >= Incarnation - 1 (every restart
// followed a death), LastRestartLatencyMs <= MaxRestartLatencyMs.
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Lib.Telemetry;

public sealed record Incarnation(long Number, long Deaths, long InjectedDeaths, long LastDeathStatus,
    long LastRestartLatencyMs, long MaxRestartLatencyMs)
{
    public const int Fields = 6;

    /// <summary>A server's first instance: nothing has happened to it yet.</summary>
    public static readonly Incarnation First = new(1, 0, 0, 0, 0, 0);

    /// <summary>How the last death ended, as init's console line says it: "signal 11", "exit 3",
    /// or "-" when the server never died.</summary>
    public string LastDeath => Deaths == 0 ? "-"
        : (LastDeathStatus & 0x7f) == 0 ? $"exit {(LastDeathStatus >> 8) & 0xff}" : $"signal {LastDeathStatus & 0x7f}";
}

public sealed class IncarnationCodec : IMessageCodec<Incarnation>
{
    public static readonly IncarnationCodec Instance = new();

    public void Write(ref MessagePackWriter w, Incarnation value)
    {
        w.WriteArrayHeader(Incarnation.Fields);
        w.Write(value.Number);
        w.Write(value.Deaths);
        w.Write(value.InjectedDeaths);
        w.Write(value.LastDeathStatus);
        w.Write(value.LastRestartLatencyMs);
        w.Write(value.MaxRestartLatencyMs);
    }

    public Incarnation Read(ref MessagePackReader r)
    {
        int count = Codecs.ReadArrayAtLeast(ref r, Incarnation.Fields, "Incarnation");
        var value = ReadFields(ref r, "Incarnation");
        Codecs.SkipExtraFields(ref r, count, Incarnation.Fields);
        return value;
    }

    /// <summary>The six fields without their array header (Stats carries them inline), checked.</summary>
    public static Incarnation ReadFields(ref MessagePackReader r, string what)
    {
        var value = new Incarnation(NonNegative(ref r, what, "Number"), NonNegative(ref r, what, "Deaths"), NonNegative(ref r, what, "InjectedDeaths"),
            NonNegative(ref r, what, "LastDeathStatus"), NonNegative(ref r, what, "LastRestartLatencyMs"), NonNegative(ref r, what, "MaxRestartLatencyMs"));
        if (value.Number < 1) throw new MalformedMessageException($"{what}.Number must be at least 1");
        if (value.InjectedDeaths > value.Deaths) throw new MalformedMessageException($"{what}: {value.InjectedDeaths} injected deaths of {value.Deaths}");
        if (value.Deaths < value.Number - 1) throw new MalformedMessageException($"{what}: incarnation {value.Number} after only {value.Deaths} deaths");
        if (value.LastRestartLatencyMs > value.MaxRestartLatencyMs)
            throw new MalformedMessageException($"{what}: last restart latency {value.LastRestartLatencyMs} ms above the largest, {value.MaxRestartLatencyMs} ms");
        return value;
    }

    private static long NonNegative(ref MessagePackReader r, string what, string field)
    {
        long v = r.ReadInt64();
        if (v < 0) throw new MalformedMessageException($"{what}.{field} is negative ({v})");
        return v;
    }
}
