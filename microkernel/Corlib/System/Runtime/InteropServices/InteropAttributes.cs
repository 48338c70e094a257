// Layout and interop attributes: struct layout for hardware tables, and the entry-point attribute
// that lets assembly call into C#.
namespace System.Runtime.InteropServices
{
    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }

    public sealed class StructLayoutAttribute : Attribute
    {
        public int Size;
        public int Pack;
        public StructLayoutAttribute(LayoutKind layoutKind) { }
    }

    public sealed class FieldOffsetAttribute : Attribute { public FieldOffsetAttribute(int offset) { } }

    public enum CharSet { None = 1, Ansi = 2, Unicode = 3, Auto = 4 }
    public enum CallingConvention { Winapi = 1, Cdecl = 2, StdCall = 3, ThisCall = 4, FastCall = 5 }

    public sealed class DllImportAttribute : Attribute
    {
        public string EntryPoint;
        public CharSet CharSet;
        public bool ExactSpelling;
        public CallingConvention CallingConvention;
        public DllImportAttribute(string dllName) { }
    }

    public sealed class UnmanagedCallersOnlyAttribute : Attribute
    {
        public string EntryPoint;
        public Type[] CallConvs;
        public UnmanagedCallersOnlyAttribute() { }
    }

    public sealed class InAttribute : Attribute { }
    public sealed class OutAttribute : Attribute { }
    public sealed class SuppressGCTransitionAttribute : Attribute { }
}
