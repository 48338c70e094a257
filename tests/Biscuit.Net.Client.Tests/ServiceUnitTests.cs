// The socket table's ids and the readiness queue, on their own.
using Biscuit.Net.Service;

namespace Biscuit.Net.Client.Tests;

public class ServiceUnitTests
{
    private sealed class Dummy : IPollable { public Readiness Readiness => Readiness.None; }

    [Fact]
    public void A_reused_slot_gets_a_new_id_and_the_old_id_finds_nothing()
    {
        var table = new SocketTable(2);
        var a = table.Add(new Dummy())!;
        table.Remove(a);
        var b = table.Add(new Dummy())!;
        Assert.Equal(a.Slot, b.Slot);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Null(table.Find(a.Id));
        Assert.Same(b, table.Find(b.Id));
        Assert.Null(table.Find(0));
        Assert.Null(table.Find(-5));
    }

    [Fact]
    public void A_full_table_adds_nothing_and_knows_its_sockets()
    {
        var table = new SocketTable(1);
        var dummy = new Dummy();
        var entry = table.Add(dummy)!;
        Assert.True(table.IsFull);
        Assert.Null(table.Add(new Dummy()));
        Assert.Equal(entry.Slot, table.SlotOf(dummy));
        Assert.Equal(-1, table.SlotOf(new Dummy()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SocketTable(0));
    }

    [Fact]
    public void The_readiness_queue_keeps_first_change_order_and_each_slot_once()
    {
        var q = new ReadinessQueue(4);
        Assert.True(q.Note(2));              // first: wake the subscriber
        Assert.False(q.Note(0));
        Assert.False(q.Note(2));
        Assert.Equal(2, q.Pending);
        Assert.True(q.TryTake(out int s) && s == 2);
        Assert.True(q.TryTake(out s) && s == 0);
        Assert.False(q.TryTake(out _));
        Assert.True(q.Note(1));              // empty again: wake again
    }

    [Fact]
    public void Forgotten_slots_are_skipped_and_a_full_ring_of_stale_entries_is_compacted()
    {
        var q = new ReadinessQueue(3);
        for (int round = 0; round < 10; round++)
        {
            q.Note(0); q.Forget(0);
            q.Note(1); q.Forget(1);
            q.Note(0);                      // slot 0 again, after a forgotten copy
        }
        Assert.Equal(1, q.Pending);
        q.Note(2);
        q.Note(1);
        var order = new List<int>();
        while (q.TryTake(out int s)) order.Add(s);
        Assert.Equal(new[] { 0, 2, 1 }, order);
        Assert.Equal(0, q.Pending);
    }
}
