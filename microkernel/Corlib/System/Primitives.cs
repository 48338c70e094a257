// The primitive value types. ILC lays them out specially (their "field" would be themselves),
// so they carry no fields here; arithmetic is the compiler's.
namespace System
{
    public struct Boolean { }
    public struct Char { }
    public struct SByte { }
    public struct Byte { public const byte MaxValue = 255; }
    public struct Int16 { }
    public struct UInt16 { public const ushort MaxValue = 0xffff; }
    public struct Int32
    {
        public const int MaxValue = 0x7fffffff;
        public const int MinValue = unchecked((int)0x80000000);
    }
    public struct UInt32 { public const uint MaxValue = 0xffffffff; }
    public struct Int64
    {
        public const long MaxValue = 0x7fffffffffffffffL;
        public const long MinValue = unchecked((long)0x8000000000000000L);
    }
    public struct UInt64 { public const ulong MaxValue = 0xffffffffffffffffUL; }
    public struct IntPtr { }
    public struct UIntPtr { }
    public struct Single { }
    public struct Double { }
}
