// Direct reads (drivers/virtio-blk/Biscuit.Block.Protocol/DirectContracts.cs): the client lends pages
// (fs's data window), the driver pins them, and sectors land straight in them at the offset named.
// Every bad request — no pin, a misaligned offset, a range outside the pinned pages, a count out of
// bounds, sectors off the disk, a pin the kernel refuses, a driver without pins — is an error reply
// and the driver serves on. fs's client (RemoteBlockDevice.ReadIntoWindow) lends and pins once per
// driver instance, does it again after the driver dies, and turns direct reads off (falling back to
// the cache) when the driver or the kernel refuses them.
using Biscuit.Block.Protocol;
using Biscuit.Fs.Service;
using Biscuit.Lib.Client;

namespace Biscuit.VirtioBlk.Tests;

public class DirectReadTests
{
    private static BlockStatus Pin(ServiceClient client, int pages)
    {
        var r = client.Call(DirectContracts.PinDirect, new PinRequest(pages), 10_000);
        Assert.True(r.IsOk, r.ToString());
        return r.Value;
    }

    private static BlockStatus Read(ServiceClient client, long offset, long sector, int sectors)
    {
        var r = client.Call(DirectContracts.ReadDirect, new DirectRead(offset, sector, sectors), 10_000);
        Assert.True(r.IsOk, r.ToString());
        return r.Value;
    }

    private static (DriverHarness Driver, ServiceClient Client) Pinned(int pages = DirectWindow.MaxPages)
    {
        var driver = new DriverHarness(sectors: 4096);
        var client = driver.NewClient();
        Assert.Equal(0, driver.Loan!.LendToDriver());
        Assert.True(Pin(client, pages).IsOk);
        return (driver, client);
    }

