// Resolves code addresses to symbol names for fault reports. The table is not linked into the
// kernel (that would change the addresses it describes): boot/Makefile writes it from `nm -n`
// as a text boot module, one "<hex address> <name>" line per code symbol in ascending order,
// and the kernel reads it in place.
// Invariant: read-only after Attach; lookups never allocate.
namespace Biscuit.Kernel.Diagnostics
{
    internal static unsafe class SymbolTable
    {
        // Set once at boot; the module's memory is reserved from the frame allocator.
        private static byte* s_text;
        private static ulong s_length;

        public static void Attach(byte* text, ulong length) { s_text = text; s_length = length; }
        public static bool Attached => s_text != null;

        public static void WriteLocation(ulong address)
        {
            byte* bestName = null;
            int bestLength = 0;
            ulong bestAddress = 0;
            ulong i = 0;
            while (i < s_length)
            {
                ulong symbolAddress = 0;
                while (i < s_length && s_text[i] != ' ')
                    symbolAddress = (symbolAddress << 4) | HexValue(s_text[i++]);
                i++;
                ulong nameStart = i;
                while (i < s_length && s_text[i] != '\n') i++;
                if (symbolAddress > address) break;
                bestAddress = symbolAddress;
                bestName = s_text + nameStart;
                bestLength = (int)(i - nameStart);
                i++;
            }
            if (bestName == null)
            {
                Console.Write("?? (no symbol table)");
                return;
            }
            Console.Write(bestName, bestLength);
            Console.Write("+");
            Console.WriteHex(address - bestAddress);
        }

        private static ulong HexValue(byte c) =>
            c >= '0' && c <= '9' ? (ulong)(c - '0') : c >= 'a' && c <= 'f' ? (ulong)(c - 'a' + 10) : (ulong)(c - 'A' + 10);
    }
}
