// Type identity: the runtime handles, Type and RuntimeType. The kernel does no reflection; these
// exist because the compilers name them (typeof, ldtoken).
namespace System
{
    public struct RuntimeTypeHandle { }
    public struct RuntimeMethodHandle { }
    public struct RuntimeFieldHandle { }

    public abstract class Type { }
    public sealed class RuntimeType : Type { }

    public struct Nullable<T> where T : struct
    {
        private readonly bool hasValue;
        internal T value;

        public Nullable(T value) { this.value = value; hasValue = true; }
        public bool HasValue => hasValue;
        public T GetValueOrDefault() => value;
    }

    public interface IDisposable { void Dispose(); }

    // The kernel never throws: every throw site is a panic (see RuntimeFailure). The type exists
    // because the C# compiler and ILC name it.
    public class Exception
    {
        public Exception() { }
        public Exception(string message) { }
    }
}

namespace System.Collections
{
    public interface IEnumerable { IEnumerator GetEnumerator(); }
    public interface IEnumerator { bool MoveNext(); object Current { get; } void Reset(); }
}
