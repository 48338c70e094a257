// fs's client of the block driver (servers/fs/Biscuit.Fs.Service/RemoteBlockDevice.cs) against the
// real handlers over a memory disk: blocks go through the slot window, and when the driver dies —
// in the middle of a request, or while idle — the client connects to the new instance and issues
// the request again, so the file system never sees the death. Errors the device reports, and a
// driver that never comes back, are EIO. The window is never touched while unmapped (MemoryWindow
// throws if it is: on Biscuit that touch would kill fs).
using Biscuit.Fs;
using Biscuit.Fs.Service;

namespace Biscuit.VirtioBlk.Tests;

public class RemoteBlockDeviceTests
{
    private static byte[] Pattern(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public void Writes_and_reads_larger_than_a_slot_reach_the_disk_and_come_back()
    {
        using var driver = new DriverHarness(sectors: 2048, slotBytes: 8192);
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window);
        Assert.Equal((512, 2048L), (device.BlockSize, device.BlockCount));
        var data = Pattern(40 * 512, 1);                     // 2.5 slots
        device.WriteBlocks(300, data);
        Assert.Equal(data, driver.Disk.Contents.AsSpan(300 * 512, data.Length).ToArray());
        var back = new byte[data.Length];
        device.ReadBlocks(300, back);
        Assert.Equal(data, back);
        Assert.Equal(6L, device.Requests);                    // 3 writes and 3 reads of at most a slot
        device.Flush();
        Assert.Equal(1, driver.Disk.Flushes);
    }

    [Fact]
    public void A_driver_that_dies_during_a_read_is_invisible_the_read_is_issued_again_to_its_successor()
    {
        using var driver = new DriverHarness();
        var data = Pattern(8 * 512, 2);
        data.CopyTo(driver.Disk.Contents.AsSpan(64 * 512));
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window);
        driver.Disk.BeforeNextTransfer = driver.DieInTheMiddle;
        var back = new byte[data.Length];
        device.ReadBlocks(64, back);
        Assert.Equal(data, back);
        Assert.Equal((1L, 2L, 2), (device.Reissued, device.Connects, driver.Instances));
    }

    [Fact]
    public void A_driver_that_dies_during_a_write_is_invisible_the_write_lands_through_its_successor()
    {
        using var driver = new DriverHarness();
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window);
        driver.Disk.BeforeNextTransfer = driver.DieInTheMiddle;
        var data = Pattern(16 * 512, 3);
        device.WriteBlocks(10, data);
        Assert.Equal(data, driver.Disk.Contents.AsSpan(10 * 512, data.Length).ToArray());
        Assert.Equal(1L, device.Reissued);
    }

    [Fact]
    public void After_a_driver_died_while_idle_the_next_write_reconnects_first_and_never_touches_the_vanished_window()
    {
        using var driver = new DriverHarness();
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window);
        driver.KillAndRestart();
        Assert.False(driver.Window.IsMapped());
        var data = Pattern(512, 4);
        device.WriteBlocks(7, data);
        Assert.Equal(data, driver.Disk.Contents.AsSpan(7 * 512, 512).ToArray());
        Assert.Equal((1L, 2L), (device.Reissued, device.Connects));
    }

    [Fact]
    public void A_new_driver_answering_ENOTCONN_makes_the_client_connect_and_issue_again()
    {
        using var driver = new DriverHarness();
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window);
        // The old instance is gone and a new one serves, but the window "stays" mapped (as if the
        // client had not looked): the new driver's ENOTCONN alone must trigger the reconnect.
        driver.KillAndRestart();
        driver.Window.GrantToCaller(MemoryWindow.ClientAddress);
        var back = new byte[512];
        device.ReadBlocks(0, back);
        Assert.Equal((1L, 2L), (device.Reissued, device.Connects));
    }

    [Fact]
    public void A_flush_whose_driver_died_is_issued_again()
    {
        using var driver = new DriverHarness();
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window);
        driver.KillAndRestart();
        device.Flush();
        Assert.Equal(1, driver.Disk.Flushes);
        Assert.Equal(2L, device.Connects);
    }

    [Fact]
    public void A_device_error_is_EIO_for_the_file_system_and_not_retried()
    {
        using var driver = new DriverHarness();
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window);
        driver.Disk.DeviceErrorsToReport = 1;
        var e = Assert.Throws<FsException>(() => device.ReadBlocks(3, new byte[512]));
        Assert.Equal(FsError.EIO, e.Error);
        Assert.Contains("device status", e.Message);
        Assert.Equal(0L, device.Reissued);
    }

    [Fact]
    public void A_driver_that_never_comes_back_is_EIO_after_the_give_up_time()
    {
        using var driver = new DriverHarness();
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window, TimeSpan.FromMilliseconds(300));
        driver.Kill();
        driver.Endpoint.Close();     // no new instance will ever receive
        var e = Assert.Throws<FsException>(() => device.WriteBlocks(0, new byte[512]));
        Assert.Equal(FsError.EIO, e.Error);
    }

    [Fact]
    public void Open_fails_with_EIO_saying_why_when_the_grant_is_refused()
    {
        using var driver = new DriverHarness();
        driver.Window.GrantErrno = 17;
        var e = Assert.Throws<FsException>(() => RemoteBlockDevice.Open(driver.NewClient(), driver.Window));
        Assert.Equal(FsError.EIO, e.Error);
        Assert.Contains("errno 17", e.Message);
    }

    [Fact]
    public void A_file_system_survives_driver_deaths_in_the_middle_of_its_work()
    {
        using var driver = new DriverHarness(sectors: 8192, slotBytes: 16384);
        var device = RemoteBlockDevice.Open(driver.NewClient(), driver.Window);
        var files = Enumerable.Range(0, 12).Select(i => Pattern(3000 + 1000 * i, 100 + i)).ToList();
        int deaths = 0;
        for (int i = 0; i < files.Count; i++)
        {
            if (i % 3 == 1) { driver.Disk.BeforeNextTransfer = driver.DieInTheMiddle; deaths++; }
            var offset = 200 + 64 * i;
            device.WriteBlocks(offset, Padded(files[i]));
        }
        for (int i = 0; i < files.Count; i++)
        {
            if (i % 4 == 0) { driver.Disk.BeforeNextTransfer = driver.DieInTheMiddle; deaths++; }
            var back = new byte[Padded(files[i]).Length];
            device.ReadBlocks(200 + 64 * i, back);
            Assert.Equal(Padded(files[i]), back);
        }
        Assert.Equal(deaths, (int)device.Reissued);
        Assert.Equal(deaths + 1, driver.Instances);
    }

    private static byte[] Padded(byte[] data)
    {
        var padded = new byte[(data.Length + 511) / 512 * 512];
        data.CopyTo(padded, 0);
        return padded;
    }
}
