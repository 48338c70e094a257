// A system call's outcome as a value: either a result of type T or a KernelError, never both.
// Used by the typed wrappers (Endpoint.Create, Handle.Duplicate...) instead of exceptions.
namespace Biscuit.Lib.Kernel;

public readonly struct KernelResult<T>
{
    private readonly T value;

    public KernelError Error { get; }
    public bool IsOk => Error == KernelError.None;

    /// <summary>The result; reading it after a failure is a programming error and throws.</summary>
    public T Value => IsOk ? value : throw new InvalidOperationException("system call failed: " + Error.Symbol());

    private KernelResult(T value, KernelError error)
    {
        this.value = value;
        Error = error;
    }

    public static KernelResult<T> Ok(T value) => new(value, KernelError.None);

    public static KernelResult<T> Fail(KernelError error) =>
        error == KernelError.None ? throw new ArgumentException("a failure needs an error", nameof(error)) : new(default!, error);

    public bool TryGetValue(out T result)
    {
        result = value;
        return IsOk;
    }

    public override string ToString() => IsOk ? $"Ok({value})" : Error.Symbol();
}
