// System.String. Layout is a contract with ILC: the length, then the first UTF-16 unit.
// Kernel strings are literals (frozen in the image); the kernel never builds strings at run time.
using System.Runtime.CompilerServices;

namespace System
{
    public sealed class String
    {
        private readonly int _length;
        private char _firstChar;

        public int Length => _length;

        [IndexerName("Chars")]
        public char this[int index]
        {
            [Intrinsic]
            get => Unsafe.Add(ref _firstChar, index);
        }
    }
}
