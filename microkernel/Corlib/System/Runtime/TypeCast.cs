// Casting helpers ILC calls for `is`, `as`, casts and stores into reference-type arrays.
// The rules (ECMA-335 §I.8.7): a class casts to itself and its bases (walk RelatedType); to an
// interface if the interface is in the object's interface map. Array variance is not supported:
// storing into an array of references requires the exact element type or a class derived from it.
// A failed checked cast is a panic (the kernel has no exceptions).
using Internal.Runtime;
using System.Runtime.CompilerServices;

namespace System.Runtime
{
    internal static unsafe class TypeCast
    {
        private static bool DerivesFrom(MethodTable* type, MethodTable* target)
        {
            for (MethodTable* t = type; t != null; t = t->RelatedType)
                if (t == target) return true;
            return false;
        }

        private static bool Implements(MethodTable* type, MethodTable* iface)
        {
            for (MethodTable* t = type; t != null; t = t->IsArray ? null : t->RelatedType)
            {
                MethodTable** map = t->InterfaceMap;
                for (int i = 0; i < t->NumInterfaces; i++)
                    if (map[i] == iface) return true;
            }
            return false;
        }

        private static bool IsAssignable(MethodTable* type, MethodTable* target)
        {
            if (type == target) return true;
            if (target->IsInterface) return Implements(type, target);
            if (type->IsArray) return false;
            return DerivesFrom(type, target);
        }

        public static object IsInstanceOfClass(MethodTable* target, object obj) =>
            obj == null || DerivesFrom(obj.m_pMethodTable, target) ? obj : null;

        public static object IsInstanceOfInterface(MethodTable* target, object obj) =>
            obj == null || Implements(obj.m_pMethodTable, target) ? obj : null;

        public static object IsInstanceOfAny(MethodTable* target, object obj) =>
            obj == null || IsAssignable(obj.m_pMethodTable, target) ? obj : null;

        // Used by catch clauses; the kernel has none that can run, but ILC binds the name.
        public static bool IsInstanceOfException(MethodTable* target, object obj) =>
            obj != null && DerivesFrom(obj.m_pMethodTable, target);

        public static object CheckCastClass(MethodTable* target, object obj) => Check(IsInstanceOfClass(target, obj), obj);
        public static object CheckCastClassSpecial(MethodTable* target, object obj) => Check(IsInstanceOfClass(target, obj), obj);
        public static object CheckCastInterface(MethodTable* target, object obj) => Check(IsInstanceOfInterface(target, obj), obj);
        public static object CheckCastAny(MethodTable* target, object obj) => Check(IsInstanceOfAny(target, obj), obj);

        private static object Check(object result, object obj)
        {
            if (result == null && obj != null)
                RuntimeFailure.Report(FailureReason.InvalidCast, (nuint)obj.m_pMethodTable);
            return result;
        }

        private struct ArrayElement { public object Value; }

        public static void StelemRef(object[] array, nint index, object obj)
        {
            if ((nuint)index >= (nuint)array.Length)
                RuntimeFailure.Report(FailureReason.IndexOutOfRange, (nuint)index);
            if (obj != null && !IsAssignable(obj.m_pMethodTable, array.m_pMethodTable->RelatedType))
                RuntimeFailure.Report(FailureReason.ArrayTypeMismatch, (nuint)obj.m_pMethodTable);
            Unsafe.As<ArrayElement[]>(array)[index].Value = obj;
        }

        public static ref object LdelemaRef(object[] array, nint index, MethodTable* elementType)
        {
            if (elementType != array.m_pMethodTable->RelatedType)
                RuntimeFailure.Report(FailureReason.ArrayTypeMismatch, (nuint)elementType);
            return ref Unsafe.As<ArrayElement[]>(array)[index].Value;
        }
    }
}
