// The root disk: the block driver server (drivers/virtio-blk, manifest line `blk`) on initial handle
// 1 — fs's line names blk as its first USES — reached through RemoteBlockDevice, its slot window
// granted at KernelBlockWindow.DefaultAddress. fs itself claims no device. With a loan (fs's data
// window, lent to blk at its first direct read), large reads go straight into the window (WindowDisk.cs).
using Biscuit.Fs;
using Biscuit.Fs.Service;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;

static class Disk
{
    public static RemoteBlockDevice? Open(IWindowLoan? loan, out string reason)
    {
        var driver = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))));
        try
        {
            var disk = RemoteBlockDevice.Open(driver, new KernelBlockWindow(KernelBlockWindow.DefaultAddress), loan: loan);
            reason = "";
            return disk;
        }
        catch (FsException e)
        {
            reason = e.Message + " (is `blk` the first USES of this manifest line?)";
            return null;
        }
    }
}
