// Two of our stacks joined by an in-memory wire, on a virtual clock: for end-to-end tests that must
// be exactly reproducible (sequence wrap-around, loss patterns, long idle periods).
namespace Biscuit.Net.Tests.Harness;

internal sealed class StackPair
{
    sealed class Wire(StackPair pair, MacAddress mac, bool fromA) : ILinkLayer
    {
        public MacAddress Mac => mac;
        public int Mtu => 1500;
        public void Transmit(ReadOnlySpan<byte> frame)
        {
            if (pair.Drop != null && pair.Drop(fromA, frame.ToArray())) return;
            (fromA ? pair.toB : pair.toA).Enqueue(frame.ToArray());
        }
    }

    public static readonly Ipv4Address AddressA = Ipv4Address.Parse("10.1.0.1");
    public static readonly Ipv4Address AddressB = Ipv4Address.Parse("10.1.0.2");
    readonly Queue<byte[]> toA = new(), toB = new();
    public readonly NetStack A, B;
    public long Now;
    /// <summary>Decides whether a frame is lost: (sent by A?, frame) -> drop.</summary>
    public Func<bool, byte[], bool>? Drop;

    public StackPair(Action<NetStackOptions>? configure = null)
    {
        var oa = new NetStackOptions { Address = AddressA, PrefixLength = 24, Gateway = Ipv4Address.Any };
        var ob = new NetStackOptions { Address = AddressB, PrefixLength = 24, Gateway = Ipv4Address.Any };
        configure?.Invoke(oa);
        configure?.Invoke(ob);
        A = new NetStack(new Wire(this, MacAddress.Parse("02:00:00:00:01:01"), true), oa);
        B = new NetStack(new Wire(this, MacAddress.Parse("02:00:00:00:01:02"), false), ob);
    }

    /// <summary>Delivers frames and advances the clock 1 ms at a time, calling step after each ms,
    /// until done() or maxMs elapses. Returns whether done() became true.</summary>
    public bool Run(Func<bool> done, long maxMs, Action? step = null)
    {
        long end = Now + maxMs;
        while (Now < end)
        {
            for (int i = 0; toA.Count > 0 || toB.Count > 0; i++)
            {
                if (i > 100_000)
                {
                    var last = new List<string>();
                    for (int k = 0; k < 12 && (toA.Count > 0 || toB.Count > 0); k++)
                    {
                        var f = toB.Count > 0 ? toB.Dequeue() : toA.Dequeue();
                        last.Add((FrameBuilder.ParseTcp(f)?.ToString() ?? "non-TCP") + " sack=" + string.Join(",", FrameBuilder.ParseTcp(f)?.Sack ?? []));
                    }
                    throw new InvalidOperationException("the two stacks exchange frames without end at t=" + Now + ":\n" + string.Join("\n", last));
                }
                if (toB.Count > 0) B.Receive(toB.Dequeue());
                if (toA.Count > 0) A.Receive(toA.Dequeue());
                step?.Invoke();
            }
            if (done()) return true;
            Now++;
            A.Tick(Now);
            B.Tick(Now);
            step?.Invoke();
        }
        return done();
    }
}
