// posix's side of fs's data window (FsDataWindow, FsLink): reads and writes larger than a message
// move through the window's slots; several threads at once each use a slot of their own; a full
// window or an fs without a window falls back to messages; after fs restarts the window is mapped
// again from the new run and the call made again, with the bytes right.
using Biscuit.Fs.Client.Tests;
using Biscuit.Fs.Protocol;
using Biscuit.Posix;
using Biscuit.Posix.Links;

namespace Biscuit.Posix.Links.Tests;

/// <summary>What posix sees at the window's address: the current fs run's pages if granted there.</summary>
internal sealed class HostWindowView(FsHarness h) : IDataWindowView
{
    public const long At = 0x7200_0000;
    public long Address => At;
    public bool IsMapped() => h.WindowPages.At(At) != null;
    public Span<byte> Bytes(int offset, int length) =>
        (h.WindowPages.At(At) ?? throw new InvalidOperationException("touched a vanished window: posix would fault")).AsSpan(offset, length);
}

public class FsDataWindowTests
{
    private const int Slot = DataWindowLimits.SlotBytes;

    private static (FsHarness H, FsLink Fs) Start(byte[] data)
    {
        var h = new FsHarness(stage => File.WriteAllBytes(Path.Combine(stage, "big.bin"), data), sizeKiB: 32 * 1024);
        // One client per thread, as posix makes them (a client and its transport belong to one thread).
        return (h, new FsLink(() => new FileServiceClient(h.Endpoint.CreateClient(), timeoutMs: 60_000), new HostWindowView(h)));
    }

    [Fact]
    public void A_one_MiB_read_moves_through_the_window_a_slot_a_call_and_is_byte_exact()
    {
        var data = FsHarness.Pattern(1 << 20, 1);
        var (h, fs) = Start(data);
        using var harness = h;
        Assert.Equal(0, fs.Open("/big.bin", FsOpenFlags.None, 0, out var node, out _));
        var into = new byte[(1 << 20) + 10];
        Assert.Equal(1 << 20, fs.Read(node, 0, into));
        Assert.True(into.AsSpan(0, 1 << 20).SequenceEqual(data));
        var figures = h.Client.FsStats().Value!;
        Assert.Equal(1 << 20, figures.WindowBytesRead);
        Assert.Equal(0, figures.MessageBytesRead);
        Assert.Equal(1, fs.Window!.Mappings);
    }

    [Fact]
    public void A_large_write_moves_through_the_window_and_reads_back()
    {
        var data = FsHarness.Pattern(200_000, 2);
        var (h, fs) = Start([]);
        using var harness = h;
        Assert.Equal(0, fs.Open("/new.bin", FsOpenFlags.Create, 0x1A4, out var node, out _));
        Assert.Equal(data.Length, fs.Write(node, 5, data));
        var back = new byte[data.Length + 5];
        Assert.Equal(back.Length, fs.Read(node, 0, back));
        Assert.True(back.AsSpan(5).SequenceEqual(data));
        Assert.Equal(data.Length, h.Client.FsStats().Value!.WindowBytesWritten);
    }

    [Fact]
    public void Small_reads_and_writes_stay_in_messages()
    {
        var (h, fs) = Start(FsHarness.Pattern(100, 3));
        using var harness = h;
        Assert.Equal(0, fs.Open("/big.bin", FsOpenFlags.None, 0, out var node, out _));
        Assert.Equal(100, fs.Read(node, 0, new byte[FsLink.MessageDataBytes]));
        Assert.Equal(0, fs.Window!.Mappings);
        Assert.Equal(100, h.Client.FsStats().Value!.MessageBytesRead);
    }

