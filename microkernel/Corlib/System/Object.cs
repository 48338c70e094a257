// System.Object and System.ValueType, System.Enum, System.Void: the roots of the type system.
// Invariant (a contract with ILC): the first field of every object is its MethodTable pointer.
using Internal.Runtime;

namespace System
{
    public class Object
    {
        // Set by the allocator; read by casts. Never changes after allocation.
        internal unsafe MethodTable* m_pMethodTable;

        public Object() { }
        ~Object() { }

        public virtual bool Equals(object obj) => this == obj;
        public virtual int GetHashCode() => 0;
        public virtual string ToString() => "object";
    }

    public abstract class ValueType { }

    public abstract class Enum : ValueType { }

    public struct Void { }
}
