// The IPC buffer: one page per thread, reserved when the thread is made and mapped into its
// process, so no IPC path allocates. A message is the header below plus up to MaxPayload bytes;
// the kernel copies it from the sender's buffer to the receiver's (both are kernel frames, read
// through the physical window: no user pointers are involved in a transfer).
//   offset  0  Label         the sender's tag (a request type; in a reply, a status)
//           8  Length        payload bytes, at most MaxPayload
//          12  HandleCount   handles to transfer, at most MaxHandles
//          16  Handles[4]    sender: its handles to pass; receiver: the new handles in its table
//          32  Badge         written by the kernel on receive: the badge of the sender's capability
//          40  Dropped       written by the kernel: handles that could not be delivered (table full)
//          64  Payload
using System.Runtime.InteropServices;

namespace Biscuit.Kernel.Ipc
{
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct MessageHeader
    {
        public const int MaxHandles = 4, HeaderBytes = 64, MaxPayload = 4096 - HeaderBytes;

        public ulong Label;
        public uint Length;
        public uint HandleCount;
        public fixed uint Handles[MaxHandles];
        public ulong Badge;
        public ulong Dropped;
        public fixed ulong Reserved[2];
    }
}
