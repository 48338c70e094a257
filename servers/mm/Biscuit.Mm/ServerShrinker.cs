// mm's first answer to low memory (issue 8 item 5, as Biscuit's out-of-memory arbiter: shrink, then
// kill): ask each server it was given to Shrink — lib's standard request, which runs the server's
// shrink callbacks (fs: its clean cached blocks) and then a full compacting collection — one after the
// other, each within a deadline, and collect their answers. A server that does not answer in time (it
// is busy, or dead and restarting) is reported as such and the round goes on: mm never waits for one
// server longer than its deadline. Used by the monitor thread only.
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;

namespace Biscuit.Mm;

/// <summary>One server's answer: its report, or why there is none.</summary>
public sealed record ShrinkAnswer(string Server, ShrinkReport? Report, string? Failure)
{
    /// <summary>The console line for it, with the numbers.</summary>
    public string LogLine() => Report is { } r
        ? $"mm: shrink: {Server} dropped {r.CacheBytesDropped} cache bytes; heap {r.HeapBytesBefore} -> {r.HeapBytesAfter} bytes, " +
          $"committed {r.CommittedBytesBefore} -> {r.CommittedBytesAfter} bytes"
        : $"mm: shrink: {Server} did not answer: {Failure}";
}

/// <summary>A server mm may ask to shrink.</summary>
public interface IShrinkTarget
{
    string Name { get; }
    ShrinkAnswer Ask();
}

/// <summary>A server behind lib's client (on Biscuit, its endpoint; in host tests, an in-memory one).</summary>
public sealed class ClientShrinkTarget(string name, ServiceClient client, ulong timeoutMs) : IShrinkTarget
{
    public string Name { get; } = string.IsNullOrEmpty(name) ? throw new ArgumentException("a shrink target needs a name", nameof(name)) : name;

    public ShrinkAnswer Ask()
    {
        var r = client.Call(StandardRequests.Shrink, default, timeoutMs);
        return r.IsOk ? new ShrinkAnswer(Name, r.Value, null) : new ShrinkAnswer(Name, null, r.ToString());
    }
}

public sealed class ServerShrinker(IReadOnlyList<IShrinkTarget> targets)
{
    public static readonly ServerShrinker None = new([]);

    public IReadOnlyList<IShrinkTarget> Targets { get; } = targets;

    /// <summary>Asks every target in order; a target that throws counts as one that did not answer.</summary>
    public IReadOnlyList<ShrinkAnswer> AskAll()
    {
        var answers = new ShrinkAnswer[Targets.Count];
        for (int i = 0; i < answers.Length; i++)
        {
            try { answers[i] = Targets[i].Ask(); }
            catch (Exception e) { answers[i] = new ShrinkAnswer(Targets[i].Name, null, $"{e.GetType().Name}: {e.Message}"); }
        }
        return answers;
    }
}
