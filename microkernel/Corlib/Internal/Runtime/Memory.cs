// Byte copies and fills for the core library and for the names ILC binds (SpanHelpers.Memmove and
// friends, Buffer.BulkMoveWithWriteBarrier). Plain loops: the kernel moves little memory at boot, and
// compiler-generated struct copies use SSE directly.
using System.Runtime.CompilerServices;

namespace Internal.Runtime
{
    public static unsafe class Memory
    {
        public static void Zero(byte* p, nuint n)
        {
            for (nuint i = 0; i < n; i++) p[i] = 0;
        }

        public static void Fill(byte* p, byte value, nuint n)
        {
            for (nuint i = 0; i < n; i++) p[i] = value;
        }

        // Correct for overlapping ranges in either direction.
        public static void Move(byte* dst, byte* src, nuint n)
        {
            if (dst == src || n == 0) return;
            if (dst < src || dst >= src + n)
                for (nuint i = 0; i < n; i++) dst[i] = src[i];
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
