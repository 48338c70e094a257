// A lossy, reordering, duplicating, delaying wire between the TAP device and the stack, for the
// loss tests. Decisions come from a seeded generator, so a run is reproducible up to thread timing.
// It stands in for (or adds to) `tc qdisc ... netem`, which not every kernel has.
namespace Biscuit.Net.Tests.Harness;

internal sealed class Impairment
{
    public double LossRate = 0.05;
    public double DuplicateRate = 0.01;
    public double ReorderRate = 0.05;
    public long DelayMs = 2;
    public long ReorderExtraDelayMs = 6;

    readonly Random random;
    readonly PriorityQueue<byte[], (long At, long Order)> queue = new();
    long order;
    public long Dropped, Duplicated, Reordered;

    public Impairment(int seed) => random = new Random(seed);

    public void Add(ReadOnlySpan<byte> frame, long now)
    {
        if (random.NextDouble() < LossRate) { Dropped++; return; }
        int copies = random.NextDouble() < DuplicateRate ? 2 : 1;
        if (copies == 2) Duplicated++;
        for (int i = 0; i < copies; i++)
        {
            long at = now + DelayMs;
            if (random.NextDouble() < ReorderRate) { at += ReorderExtraDelayMs; Reordered++; }
            queue.Enqueue(frame.ToArray(), (at, order++));
        }
    }

    public void Release(long now, Action<byte[]> deliver)
    {
        while (queue.TryPeek(out var f, out var key) && key.At <= now)
        {
            queue.Dequeue();
            deliver(f);
        }
    }
}
