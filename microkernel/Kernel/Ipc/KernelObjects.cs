// Creation and reference counting of the objects capabilities name. Every capability (and every
// internal reference: an IRQ binding, a death watch) holds one count; Release frees the object
// when the last goes, after failing any thread still waiting on it.
using Biscuit.Kernel.Boot;
using Biscuit.Kernel.Capabilities;
using Biscuit.Kernel.Devices;
using Biscuit.Kernel.Memory;
using Biscuit.Kernel.Processes;
using Biscuit.Kernel.Syscalls;

namespace Biscuit.Kernel.Ipc
{
    public static unsafe class KernelObjects
    {
        private static ulong s_nextId = 1;

        public static Endpoint* NewEndpoint()
        {
            Endpoint* ep = (Endpoint*)BootMemory.Pool(PoolKind.Endpoints)->Take();
            if (ep == null) return null;
            ep->Id = s_nextId++;
            ep->Handles = 1;
            return ep;
        }

        public static Notification* NewNotification()
        {
            Notification* n = (Notification*)BootMemory.Pool(PoolKind.Notifications)->Take();
            if (n == null) return null;
            n->Id = s_nextId++;
            n->Handles = 1;
            return n;
        }

        public static void Retain(CapabilityType type, void* obj)
        {
            switch (type)
            {
                case CapabilityType.Endpoint: ((Endpoint*)obj)->Handles++; break;
                case CapabilityType.Notification: ((Notification*)obj)->Handles++; break;
                case CapabilityType.Process: ((Process*)obj)->Handles++; break;
            }
        }

        public static void Release(CapabilityType type, void* obj)
        {
            switch (type)
            {
                case CapabilityType.Endpoint:
                {
                    Endpoint* ep = (Endpoint*)obj;
                    if (--ep->Handles > 0) return;
                    Endpoint.FailAll(ep, -Errno.EBADF);
                    BootMemory.Pool(PoolKind.Endpoints)->Give((byte*)ep);
                    return;
                }
                case CapabilityType.Notification:
                {
                    Notification* n = (Notification*)obj;
                    if (--n->Handles > 0) return;
                    Notification.FailAll(n, -Errno.EBADF);
                    BootMemory.Pool(PoolKind.Notifications)->Give((byte*)n);
                    return;
                }
                case CapabilityType.Process:
                    ProcessControl.ReleaseHandle((Process*)obj);
                    return;
                case CapabilityType.Grant:
                    GrantControl.Revoke((Grant*)obj, free: true);
                    return;
                case CapabilityType.Irq:
                    IrqLines.Release((IrqBinding*)obj);
                    return;
            }
        }
    }
}
