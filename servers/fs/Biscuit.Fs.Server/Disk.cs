// The root disk: finds the device manager among the initial handles (init passes it after the
// other handles to a manifest line with `devices`) and opens the virtio-blk device with it.
using Biscuit.Lib.Kernel;
using Biscuit.VirtioBlk;

static class Disk
{
    public static VirtioBlockDevice? Open(out string reason)
    {
        Handle deviceManager = default;
        for (int slot = 0; slot < 8; slot++)
        {
            var h = Handle.Initial(slot);
            var info = h.Info();
            if (info.IsOk && info.Value.Type == CapabilityType.DeviceManager) deviceManager = h;
        }
        if (deviceManager.IsNone)
        {
            reason = "no device manager handle (manifest option `devices`)";
            return null;
        }
        var interrupt = Notification.Create();
        if (!interrupt.IsOk)
        {
            reason = "no notification for the disk's interrupt: " + interrupt.Error.Symbol();
            return null;
        }
        return VirtioBlockDevice.Open(deviceManager, interrupt.Value, 1, out reason);
    }
}
