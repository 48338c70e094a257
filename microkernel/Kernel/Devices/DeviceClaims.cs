// Which process holds each PCI device. device_claim records the claimant; when the claimant dies
// (ProcessControl.Exit) its claims end, so that a restarted driver can claim its device again
// (DESIGN.md §7: the NIC and block drivers are restarted like any server).
// Ending a claim, before the dead process's frames are given back:
//  * bus mastering is switched off (PCI Local Bus Specification 3.0 §6.2.2, Command register bit
//    2): a device left mastering could DMA into frames the kernel is about to hand to someone
//    else; memory and I/O decoding (bits 1, 0) go off too, and INTx is disabled (bit 10) so a
//    device nobody drives cannot hold a shared interrupt line asserted;
//  * the device's Mmio/IoPorts capabilities, wherever the holder passed them, go stale
//    (DeviceRanges: their epoch moves on); its Irq binding went with the holder's handles;
//  * the device is unclaimed: the next device_claim re-enables it, and the new driver resets it;
//  * the process's DMA pins end (DmaPins.cs), after bus mastering went off above.
// Invariant: Claimed != 0 exactly when s_claimant holds a process id; epochs only grow.
using Biscuit.Kernel.Processes;

namespace Biscuit.Kernel.Devices
{
    public static unsafe class DeviceClaims
    {
        private struct Ids { public fixed ulong Values[Pci.MaxDevices]; }
        private static Ids s_claimant;       // process Id holding each device; 0 = none
        private static uint s_lastEpoch;     // the epoch of the latest claim (never reused)

        public static bool IsClaimed(int device) => Pci.Device(device)->Claimed != 0;

        /// <summary>True if `p` holds a claim on some device (dma_pin's authority, DmaPins.cs).</summary>
        public static bool HoldsAny(Process* p)
        {
            for (int i = 0; i < Pci.Count; i++)
                if (p->Id != 0 && s_claimant.Values[i] == p->Id) return true;
            return false;
        }

        /// <summary>Records `p` as the holder of `device`; returns the new claim's epoch.</summary>
        public static uint Take(int device, Process* p)
        {
            s_claimant.Values[device] = p->Id;
            Pci.Device(device)->Claimed = 1;
            return ++s_lastEpoch;
        }

        /// <summary>Ends every claim `p` holds (p is dying); returns how many ended.</summary>
        public static int ReleaseAllOf(Process* p)
        {
            int released = 0;
            for (int i = 0; i < Pci.Count; i++)
            {
                if (s_claimant.Values[i] != p->Id || p->Id == 0) continue;
                PciDevice* d = Pci.Device(i);
                Pci.DisableAfterDriver(d);
                DeviceRanges.Retire(i);
                s_claimant.Values[i] = 0;
                d->Claimed = 0;
                released++;
            }
            // Bus mastering is off for every device p drove: the frames it pinned may go.
            DmaPins.ReleaseAllOf(p);
            return released;
        }
    }
}
