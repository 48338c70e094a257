// The head of a NativeAOT MethodTable (the runtime type descriptor ILC emits for every type).
// Layout is a contract with ILC 10 (src/coreclr/nativeaot/Runtime/inc/MethodTable.h): flags whose low
// 16 bits are the array element size, the base size (object header included), the related type
// (base class, or element type of an array), counts of vtable slots and interfaces, a hash code;
// then the vtable, then the interface map.
namespace Internal.Runtime
{
    internal unsafe struct MethodTable
    {
        internal ushort ComponentSize;      // bytes per array element; 0 for non-arrays
        internal ushort Flags;
        internal uint BaseSize;             // bytes, including the 8-byte header before the MethodTable pointer
        internal MethodTable* RelatedType;  // base type for classes, element type for arrays
        internal ushort NumVtableSlots;
        internal ushort NumInterfaces;
        internal uint HashCode;

        // The element-type code sits in bits 26..30 of the 32-bit flags word, i.e. bits 10..14 of
        // the upper half kept in Flags (EETypeElementType in the runtime's sources).
        private const int ElementTypeInterface = 0x15, ElementTypeArray = 0x17, ElementTypeSzArray = 0x18;
        private int ElementType => (Flags >> 10) & 0x1F;

        internal bool IsArray => ElementType == ElementTypeArray || ElementType == ElementTypeSzArray;
        internal bool IsInterface => ElementType == ElementTypeInterface;

        internal MethodTable** InterfaceMap
        {
            get
            {
                fixed (MethodTable* self = &this)
                    return (MethodTable**)((byte*)self + sizeof(MethodTable) + NumVtableSlots * sizeof(nint));
            }
        }
    }
}
