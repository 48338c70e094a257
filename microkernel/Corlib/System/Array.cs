// System.Array: the base of every array type. Layout (a contract with ILC): the MethodTable
// pointer, a 32-bit length, 32 bits of padding on x64, then the elements.
namespace System
{
    public abstract class Array
    {
        private readonly int _length;
        public int Length => _length;
    }

    // ILC builds the MethodTables of T[] on this generic base.
    public class Array<T> : Array { }
}
