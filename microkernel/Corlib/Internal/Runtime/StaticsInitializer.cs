// Start-up work the .NET runtime normally does and the kernel must do itself, once, at boot:
// allocate the objects that hold each type's static fields of reference type (the GC static
// region), copy in the data ILC pre-computed for them, and run the eager class constructors.
// Format (ILC 10, a contract): the __modules section holds pointers to ReadyToRun headers
// ("RTR", sections of {id, flags, start, end}); the GC static region (section 201) is an array
// of 32-bit self-relative pointers to cells; each cell holds a 32-bit self-relative pointer to a
// MethodTable whose low bits say "uninitialised" (1) and "has pre-initialised data" (2), and in
// the latter case the next 32 bits point (self-relative) at that data. Once the object exists, the
// whole 64-bit cell is overwritten with the object's address.
namespace Internal.Runtime
{
    public static unsafe class StaticsInitializer
    {
        private const uint ReadyToRunSignature = 0x00525452; // "RTR"
        private const int GCStaticRegion = 201, EagerClassConstructors = 205;
        private const nint Uninitialized = 1, HasPreInitializedData = 2, FlagMask = 3;

        private struct Header
        {
            public uint Signature;
            public ushort MajorVersion, MinorVersion;
            public uint Flags;
            public ushort NumberOfSections;
            public byte EntrySize, EntryType;
        }

        private struct Section
        {
            public int Id, Flags;
            public byte* Start, End;
        }

        // Returns the number of static blocks allocated, or -1 if a module header is malformed.
        public static int Run(void** modulesStart, void** modulesEnd)
        {
            int blocks = 0;
            for (void** module = modulesStart; module < modulesEnd; module++)
            {
                Header* header = (Header*)*module;
                if (header == null) continue;
                if (header->Signature != ReadyToRunSignature || header->EntrySize != sizeof(Section))
                    return -1;
                Section* sections = (Section*)(header + 1);
                for (int i = 0; i < header->NumberOfSections; i++)
                    if (sections[i].Id == GCStaticRegion)
                        blocks += InitializeGCStatics(sections[i].Start, sections[i].End);
                for (int i = 0; i < header->NumberOfSections; i++)
                    if (sections[i].Id == EagerClassConstructors)
                        for (byte* p = sections[i].Start; p < sections[i].End; p += sizeof(int))
                            ((delegate*<void>)RelativeTarget(p))();
            }
            return blocks;
        }

        private static int InitializeGCStatics(byte* start, byte* end)
        {
            int count = 0;
            for (byte* entry = start; entry < end; entry += sizeof(int))
            {
                nint* cell = (nint*)RelativeTarget(entry);
                nint typeAndFlags = (nint)RelativeTarget((byte*)cell);
                if ((typeAndFlags & Uninitialized) == 0) continue;
                MethodTable* type = (MethodTable*)(typeAndFlags & ~FlagMask);
                byte* obj = (byte*)BootArena.AllocateObject(type->BaseSize);
                *(MethodTable**)obj = type;
                if ((typeAndFlags & HasPreInitializedData) != 0)
                {
                    byte* data = RelativeTarget((byte*)((int*)cell + 1));
                    Memory.Move(obj + sizeof(nint), data, type->BaseSize - 2 * (nuint)sizeof(nint));
                }
                *cell = (nint)obj;
                count++;
            }
            return count;
        }

        private static byte* RelativeTarget(byte* p) => p + *(int*)p;
    }
}
