// Biscuit's own system calls, numbered from SyscallDispatch.NativeBase (0x800); Syscalls.md is
// the table of names, arguments and errors. Each handler lives with its subsystem's calls.
using Biscuit.Kernel.Arch.X64;
using Biscuit.Kernel.Threads;

namespace Biscuit.Kernel.Syscalls
{
    internal static unsafe class NativeCalls
    {
        public static long Handle(Thread* t, InterruptFrame* f, ulong number)
        {
            ulong a0 = f->Rdi, a1 = f->Rsi, a2 = f->Rdx, a3 = f->R10, a4 = f->R8, a5 = f->R9;
            switch (number)
            {
                case 0x800: return Linux.FileCalls.ConsoleWrite(t, a0, a1);
                case 0x801: return ThreadCalls.Create(t, a0, a1, a2, a3);
                case 0x802: ThreadControl.Exit(t, (int)a0); return 0;
                case 0x803: Scheduler.Yield(); return 0;
                case 0x804: return ThreadCalls.Sleep(t, a0);
                case 0x805: return ThreadCalls.SetPriority(t, a0);
                case 0x806: return (long)t->IpcBufferUser;
                case 0x807: return (long)Time.Ticks.Count;
                case 0x808: return ThreadCalls.SystemInfo(t, a0, a1);

                case 0x810: return ProcessCalls.Spawn(t, a0, a1, a2, a3, a4, a5);
                case 0x811: return ProcessCalls.Watch(t, a0, a1, a2);
                case 0x812: return ProcessCalls.Status(t, a0);
                case 0x813: return ProcessCalls.Kill(t, a0);
                case 0x814: Processes.ProcessControl.Exit(t->Process, ((int)a0 & 0xFF) << 8); return 0;
                case 0x815: return ProcessCalls.SetLimits(t, a0, a1, a2, a3);
                case 0x816: return ProcessCalls.ReadModule(t, a0, a1, a2, a3, a4);
                case 0x817: return ApplicationCalls.Create(t, a0, a1, a2, a3);
                case 0x818: return ApplicationCalls.SetPersonality(t, a0, a1);
                case 0x819: return ApplicationCalls.Transfer(t, a0, a1, a2, a3, intoTarget: false);
                case 0x81A: return ApplicationCalls.Transfer(t, a0, a1, a2, a3, intoTarget: true);
                case 0x81B: return ApplicationCalls.Mmap(t, a0, a1, a2, a3, a4);
                case 0x81C: return ApplicationCalls.Mprotect(t, a0, a1, a2, a3);
                case 0x81D: return ApplicationCalls.Start(t, a0, a1, a2, a3);
                case 0x81E: return ApplicationCalls.ReplyPending(t);
                case 0x81F: return ApplicationCalls.Fork(t, a0, a1, a2, a3, a4, a5);
                case 0x870: return ApplicationCalls.SetPid(t, a0, a1);
                case 0x871: return ApplicationCalls.Signal(t, a0, a1, a2, a3, a4, a5);
                case 0x872: return Processes.FaultInjection.Inject(t, a0, a1);
                case 0x87C: return Threads.CpuAccounting.Census(t, a0, a1);
                case 0x87D: return Processes.OrphanedApplications.KillAll(t, a0);

                case 0x820: return IpcCalls.CreateEndpoint(t);
                case 0x821: return IpcCalls.Call(t, a0, a1);
                case 0x822: return IpcCalls.Send(t, a0, a1);
                case 0x823: return IpcCalls.Receive(t, a0, a1);
                case 0x824: return IpcCalls.ReplyReceive(t, a0, a1);
                case 0x825: return Ipc.Endpoint.Reply(t);
                case 0x830: return IpcCalls.CreateNotification(t);
                case 0x831: return IpcCalls.Signal(t, a0, a1);
                case 0x832: return IpcCalls.Wait(t, a0, a1, mayBlock: true);
                case 0x833: return IpcCalls.Wait(t, a0, 0, mayBlock: false);

                case 0x840: return HandleCalls.Duplicate(t, a0, a1, a2);
                case 0x841: return HandleCalls.Close(t, a0);
                case 0x842: return HandleCalls.Info(t, a0);

                case 0x850: return MemoryCalls.Map(t, a0, a1, a2);
                case 0x851: return MemoryCalls.Unmap(t, a0, a1);
                case 0x852: return MemoryCalls.CreateGrant(t, a0, a1, a2, a3, a4);
                case 0x853: return HandleCalls.CloseTyped(t, a0, Capabilities.CapabilityType.Grant);
                case 0x854: return Memory.MemoryAccounting.Info(t, a0, a1, a2);
                case 0x855: return Memory.MemoryAccounting.SetQuota(t, a0, a1);
                case 0x856: return Memory.MemoryCensus.Census(t, a0, a1, a2);
                case 0x857: return Memory.MemoryCensus.Kill(t, a0, a1);
                case 0x858: return Memory.FaultCensus.Read(t, a0);
                case 0x859: return Memory.Pager.Set(t, a0, a1);
                case 0x85A: return Memory.PagerFaults.Supply(t, a0, a1, a2);
                case 0x85B: return Memory.PagerCensus.Read(t, a0);

                case 0x860: return DeviceCalls.PciInfo(t, a0, a1);
                case 0x861: return DeviceCalls.Claim(t, a0, a1, a2, a3);
                case 0x862: return DeviceCalls.BindIrq(t, a0, a1, a2);
                case 0x863: return DeviceCalls.AcknowledgeIrq(t, a0);
                case 0x864: return DeviceCalls.MapMmio(t, a0, a1);
                case 0x865: return DeviceCalls.PortRead(t, a0, a1, a2);
                case 0x866: return DeviceCalls.PortWrite(t, a0, a1, a2, a3);
                case 0x867: return DeviceCalls.AllocateDma(t, a0, a1);
                case 0x868: return DeviceCalls.ClaimIrq(t, a0, a1);
                case 0x869: return DeviceCalls.ClaimPorts(t, a0, a1, a2);
                case 0x86A: return Devices.ConsoleInput.Claim(t, a0);
                case 0x86B: return Devices.ConsoleInput.Read(t, a0, a1, a2, a3);
                case 0x86C: return Devices.ConsoleInput.Stats(t, a0, a1);
                case 0x86D: return Devices.DmaPins.Pin(t, a0, a1, a2);
                case 0x86E: return Devices.DmaPins.Unpin(t, a0);
                default: return -Errno.ENOSYS;
            }
        }
    }
}
