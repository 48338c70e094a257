// The block driver's requests as a client sees them (drivers/virtio-blk/README.md): Connect grants
// the slot window, data moves only through slots, and every kind of bad input is an error reply
// with an errno and a message — the driver never crashes and serves on.
using Biscuit.Block.Protocol;
using Biscuit.Lib.Client;
using Biscuit.Lib.Messages;

namespace Biscuit.VirtioBlk.Tests;

public class BlockServiceTests
{
    private static BlockStatus Call(ServiceClient client, RequestType<TransferRequest, BlockStatus> type, int slot, long sector, int sectors)
    {
        var r = client.Call(type, new TransferRequest(slot, sector, sectors), 10_000);
        Assert.True(r.IsOk, r.ToString());
        return r.Value;
    }

    [Fact]
    public void Connect_grants_the_window_at_the_callers_address_and_describes_the_disk()
    {
        using var driver = new DriverHarness(sectors: 4096, slots: 4, slotBytes: 8192);
        var reply = driver.Connect(driver.NewClient());
        Assert.Equal((4096L, 512, 4, 8192, true, 1L), (reply.Sectors, reply.SectorSize, reply.Slots, reply.SlotBytes, reply.CanFlush, reply.Generation));
        Assert.Equal(MemoryWindow.ClientAddress, driver.Window.LastTarget);
        Assert.True(driver.Window.IsMapped());
        Assert.Equal(2L, driver.Connect(driver.NewClient()).Generation);
    }

    [Fact]
    public void Identify_describes_the_disk_without_granting_anything()
    {
        using var driver = new DriverHarness(sectors: 1000);
        var r = driver.NewClient().Call(BlockContracts.Identify, default, 10_000);
        Assert.True(r.IsOk, r.ToString());
        Assert.Equal((1000L, 0L), (r.Value.Sectors, r.Value.Generation));
        Assert.Equal(0, driver.Window.Grants);
    }

    [Fact]
    public void A_write_then_a_read_move_the_data_through_the_slots_to_the_disk_and_back()
    {
        using var driver = new DriverHarness();
        var client = driver.NewClient();
        driver.Connect(client);
        var data = new byte[3 * 512];
        new Random(7).NextBytes(data);
        data.CopyTo(driver.Disk.Slot(2));
        Assert.True(Call(client, BlockContracts.Write, 2, 100, 3).IsOk);
        Assert.Equal(data, driver.Disk.Contents.AsSpan(100 * 512, data.Length).ToArray());
        driver.Disk.Slot(1).Clear();
        Assert.True(Call(client, BlockContracts.Read, 1, 100, 3).IsOk);
        Assert.Equal(data, driver.Disk.Slot(1)[..data.Length].ToArray());
    }

