// The data window (Biscuit.Fs.Protocol/DataWindow.cs): file data moves through pages fs grants to
// its client, a slot a call, and only counts travel in messages. Every misuse is an error reply and
// the server serves on; after a restart the new run grants a new window and refuses the old one.
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Tests;

namespace Biscuit.Fs.Client.Tests;

public class DataWindowTests
{
    public const long Address = 0x7200_0000;
    private const int Slot = DataWindowLimits.SlotBytes;

    private static DataWindowLayout Map(FsHarness h)
    {
        var r = h.Client.MapDataWindow(Address);
        FsAssert.Ok(r, "MapDataWindow");
        return r.Value;
    }

    [Fact]
    public void MapDataWindow_grants_the_window_at_the_clients_address_and_answers_its_layout()
    {
        using var h = new FsHarness();
        var layout = Map(h);
        Assert.Equal(DataWindowLimits.Slots, layout.Slots);
        Assert.Equal(DataWindowLimits.SlotBytes, layout.SlotBytes);
        Assert.NotEqual(0UL, layout.WindowId);
        Assert.NotNull(h.WindowPages.At(Address));
        Assert.Null(h.WindowPages.At(Address + 4096));
    }

    [Fact]
    public void ReadToWindow_puts_a_slot_of_the_file_in_the_window_and_counts_it_as_window_bytes()
    {
        var data = FsHarness.Pattern(3 * Slot + 100, 11);
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "big.bin"), data));
        var w = Map(h);
        ulong f = h.Open("/big.bin");
        var r = h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, Slot, 2, Slot));
        FsAssert.Ok(r);
        Assert.Equal(Slot, r.Value);
        Assert.True(h.WindowPages.At(Address)!.AsSpan(2 * Slot, Slot).SequenceEqual(data.AsSpan(Slot, Slot)));
        var tail = h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, 3 * Slot, 0, Slot));
        Assert.Equal(100, tail.Value);                                      // stops at the end of the file
        Assert.Equal(0, h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, 10 * Slot, 0, Slot)).Value);
        var figures = h.Client.FsStats().Value!;
        Assert.Equal(Slot + 100, figures.WindowBytesRead);
        Assert.Equal(0, figures.MessageBytesRead);
    }

    [Fact]
    public void WriteFromWindow_writes_a_slots_bytes_into_the_file_and_the_host_reads_them_back()
    {
        var data = FsHarness.Pattern(Slot, 5);
        using var h = new FsHarness();
        var w = Map(h);
        ulong f = h.Open("/new.bin", LinuxOpenFlags.O_CREAT);
        data.CopyTo(h.WindowPages.At(Address)!.AsSpan(5 * Slot));
        var r = h.Client.WriteFromWindow(new WindowTransfer(w.WindowId, f, 1000, 5, Slot));
        FsAssert.Ok(r);
        Assert.Equal(Slot, r.Value);
        FsAssert.Ok(h.Client.Close(f));
        var back = h.ReadFile("/new.bin");
        Assert.Equal(1000 + Slot, back.Length);
        Assert.True(back.AsSpan(1000).SequenceEqual(data));
        Assert.Equal(Slot, h.Client.FsStats().Value!.WindowBytesWritten);
        h.Stop();
        E2fsTools.AssertClean(h.Image);
    }

    [Fact]
    public void Messages_still_carry_small_reads_and_writes_and_are_counted_apart()
    {
        using var h = new FsHarness();
        ulong f = h.Open("/small", LinuxOpenFlags.O_CREAT);
        FsAssert.Ok(h.Client.Write(f, 0, new byte[300]));
        FsAssert.Ok(h.Client.Read(f, 0, new byte[300]));
        var figures = h.Client.FsStats().Value!;
        Assert.Equal((300, 300, 0L, 0L), (figures.MessageBytesWritten, figures.MessageBytesRead, figures.WindowBytesRead, figures.WindowBytesWritten));
    }

    [Fact]
    public void A_second_window_is_EBUSY_until_ResetClient_gives_the_first_back()
    {
        using var h = new FsHarness();
        var first = Map(h);
        FsAssert.Errno(Errno.EBUSY, h.Client.MapDataWindow(Address));
        FsAssert.Ok(h.Client.ResetClient());
        Assert.Equal(1, h.WindowPages.Revokes);
        Assert.Null(h.WindowPages.At(Address));
        var second = Map(h);
        Assert.NotEqual(first.WindowId, second.WindowId);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-4096L)]
    [InlineData(Address + 1)]
    public void A_window_address_that_is_not_a_positive_page_multiple_is_EINVAL(long address)
    {
        using var h = new FsHarness();
        FsAssert.Errno(Errno.EINVAL, h.Client.MapDataWindow(address));
        Map(h);   // nothing was granted: a good address still works
    }

    [Fact]
    public void A_grant_the_kernel_refuses_is_answered_with_its_errno_and_nothing_is_granted()
    {
        using var h = new FsHarness();
        h.WindowPages.GrantAt = _ => -Errno.EEXIST;       // the client uses that range
        FsAssert.Errno(Errno.EEXIST, h.Client.MapDataWindow(Address));
        h.WindowPages.GrantAt = _ => 0;
        Map(h);
    }

    [Fact]
    public void A_transfer_before_any_window_or_naming_another_window_is_ENOTCONN()
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), "x"));
        ulong f = h.Open("/f");
        FsAssert.Errno(Errno.ENOTCONN, h.Client.ReadToWindow(new WindowTransfer(1, f, 0, 0, 1)));
        var w = Map(h);
        FsAssert.Errno(Errno.ENOTCONN, h.Client.ReadToWindow(new WindowTransfer(w.WindowId + 1, f, 0, 0, 1)));
        FsAssert.Errno(Errno.ENOTCONN, h.Client.WriteFromWindow(new WindowTransfer(w.WindowId ^ (1UL << 40), f, 0, 0, 1)));
        Assert.Equal(1, h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, 0, 0, 1)).Value);
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(DataWindowLimits.Slots, 1)]
    [InlineData(0, DataWindowLimits.SlotBytes + 1)]
    [InlineData(0, -1)]
    [InlineData(int.MaxValue, int.MaxValue)]
    public void A_slot_or_count_outside_the_window_is_ERANGE_and_touches_nothing(int slot, int count)
    {
        using var h = new FsHarness(stage => File.WriteAllText(Path.Combine(stage, "f"), "file"));
        var w = Map(h);
        ulong f = h.Open("/f");
        FsAssert.Errno(Errno.ERANGE, h.Client.ReadToWindow(new WindowTransfer(w.WindowId, f, 0, slot, count)));
        FsAssert.Errno(Errno.ERANGE, h.Client.WriteFromWindow(new WindowTransfer(w.WindowId, f, 0, slot, count)));
        Assert.Equal("file"u8.ToArray(), h.ReadFile("/f"));
    }

    [Fact]
    public void A_transfer_on_an_unknown_handle_is_EBADF()
    {
        using var h = new FsHarness();
        var w = Map(h);
        FsAssert.Errno(Errno.EBADF, h.Client.ReadToWindow(new WindowTransfer(w.WindowId, 12345, 0, 0, 10)));
        FsAssert.Errno(Errno.EBADF, h.Client.WriteFromWindow(new WindowTransfer(w.WindowId, 12345, 0, 0, 10)));
    }

    [Fact]
    public void A_malformed_transfer_is_refused_and_the_server_serves_on()
    {
        using var h = new FsHarness();
        var raw = new Biscuit.Lib.Client.ServiceClient(h.Endpoint.CreateClient());
        // A negative offset is malformed (the codec refuses it), as is a body of the wrong shape.
        var negative = raw.Call(FsContracts.ReadToWindow, new WindowTransfer(1, 1, -5, 0, 1), 60_000);
        Assert.False(negative.IsOk && negative.Value.IsOk, negative.ToString());
        var wrong = new Biscuit.Lib.Messages.RequestType<string, FsReply<long>>(FsContracts.WriteFromWindow.Id, "WriteFromWindow",
            true, Biscuit.Lib.Messages.Codecs.String, new FsReplyCodec<long>(Biscuit.Lib.Messages.Codecs.Int64));
        var shape = raw.Call(wrong, "not a transfer", 60_000);
        Assert.False(shape.IsOk && shape.Value.IsOk, shape.ToString());
        Map(h);
    }

    [Fact]
    public void After_a_restart_the_new_run_refuses_the_old_window_and_grants_a_new_one()
    {
        var data = FsHarness.Pattern(Slot, 9);
        using var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "f"), data));
        var old = Map(h);
        var oldPages = h.WindowPages;
        h.CrashAndRestart();
        Assert.Null(oldPages.At(Address));                    // the dead run's pages are gone from the client
        ulong f = h.Open("/f");
        FsAssert.Errno(Errno.ENOTCONN, h.Client.ReadToWindow(new WindowTransfer(old.WindowId, f, 0, 0, Slot)));
        var fresh = Map(h);
        Assert.NotEqual(old.WindowId, fresh.WindowId);
        Assert.Equal(Slot, h.Client.ReadToWindow(new WindowTransfer(fresh.WindowId, f, 0, 0, Slot)).Value);
        Assert.True(h.WindowPages.At(Address)!.AsSpan(0, Slot).SequenceEqual(data));
    }
}
