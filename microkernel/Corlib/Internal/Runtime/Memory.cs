// Byte copies and fills for the core library and for the names ILC binds (SpanHelpers.Memmove and
// friends, Buffer.BulkMoveWithWriteBarrier). They run often after boot — zeroing every frame a page
// fault takes, copying every IPC message and system-call buffer (UserMemory) — so they move 8 bytes
// per store where they can (bytes only for an unaligned head and a tail). Not REP STOSB/MOVSB, the
// choice on hardware: QEMU's TCG, which every run here uses, ends a translated block after each
// iteration of a REP string instruction (target/i386 translate.c, gen_repz), 4096 block exits for a
// page against 512 loop iterations here. ipcbench's page_fault_phases shows the zeroing's cost.
using System.Runtime.CompilerServices;

namespace Internal.Runtime
{
    public static unsafe class Memory
    {
        public static void Zero(byte* p, nuint n) => Fill(p, 0, n);

        public static void Fill(byte* p, byte value, nuint n)
        {
            while (n != 0 && ((nuint)p & 7) != 0) { *p++ = value; n--; }
            ulong word = value * 0x0101010101010101UL;
            for (; n >= 8; n -= 8, p += 8) *(ulong*)p = word;
            while (n-- != 0) *p++ = value;
        }

        // Correct for overlapping ranges in either direction: forward unless the destination starts
        // inside the source (then backward, bytewise, so no byte is read after it was overwritten).
        public static void Move(byte* dst, byte* src, nuint n)
        {
            if (dst == src || n == 0) return;
            if (dst < src || dst >= src + n)
            {
                // Forward, 8 bytes at a time once the destination is aligned (x86 allows unaligned
                // loads, Intel SDM Vol. 1 §4.1.1). Overlap with dst < src is safe: each word is read
                // before any byte at or after it is written.
                while (n != 0 && ((nuint)dst & 7) != 0) { *dst++ = *src++; n--; }
                for (; n >= 8; n -= 8, dst += 8, src += 8) *(ulong*)dst = *(ulong*)src;
                while (n-- != 0) *dst++ = *src++;
            }
            else
                for (nuint i = n; i > 0; i--) dst[i - 1] = src[i - 1];
        }
    }
}

namespace System
{
    internal static unsafe class SpanHelpers
    {
        internal static void Memmove(ref byte destination, ref byte source, nuint len) =>
            Internal.Runtime.Memory.Move((byte*)Unsafe.AsPointer(ref destination), (byte*)Unsafe.AsPointer(ref source), len);

        internal static void ClearWithoutReferences(ref byte b, nuint byteLength) =>
            Internal.Runtime.Memory.Zero((byte*)Unsafe.AsPointer(ref b), byteLength);

        internal static void ClearWithReferences(ref nint ip, nuint pointerSizeLength) =>
            Internal.Runtime.Memory.Zero((byte*)Unsafe.AsPointer(ref ip), pointerSizeLength * (nuint)sizeof(nint));

        internal static void Fill(ref byte destination, byte value, nuint len) =>
            Internal.Runtime.Memory.Fill((byte*)Unsafe.AsPointer(ref destination), value, len);
    }

    internal static unsafe class Buffer
    {
        // No GC, so no write barrier is needed: a plain move.
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount) =>
            Internal.Runtime.Memory.Move((byte*)Unsafe.AsPointer(ref destination), (byte*)Unsafe.AsPointer(ref source), byteCount);

        internal static void Memmove(ref byte destination, ref byte source, nuint len) =>
            Internal.Runtime.Memory.Move((byte*)Unsafe.AsPointer(ref destination), (byte*)Unsafe.AsPointer(ref source), len);
    }
}