    [Fact]
    public void Reads_writes_and_flushes_before_Connect_are_ENOTCONN()
    {
        using var driver = new DriverHarness();
        var client = driver.NewClient();
        Assert.Equal(BlockErrno.NotConnected, Call(client, BlockContracts.Read, 0, 0, 1).Errno);
        Assert.Equal(BlockErrno.NotConnected, Call(client, BlockContracts.Write, 0, 0, 1).Errno);
        var flush = client.Call(BlockContracts.Flush, default, 10_000);
        Assert.Equal(BlockErrno.NotConnected, flush.Value.Errno);
        Assert.Contains("Connect", flush.Value.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(int.MaxValue)]
    public void An_unknown_slot_is_EINVAL(int slot)
    {
        using var driver = new DriverHarness(slots: 4);
        var client = driver.NewClient();
        driver.Connect(client);
        var status = Call(client, BlockContracts.Read, slot, 0, 1);
        Assert.Equal(BlockErrno.Invalid, status.Errno);
        Assert.Contains($"slot {slot}", status.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(17)]   // a slot of 8192 bytes holds 16 sectors
    public void A_sector_count_that_does_not_fit_one_slot_is_EINVAL(int sectors)
    {
        using var driver = new DriverHarness(slotBytes: 8192);
        var client = driver.NewClient();
        driver.Connect(client);
        Assert.Equal(BlockErrno.Invalid, Call(client, BlockContracts.Write, 0, 0, sectors).Errno);
    }

    [Theory]
    [InlineData(2048L, 1)]          // the first sector past the end
    [InlineData(2047L, 2)]          // a run that starts on the disk and leaves it
    [InlineData(-1L, 1)]
    [InlineData(long.MaxValue, 16)] // would overflow a careless end computation
    public void A_sector_range_beyond_the_disk_is_ENXIO_and_touches_nothing(long sector, int sectors)
    {
        using var driver = new DriverHarness(sectors: 2048);
        var client = driver.NewClient();
        driver.Connect(client);
        var status = Call(client, BlockContracts.Write, 0, sector, sectors);
        Assert.Equal(BlockErrno.BeyondDevice, status.Errno);
        Assert.Contains("2048 sectors", status.Message);
        Assert.Equal(0L, driver.NewClient().Call(BlockContracts.DiskStats, default, 10_000).Value.Writes);
    }

    [Fact]
    public void The_last_sectors_of_the_disk_can_be_written()
    {
        using var driver = new DriverHarness(sectors: 2048);
        var client = driver.NewClient();
        driver.Connect(client);
        Assert.True(Call(client, BlockContracts.Write, 0, 2032, 16).IsOk);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(4097L)]
    public void Connect_with_an_address_that_is_not_a_page_is_EINVAL(long address)
    {
        using var driver = new DriverHarness();
        var r = driver.NewClient().Call(BlockContracts.Connect, new ConnectRequest(address), 10_000);
        Assert.Equal(BlockErrno.Invalid, r.Value.Errno);
        Assert.Equal(0, driver.Window.Grants);
    }

    [Fact]
    public void A_refused_grant_is_reported_with_the_kernels_errno_and_leaves_the_client_unconnected()
    {
        using var driver = new DriverHarness();
        driver.Window.GrantErrno = 17;   // EEXIST: the client's pages at that address are in use
        var client = driver.NewClient();
        var r = client.Call(BlockContracts.Connect, new ConnectRequest(MemoryWindow.ClientAddress), 10_000);
        Assert.Equal(17, r.Value.Errno);
        Assert.Contains("errno 17", r.Value.Message);
        Assert.Equal(BlockErrno.NotConnected, Call(client, BlockContracts.Read, 0, 0, 1).Errno);
    }

    [Fact]
    public void A_device_error_is_EIO_and_counted()
    {
        using var driver = new DriverHarness();
        var client = driver.NewClient();
        driver.Connect(client);
        driver.Disk.DeviceErrorsToReport = 1;
        Assert.Equal(BlockErrno.IoError, Call(client, BlockContracts.Read, 0, 5, 1).Errno);
        Assert.True(Call(client, BlockContracts.Read, 0, 5, 1).IsOk);
        Assert.Equal(1L, client.Call(BlockContracts.DiskStats, default, 10_000).Value.Errors);
    }

    [Fact]
    public void A_malformed_request_gets_a_Malformed_reply_and_the_driver_serves_on()
    {
        using var driver = new DriverHarness();
        var client = driver.NewClient();
        // A Read whose body is a string, and one whose array is too short: lib's loop refuses both.
        var wrongBody = new RequestType<string, BlockStatus>(BlockContracts.Read.Id, "Read", true, Codecs.String, BlockCodecs.Status);
        var shortBody = new RequestType<long, BlockStatus>(BlockContracts.Write.Id, "Write", true, Codecs.Int64, BlockCodecs.Status);
        var negative = new RequestType<long, ConnectReply>(BlockContracts.Connect.Id, "Connect", true,
            new TwoIntegersCodec<long>("neg", (a, _) => a, v => (v, 0)), BlockCodecs.ConnectReply);
        foreach (var r in new[] { client.Call(wrongBody, "sector 0", 10_000).Status, client.Call(shortBody, 5, 10_000).Status })
            Assert.Equal(ReplyStatus.Malformed, r);
        Assert.Equal(ReplyStatus.Malformed, client.Call(negative, -4096, 10_000).Status);
        driver.Connect(client);
        Assert.True(Call(client, BlockContracts.Read, 0, 0, 1).IsOk);
    }

    [Fact]
    public void Several_requests_are_in_flight_at_once_and_DiskStats_counts_them()
    {
        using var driver = new DriverHarness();
        driver.Connect(driver.NewClient());
        driver.Disk.HoldTransfers();
        var threads = Enumerable.Range(0, 3).Select(i => new Thread(() =>
        {
            var status = Call(driver.NewClient(), BlockContracts.Write, i, 10 * i, 2);
            Assert.True(status.IsOk, status.Message);
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.True(driver.Disk.WaitUntilHeld(3, TimeSpan.FromSeconds(30)), "three writes never reached the disk together");
        var during = driver.NewClient().Call(BlockContracts.DiskStats, default, 10_000).Value;
        Assert.Equal(3, during.InFlight);
        driver.Disk.ReleaseTransfers();
        threads.ForEach(t => t.Join());
        var after = driver.NewClient().Call(BlockContracts.DiskStats, default, 10_000).Value;
        Assert.Equal((3L, 3L, 0L, 3L * 2 * 512, 0, 3, 1L), (after.Requests, after.Writes, after.Reads, after.BytesWritten, after.InFlight, after.MaxInFlight, after.Connects));
    }

    [Fact]
    public void Flush_reaches_the_device()
    {
        using var driver = new DriverHarness();
        var client = driver.NewClient();
        driver.Connect(client);
        Assert.True(client.Call(BlockContracts.Flush, default, 10_000).Value.IsOk);
        Assert.Equal(1, driver.Disk.Flushes);
        Assert.Equal(1L, client.Call(BlockContracts.DiskStats, default, 10_000).Value.Flushes);
    }
}