    [Fact]
    public void Eight_threads_reading_at_once_each_get_their_own_bytes()
    {
        var data = FsHarness.Pattern(1 << 20, 4);
        var (h, fs) = Start(data);
        using var harness = h;
        Assert.Equal(0, fs.Open("/big.bin", FsOpenFlags.None, 0, out var node, out _));
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var into = new byte[3 * Slot];
            for (int round = 0; round < 10; round++)
            {
                int offset = (t * 7919 + round * 65537) % ((1 << 20) - into.Length);
                long n = fs.Read(node, offset, into);
                if (n != into.Length || !into.AsSpan().SequenceEqual(data.AsSpan(offset, into.Length)))
                    failures.Add($"thread {t} round {round}: {n} bytes, content {(n == into.Length ? "differs" : "short")}");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
        Assert.Equal(8 * 10 * 3L * Slot, h.Client.FsStats().Value!.WindowBytesRead);
    }

    [Fact]
    public void A_full_window_sends_the_data_in_messages_instead_of_waiting()
    {
        var data = FsHarness.Pattern(2 * Slot, 5);
        var (h, fs) = Start(data);
        using var harness = h;
        var held = new List<int>();
        while (fs.Window!.TryTakeSlot(out int s)) held.Add(s);
        Assert.Equal(DataWindowLimits.Slots, held.Count);
        Assert.Equal(0, fs.Open("/big.bin", FsOpenFlags.None, 0, out var node, out _));
        var into = new byte[2 * Slot];
        Assert.Equal(into.Length, fs.Read(node, 0, into));
        Assert.True(into.AsSpan().SequenceEqual(data));
        Assert.Equal(2 * Slot, h.Client.FsStats().Value!.MessageBytesRead);
        held.ForEach(fs.Window.GiveSlot);
        Assert.True(fs.Window.TryTakeSlot(out _));
    }

    [Fact]
    public void An_fs_that_cannot_grant_a_window_is_used_through_messages()
    {
        var data = FsHarness.Pattern(Slot + 1, 6);
        var (h, fs) = Start(data);
        using var harness = h;
        h.WindowPages.GrantAt = _ => -Errno.EFAULT;
        Assert.Equal(0, fs.Open("/big.bin", FsOpenFlags.None, 0, out var node, out _));
        var into = new byte[Slot + 1];
        Assert.Equal(into.Length, fs.Read(node, 0, into));
        Assert.True(into.AsSpan().SequenceEqual(data));
        Assert.True(fs.Window!.Unavailable);
        Assert.Equal(0, h.Client.FsStats().Value!.WindowBytesRead);
    }

    [Fact]
    public void After_fs_restarts_the_window_is_mapped_again_and_an_open_file_reads_and_writes_right()
    {
        var data = FsHarness.Pattern(3 * Slot, 7);
        var (h, fs) = Start(data);
        using var harness = h;
        Assert.Equal(0, fs.Open("/big.bin", FsOpenFlags.None, 0, out var node, out _));
        var into = new byte[3 * Slot];
        Assert.Equal(into.Length, fs.Read(node, 0, into));
        h.CrashAndRestart();

        Array.Clear(into);
        Assert.Equal(into.Length, fs.Read(node, 0, into));          // ENOTCONN: mapped again; EBADF: re-opened
        Assert.True(into.AsSpan().SequenceEqual(data));
        Assert.Equal(2, fs.Window!.Mappings);
        Assert.Equal(1, fs.OpenFiles.Reopened);
        var changed = FsHarness.Pattern(Slot, 8);
        Assert.Equal(Slot, fs.Write(node, Slot, changed));
        Assert.Equal(Slot, fs.Read(node, Slot, into.AsSpan(0, Slot)));
        Assert.True(into.AsSpan(0, Slot).SequenceEqual(changed));
        Assert.Equal(3 * Slot + Slot, h.Client.FsStats().Value!.WindowBytesRead);
    }

    [Fact]
    public void A_window_that_vanished_after_fs_replied_is_never_touched_and_the_read_is_made_again()
    {
        var data = FsHarness.Pattern(Slot + 7, 9);
        var (h, unused) = Start(data);
        using var harness = h;
        var view = new VanishingView(h);
        var fs = new FsLink(() => h.Client, view);
        Assert.Equal(0, fs.Open("/big.bin", FsOpenFlags.None, 0, out var node, out _));
        var into = new byte[Slot + 7];
        view.VanishAfterProbes = 0;              // the first copy finds the pages gone
        Assert.Equal(into.Length, fs.Read(node, 0, into));
        Assert.True(into.AsSpan().SequenceEqual(data));
        Assert.True(view.Refused >= 1);
    }

    /// <summary>A view whose first probe says the pages are gone (fs died after replying), as posix's
    /// probe would; later probes see the pages.</summary>
    private sealed class VanishingView(FsHarness h) : IDataWindowView
    {
        public int VanishAfterProbes = -1, Refused;
        public long Address => HostWindowView.At;
        public bool IsMapped()
        {
            if (VanishAfterProbes == 0)
            {
                VanishAfterProbes = -1;
                Refused++;
                // fs really lost the window: the next transfer must find ENOTCONN, so restart it.
                h.CrashAndRestart();
                return false;
            }
            return h.WindowPages.At(Address) != null;
        }
        public Span<byte> Bytes(int offset, int length) =>
            (h.WindowPages.At(Address) ?? throw new InvalidOperationException("touched a vanished window")).AsSpan(offset, length);
    }
}