    private static byte[] Pattern(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public void A_pinned_read_puts_the_sectors_in_the_lent_pages_at_the_offset_named_and_nowhere_else()
    {
        var (driver, client) = Pinned();
        using var _ = driver;
        var data = Pattern(20 * 512, 1);
        data.CopyTo(driver.Disk.Contents.AsSpan(100 * 512));
        Assert.True(Read(client, 4096 + 512, 100, 20).IsOk);                  // crosses three pages
        Assert.Equal(data, driver.Loan!.Bytes(4096 + 512, data.Length).ToArray());
        Assert.True(driver.Loan.Bytes(0, 4096 + 512).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(driver.Loan.Bytes(4096 + 512 + data.Length, 4096).IndexOfAnyExcept((byte)0) < 0);
        var stats = client.Call(BlockContracts.DiskStats, default, 10_000).Value;
        Assert.Equal((1L, 1L, (long)data.Length), (stats.DirectReads, stats.Pins, stats.BytesRead));
    }

    [Fact]
    public void A_read_of_the_last_64_KiB_of_the_pinned_pages_is_allowed()
    {
        var (driver, client) = Pinned(pages: 32);
        using var _ = driver;
        Assert.True(Read(client, 32 * 4096 - DirectWindow.MaxTransferBytes, 0, DirectWindow.MaxTransferBytes / 512).IsOk);
    }

    [Fact]
    public void A_direct_read_before_PinDirect_is_ENOTCONN()
    {
        using var driver = new DriverHarness();
        var status = Read(driver.NewClient(), 0, 0, 1);
        Assert.Equal(BlockErrno.NotConnected, status.Errno);
        Assert.Contains("PinDirect", status.Message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(511)]
    [InlineData(-512)]
    public void An_offset_that_is_not_a_non_negative_multiple_of_512_is_EINVAL(long offset)
    {
        var (driver, client) = Pinned();
        using var _ = driver;
        var status = Read(client, offset, 0, 1);
        Assert.Equal(BlockErrno.Invalid, status.Errno);
        Assert.Contains("512", status.Message);
    }

    [Theory]
    [InlineData(16 * 4096 - 512, 2)]          // runs one sector past the end
    [InlineData(16 * 4096, 1)]                // starts at the end
    [InlineData(long.MaxValue - 511, 1)]      // overflow-safe
    public void A_range_outside_the_pinned_pages_is_EINVAL(long offset, int sectors)
    {
        var (driver, client) = Pinned(pages: 16);
        using var _ = driver;
        var status = Read(client, offset, 0, sectors);
        Assert.Equal(BlockErrno.Invalid, status.Errno);
        Assert.Contains("pinned pages", status.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(129)]                         // 64 KiB + 512
    public void A_count_of_0_or_of_more_than_64_KiB_is_EINVAL(int sectors)
    {
        var (driver, client) = Pinned();
        using var _ = driver;
        Assert.Equal(BlockErrno.Invalid, Read(client, 0, 0, sectors).Errno);
    }

    [Theory]
    [InlineData(4095L, 2)]
    [InlineData(-1L, 1)]
    [InlineData(long.MaxValue, 1)]
    public void Sectors_that_leave_the_disk_are_ENXIO(long sector, int sectors)
    {
        var (driver, client) = Pinned();
        using var _ = driver;
        Assert.Equal(BlockErrno.BeyondDevice, Read(client, 0, sector, sectors).Errno);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(DirectWindow.MaxPages + 1)]
    public void A_pin_of_0_or_of_more_than_256_pages_is_EINVAL(int pages)
    {
        using var driver = new DriverHarness();
        driver.Loan!.LendToDriver();
        var status = Pin(driver.NewClient(), pages);
        Assert.Equal(BlockErrno.Invalid, status.Errno);
        Assert.Contains("pages", status.Message);
    }

    [Fact]
    public void A_pin_the_kernel_refuses_answers_its_errno_and_leaves_nothing_pinned()
    {
        var (driver, client) = Pinned();
        using var _ = driver;
        driver.Loan!.DriverDied();                                            // nothing lent now: dma_pin says EFAULT
        var status = Pin(client, 16);
        Assert.Equal(MemoryLoan.EFAULT, status.Errno);
        Assert.Contains("dma_pin", status.Message);
        Assert.Equal(BlockErrno.NotConnected, Read(client, 0, 0, 1).Errno);  // the earlier pin went with it
    }

    [Fact]
    public void A_driver_without_pin_support_answers_EINVAL_and_serves_slots_on()
    {
        using var driver = new DriverHarness(pins: false);
        var client = driver.NewClient();
        Assert.Equal(BlockErrno.Invalid, Pin(client, 16).Errno);
        Assert.Equal(BlockErrno.NotConnected, Read(client, 0, 0, 1).Errno);
        driver.Connect(client);
        Assert.True(client.Call(BlockContracts.Read, new TransferRequest(0, 0, 1), 10_000).Value.IsOk);
    }

    [Fact]
    public void A_device_error_during_a_direct_read_is_EIO()
    {
        var (driver, client) = Pinned();
        using var _ = driver;
        driver.Disk.DeviceErrorsToReport = 1;
        Assert.Equal(BlockErrno.IoError, Read(client, 0, 0, 8).Errno);
        Assert.True(Read(client, 0, 0, 8).IsOk);
    }

    // ---- fs's client ------------------------------------------------------------------------

    [Fact]
    public void The_client_lends_and_pins_once_then_reads_straight_into_its_window()
    {
        using var driver = new DriverHarness(sectors: 4096);
        var data = Pattern(64 * 1024, 2);
        data.CopyTo(driver.Disk.Contents.AsSpan(1000 * 512));
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window, loan: driver.Loan);
        Assert.True(device.ReadIntoWindow(3 * 65536, 1000, 128));
        Assert.True(device.ReadIntoWindow(4 * 65536, 1000, 8));
        Assert.Equal(data, driver.Loan!.Bytes(3 * 65536, data.Length).ToArray());
        Assert.Equal(data.AsSpan(0, 4096).ToArray(), driver.Loan.Bytes(4 * 65536, 4096).ToArray());
        Assert.Equal((2L, 1L, 1), (device.DirectReads, device.Pins, driver.Loan.Lends));
        Assert.Null(device.DirectOffReason);
    }

    [Fact]
    public void A_driver_dying_in_the_middle_of_a_direct_read_is_invisible_its_successor_pins_again_and_reads()
    {
        using var driver = new DriverHarness(sectors: 4096);
        var data = Pattern(16 * 512, 3);
        data.CopyTo(driver.Disk.Contents.AsSpan(50 * 512));
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window, loan: driver.Loan);
        Assert.True(device.ReadIntoWindow(0, 0, 1));
        driver.Disk.BeforeNextTransfer = driver.DieInTheMiddle;
        Assert.True(device.ReadIntoWindow(8192, 50, 16));
        Assert.Equal(data, driver.Loan!.Bytes(8192, data.Length).ToArray());
        Assert.Equal((2L, 2, 2, 1L), (device.Pins, driver.Loan.Lends, driver.Instances, device.Reissued));
    }

    [Fact]
    public void A_driver_restarted_while_idle_answers_ENOTCONN_and_the_client_lends_pins_and_reads_again()
    {
        using var driver = new DriverHarness(sectors: 4096);
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window, loan: driver.Loan);
        Assert.True(device.ReadIntoWindow(0, 0, 1));
        driver.KillAndRestart();
        driver.Disk.Contents[7 * 512] = 0xAB;
        Assert.True(device.ReadIntoWindow(4096, 7, 1));
        Assert.Equal(0xAB, driver.Loan!.Bytes(4096, 1)[0]);
        Assert.Equal((2L, 2), (device.Pins, driver.Loan.Lends));
    }

    [Fact]
    public void A_driver_that_refuses_pins_turns_direct_reads_off_and_the_caller_falls_back()
    {
        using var driver = new DriverHarness(pins: false);
        var loan = new MemoryLoan();
        try
        {
            var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window, loan: loan);
            Assert.False(device.ReadIntoWindow(0, 0, 1));
            Assert.Contains("refused the pin", device.DirectOffReason);
            Assert.False(device.ReadIntoWindow(0, 0, 1));
            Assert.Equal(1, loan.Lends);                                      // not asked again
            var back = new byte[512];
            device.ReadBlocks(0, back);                                       // slots still work
        }
        finally { loan.Dispose(); }
    }

    [Fact]
    public void A_loan_the_kernel_refuses_turns_direct_reads_off_with_its_errno()
    {
        using var driver = new DriverHarness();
        driver.Loan!.LendErrno = 17;                                          // EEXIST: something of the driver's is there
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window, loan: driver.Loan);
        Assert.False(device.ReadIntoWindow(0, 0, 1));
        Assert.Contains("errno 17", device.DirectOffReason);
        Assert.Equal(0, driver.Loan.PinCalls);
    }

    [Fact]
    public void A_device_error_on_a_direct_read_is_EIO_for_the_file_system()
    {
        using var driver = new DriverHarness();
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window, loan: driver.Loan);
        driver.Disk.DeviceErrorsToReport = 1;
        var e = Assert.Throws<Biscuit.Fs.FsException>(() => device.ReadIntoWindow(0, 0, 1));
        Assert.Equal(Biscuit.Fs.FsError.EIO, e.Error);
    }
}
