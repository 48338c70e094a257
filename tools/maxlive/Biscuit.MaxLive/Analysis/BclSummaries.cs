// Hand-written summaries of the library (BCL) methods servers call: what each allocates and
// where its arguments may end up. Only methods listed here may be called; any other library
// call is an error unless the calling method carries [AssumeAllocation]. A summary's default
// argument fate is conservative: a reference argument of a method that returns a reference may
// come back in the result (so if the result escapes, the argument does too).
// Categories:
//   pure      allocates nothing (the object a constructor builds is counted by its newobj);
//   stores    allocates nothing, keeps its arguments in the receiver (argument 0);
//   growth    List/Queue/Stack/Dictionary/HashSet adds: the receiver grows (GrowthModel);
//   sized     results whose size follows from bounds on the arguments (string.Concat, Substring,
//             int.ToString, new List<T>(capacity), ...). A missing bound is an error.
using System.Reflection.Metadata;
using Biscuit.MaxLive.Layout;
using Biscuit.MaxLive.Metadata;
using TypeLayout = Biscuit.MaxLive.Layout.TypeLayout;

namespace Biscuit.MaxLive.Analysis;

public sealed class BclSummaries(AssemblySet assemblies, TypeLayout layout)
{
    private static readonly HashSet<string> PureTypes =
    [
        "System.Math", "System.MathF", "System.Threading.Interlocked", "System.Threading.Volatile", "System.Threading.Monitor",
        "System.Buffers.Binary.BinaryPrimitives", "System.Nullable`1", "System.Collections.Generic.EqualityComparer`1",
        "System.Buffer", "System.Numerics.BitOperations",
    ];

    // (declaring type, method) pairs that allocate nothing.
    private static readonly HashSet<string> PureMethods =
    [
        "System.Object::.ctor", "System.Object::GetHashCode", "System.Object::Equals", "System.Object::ReferenceEquals", "System.Object::GetType",
        "System.String::get_Length", "System.String::get_Chars", "System.String::Equals", "System.String::op_Equality",
        "System.String::op_Inequality", "System.String::CompareOrdinal", "System.String::IsNullOrEmpty", "System.String::GetHashCode",
        "System.String::op_Implicit",
        "System.Span`1::get_Item", "System.Span`1::get_Length", "System.Span`1::Slice", "System.Span`1::.ctor", "System.Span`1::op_Implicit",
        "System.Span`1::Clear", "System.Span`1::Fill", "System.Span`1::get_IsEmpty",
        "System.ReadOnlySpan`1::get_Item", "System.ReadOnlySpan`1::get_Length", "System.ReadOnlySpan`1::Slice", "System.ReadOnlySpan`1::.ctor",
        "System.ReadOnlySpan`1::op_Implicit", "System.ReadOnlySpan`1::get_IsEmpty",
        "System.MemoryExtensions::AsSpan", "System.MemoryExtensions::SequenceEqual", "System.MemoryExtensions::IndexOf",
        "System.MemoryExtensions::StartsWith", "System.MemoryExtensions::EndsWith", "System.MemoryExtensions::Contains",
        "System.Collections.Generic.List`1::get_Count", "System.Collections.Generic.List`1::get_Item",
        "System.Collections.Generic.List`1::Clear", "System.Collections.Generic.List`1::Contains", "System.Collections.Generic.List`1::IndexOf",
        "System.Collections.Generic.List`1::RemoveAt", "System.Collections.Generic.List`1::Remove", "System.Collections.Generic.List`1::get_Capacity",
        "System.Collections.Generic.List`1::GetEnumerator",
        "System.Collections.Generic.List`1+Enumerator::MoveNext", "System.Collections.Generic.List`1+Enumerator::get_Current",
        "System.Collections.Generic.List`1+Enumerator::Dispose",
        "System.Collections.Generic.Dictionary`2::TryGetValue",
        "System.Collections.Generic.Dictionary`2::ContainsKey", "System.Collections.Generic.Dictionary`2::get_Count",
        "System.Collections.Generic.Dictionary`2::Remove", "System.Collections.Generic.Dictionary`2::Clear",
        "System.Collections.Generic.Dictionary`2::get_Item",
        "System.Collections.Generic.HashSet`1::Contains", "System.Collections.Generic.HashSet`1::Remove",
        "System.Collections.Generic.HashSet`1::get_Count", "System.Collections.Generic.HashSet`1::Clear",
        "System.Collections.Generic.Queue`1::Dequeue", "System.Collections.Generic.Queue`1::TryDequeue",
        "System.Collections.Generic.Queue`1::Peek", "System.Collections.Generic.Queue`1::get_Count", "System.Collections.Generic.Queue`1::Clear",
        "System.Collections.Generic.Stack`1::Pop", "System.Collections.Generic.Stack`1::TryPop",
        "System.Collections.Generic.Stack`1::Peek", "System.Collections.Generic.Stack`1::get_Count", "System.Collections.Generic.Stack`1::Clear",
        "System.Collections.Generic.Dictionary`2::GetEnumerator", "System.Collections.Generic.Dictionary`2+Enumerator::MoveNext",
        "System.Collections.Generic.Dictionary`2+Enumerator::get_Current", "System.Collections.Generic.Dictionary`2+Enumerator::Dispose",
        "System.Collections.Generic.Dictionary`2+ValueCollection::GetEnumerator", "System.Collections.Generic.Dictionary`2+ValueCollection::get_Count",
        "System.Collections.Generic.Dictionary`2+ValueCollection+Enumerator::MoveNext", "System.Collections.Generic.Dictionary`2+ValueCollection+Enumerator::get_Current",
        "System.Collections.Generic.Dictionary`2+ValueCollection+Enumerator::Dispose",
        "System.Collections.Generic.Dictionary`2+KeyCollection::GetEnumerator", "System.Collections.Generic.Dictionary`2+KeyCollection::get_Count",
        "System.Collections.Generic.Dictionary`2+KeyCollection+Enumerator::MoveNext", "System.Collections.Generic.Dictionary`2+KeyCollection+Enumerator::get_Current",
        "System.Collections.Generic.Dictionary`2+KeyCollection+Enumerator::Dispose",
        "System.Collections.Generic.KeyValuePair`2::get_Key", "System.Collections.Generic.KeyValuePair`2::get_Value",
        "System.Collections.Generic.HashSet`1::GetEnumerator", "System.Collections.Generic.HashSet`1+Enumerator::MoveNext",
        "System.Collections.Generic.HashSet`1+Enumerator::get_Current", "System.Collections.Generic.HashSet`1+Enumerator::Dispose",
        "System.Array::Empty", "System.Array::get_Length", "System.Array::Clear", "System.Array::IndexOf",
        "System.Runtime.CompilerServices.RuntimeHelpers::InitializeArray", "System.Runtime.CompilerServices.RuntimeHelpers::IsReferenceOrContainsReferences",
        "System.GC::KeepAlive", "System.GC::SuppressFinalize",
        "System.Int32::CompareTo", "System.Int32::Equals", "System.Int32::GetHashCode",
        "System.Int64::CompareTo", "System.Int64::Equals", "System.Int64::GetHashCode",
    ];

    // Types whose constructors only store their arguments (exception messages, inner exceptions, tuple items).
    private static readonly HashSet<string> StoringConstructors =
    [
        "System.Exception", "System.SystemException", "System.InvalidOperationException", "System.ArgumentException",
        "System.ArgumentOutOfRangeException", "System.ArgumentNullException", "System.NotSupportedException",
        "System.FormatException", "System.IO.IOException", "System.IO.InvalidDataException", "System.InvalidCastException",
        "System.OverflowException", "System.ObjectDisposedException", "System.TimeoutException",
        "System.ValueTuple`2", "System.ValueTuple`3", "System.ValueTuple`4", "System.Collections.Generic.KeyValuePair`2",
    ];

    /// <summary>The summary of a library call, or null when the method has none.</summary>
    public CallEffect? Summarize(MethodRef method, IReadOnlyList<AbstractValue> args)
    {
        var type = method.DeclaringTypeName;
        var key = type + "::" + method.Name;
        int arity = args.Count;
        if (key is "System.Threading.Interlocked::Exchange" or "System.Threading.Interlocked::CompareExchange"
            or "System.Threading.Volatile::Write" or "System.Span`1::Fill")
            return Stores(arity, key); // the value is stored through the address / into the span (argument 0)
        if (PureTypes.Contains(type) || PureMethods.Contains(key))
        {
            if (method.Name == ".ctor") return Stores(arity, key); // a struct constructor keeps its arguments (Span over an array, Nullable)
            var pure = Pure(method, arity, key);
            if (method.Name is "get_Count" or "get_Length" && arity == 1) pure.ResultBound = args[0].Bound; // a count is at most the bound
            return pure;
        }
        if (method.Name == ".ctor" && StoringConstructors.Contains(type))
            return Stores(arity, key);
        var typeArgs = method.TypeArgs;
        switch (key)
        {
            case "System.Span`1::CopyTo" or "System.ReadOnlySpan`1::CopyTo" or "System.Span`1::TryCopyTo" or "System.ReadOnlySpan`1::TryCopyTo"
                or "System.MemoryExtensions::CopyTo" when arity == 2:
                return CopiesInto(arity, key, from: 0, to: 1);
            case "System.Text.Encoding::get_UTF8" or "System.Text.Encoding::get_ASCII" or "System.Buffers.ArrayPool`1::get_Shared":
                return Pure(method, arity, key); // cached singletons
            case "System.Text.Encoding::GetByteCount" or "System.Text.Encoding::GetCharCount" or "System.Text.Encoding::GetMaxByteCount":
                return Pure(method, arity, key);
            case "System.Text.Encoding::GetBytes" when arity == 3 && method.ParameterTypes.All(p => p is NamedSig { IsValueType: true }):
                return CopiesInto(arity, key, from: 1, to: 2); // (ReadOnlySpan<char>, Span<byte>): writes into the caller's span
            case "System.Text.Encoding::GetBytes" when arity == 2 && method.ParameterTypes.First() is PrimitiveSig { Code: PrimitiveTypeCode.String }:
            {
                var length = RequireBound(args[1], "the string given to Encoding.GetBytes (its length)");
                var bytes = Saturating.Multiply(3, length); // UTF-8: at most 3 bytes per UTF-16 unit
                return Sized(arity, key, layout.ArraySize(new PrimitiveSig(PrimitiveTypeCode.Byte), bytes), bytes, $"byte[{bytes}]");
            }
            case "System.Text.Encoding::GetString" when arity == 2:
            {
                var length = RequireBound(args[1], "the bytes given to Encoding.GetString (their length)");
                return Sized(arity, key, TypeLayout.StringSize(length), length, $"string of at most {length} chars"); // at most one char per byte
            }
            case "System.Buffers.ArrayPool`1::Rent" when arity == 2:
            {
                // The shared pool hands out arrays of 16 * 2^k elements; a rented array belongs to the pool
                // afterwards (long-lived), so its bytes escape.
                var minimum = RequireBound(args[1], "the minimum length given to ArrayPool.Rent");
                long length = 16;
                while (length < minimum) length *= 2;
                var bytes = layout.ArraySize(typeArgs[0], length);
                return new CallEffect
                {
                    ArgumentFates = new FateSet[arity], Deposited = new long[arity], Escaping = bytes, ResultBound = length,
                    Description = $"{key}: summary, may allocate {typeArgs[0]}[{length}] = {bytes} B kept by the pool (escaping)",
                };
            }
            case "System.Buffers.ArrayPool`1::Return":
            {
                var fates = new FateSet[arity];
                fates[1] = FateSet.Escaping; // the pool keeps the array
                return new CallEffect { ArgumentFates = fates, Deposited = new long[arity], Description = $"{key}: summary, the pool keeps the array" };
            }
            case "System.ObjectDisposedException::ThrowIf" or "System.ArgumentNullException::ThrowIfNull"
                or "System.ArgumentOutOfRangeException::ThrowIfNegative" or "System.ArgumentOutOfRangeException::ThrowIfGreaterThan"
                or "System.ArgumentOutOfRangeException::ThrowIfLessThan" or "System.ArgumentOutOfRangeException::ThrowIfNegativeOrZero":
                return Throws(arity, key, type);
            case "System.Collections.Generic.List`1::set_Item":
                return Stores(arity, key);
            case "System.Collections.Generic.Dictionary`2::get_Values" or "System.Collections.Generic.Dictionary`2::get_Keys":
            {
                // The view object is created on first use and cached in the dictionary: charged at every call.
                var view = Nested(type, method.Name == "get_Values" ? "ValueCollection" : "KeyCollection", typeArgs, valueType: false);
                var size = layout.ObjectSize(view);
                var effect = Deposit(arity, key, size, $"the cached {view} view");
                effect.ArgumentFates[0] = FateSet.ToReturn;
                return effect;
            }
            case "System.Collections.Generic.List`1::Add" or "System.Collections.Generic.List`1::Insert":
                return Growth(arity, key, new DoublingGrowth(layout, typeArgs[0], "List<T>"));
            case "System.Collections.Generic.Queue`1::Enqueue":
                return Growth(arity, key, new DoublingGrowth(layout, typeArgs[0], "Queue<T>"));
            case "System.Collections.Generic.Stack`1::Push":
                return Growth(arity, key, new DoublingGrowth(layout, typeArgs[0], "Stack<T>"));
            case "System.Collections.Generic.Dictionary`2::Add" or "System.Collections.Generic.Dictionary`2::TryAdd"
                or "System.Collections.Generic.Dictionary`2::set_Item":
                return Growth(arity, key, new PrimeGrowth(layout, NestedEntry("System.Collections.Generic.Dictionary`2", typeArgs), "Dictionary<K,V>"));
            case "System.Collections.Generic.HashSet`1::Add":
                return Growth(arity, key, new PrimeGrowth(layout, NestedEntry("System.Collections.Generic.HashSet`1", typeArgs), "HashSet<T>"));
            case "System.String::Concat" when method.ParameterTypes.All(p => p is PrimitiveSig { Code: PrimitiveTypeCode.String }):
            {
                long length = 0;
                for (int i = 0; i < arity; i++)
                    length = Saturating.Add(length, RequireBound(args[i], $"argument {i} of string.Concat (a string's length)"));
                return Sized(arity, key, TypeLayout.StringSize(length), length, $"string.Concat result of at most {length} chars");
            }
            case "System.String::Substring" or "System.String::ToUpperInvariant" or "System.String::ToLowerInvariant" or "System.String::Trim":
            {
                var length = RequireBound(args[0], $"the receiver of string.{method.Name} (its length)");
                return Sized(arity, key, TypeLayout.StringSize(length), length, $"string.{method.Name} result of at most {length} chars");
            }
            case "System.String::ToCharArray" when arity == 1:
            {
                var length = RequireBound(args[0], "the receiver of string.ToCharArray (its length)");
                return Sized(arity, key, layout.ArraySize(new PrimitiveSig(PrimitiveTypeCode.Char), length), length, $"char[{length}]");
            }
            case "System.Int32::ToString" or "System.UInt32::ToString" or "System.Int64::ToString" or "System.UInt64::ToString"
                or "System.Int16::ToString" or "System.UInt16::ToString" or "System.Byte::ToString" or "System.SByte::ToString" when arity == 1:
            {
                long digits = type switch
                {
                    "System.Int32" => 11, "System.UInt32" => 10, "System.Int64" => 20, "System.UInt64" => 20,
                    "System.Int16" => 6, "System.UInt16" => 5, "System.Byte" => 3, _ => 4,
                };
                return Sized(arity, key, TypeLayout.StringSize(digits), digits, $"decimal text of at most {digits} chars");
            }
        }
        bool isCollection = type is "System.Collections.Generic.List`1" or "System.Collections.Generic.Queue`1" or "System.Collections.Generic.Stack`1"
            or "System.Collections.Generic.Dictionary`2" or "System.Collections.Generic.HashSet`1";
        if (isCollection && method.Name == ".ctor")
        {
            if (arity == 1)
                return Pure(method, arity, key); // empty collection: storage comes with the first add
            if (arity == 2 && method.ParameterTypes.First() is PrimitiveSig { Code: PrimitiveTypeCode.Int32 })
            {
                var capacity = RequireBound(args[1], "the capacity argument");
                if (type is "System.Collections.Generic.Dictionary`2" or "System.Collections.Generic.HashSet`1")
                {
                    var entries = new PrimeGrowth(layout, NestedEntry(type, typeArgs), type);
                    var size = capacity == 0 ? 0 : HashPrimes.GetPrime(capacity);
                    return Deposit(arity, key, entries.TableBytes(size), $"buckets and entries for {size}");
                }
                return Deposit(arity, key, layout.ArraySize(typeArgs[0], capacity), $"backing {typeArgs[0]}[{capacity}]");
            }
        }
        return null;
    }

    private TypeSig NestedEntry(string owner, System.Collections.Immutable.ImmutableArray<TypeSig> args) => Nested(owner, "Entry", args, valueType: true);

    /// <summary>A nested type of a runtime generic type (Dictionary`2+Entry), with the owner's instantiation.</summary>
    private NamedSig Nested(string owner, string name, System.Collections.Immutable.ImmutableArray<TypeSig> args, bool valueType)
    {
        var ownerDef = assemblies.FindCoreType(owner) ?? throw new MaxLiveException($"cannot find {owner} in the runtime to size its {name}");
        foreach (var nested in ownerDef.Definition.GetNestedTypes())
        {
            var def = new TypeDef(ownerDef.Module, nested);
            if (def.FullName.EndsWith("+" + name, StringComparison.Ordinal))
                return new NamedSig(def, def.FullName, valueType, args);
        }
        throw new MaxLiveException($"cannot find {owner}+{name} in the runtime");
    }

    private static long RequireBound(AbstractValue value, string what) =>
        value.Bound is { } b && b >= 0 ? b
            : throw new MaxLiveException($"no bound on {what}: mark the field or parameter it comes from with [MaxCount]");

    private static CallEffect Pure(MethodRef method, int arity, string key)
    {
        var fates = new FateSet[arity];
        if (method.ReturnType.IsReference || method.ReturnType is NamedSig { IsValueType: true })
            for (int i = 0; i < arity; i++) fates[i] = FateSet.ToReturn;
        return new CallEffect { ArgumentFates = fates, Deposited = new long[arity], Description = $"{key}: summary, allocates nothing" };
    }

    private static CallEffect CopiesInto(int arity, string key, int from, int to)
    {
        var fates = new FateSet[arity];
        fates[from] = FateSet.IntoParam(to); // the source's elements end up in the destination
        return new CallEffect { ArgumentFates = fates, Deposited = new long[arity], Description = $"{key}: summary, copies argument {from} into argument {to}" };
    }

    /// <summary>Guard helpers: allocate nothing unless they throw, and a throw ends the request with its exception escaping.</summary>
    private CallEffect Throws(int arity, string key, string exceptionType)
    {
        var exception = assemblies.FindCoreType(exceptionType);
        long bytes = exception is { } e ? layout.ObjectSize(new NamedSig(e, e.FullName, false, System.Collections.Immutable.ImmutableArray<TypeSig>.Empty)) : 0;
        var fates = Enumerable.Repeat(FateSet.Escaping, arity).ToArray();
        return new CallEffect { ArgumentFates = fates, Deposited = new long[arity], Escaping = bytes, Description = $"{key}: summary, may throw an exception object ({bytes} B, escaping)" };
    }

    private static CallEffect Stores(int arity, string key)
    {
        var fates = new FateSet[arity];
        for (int i = 1; i < arity; i++) fates[i] = FateSet.IntoParam(0).Union(FateSet.ToReturn);
        return new CallEffect { ArgumentFates = fates, Deposited = new long[arity], Description = $"{key}: summary, keeps its arguments in the receiver" };
    }

    private static CallEffect Growth(int arity, string key, GrowthModel model)
    {
        var fates = new FateSet[arity];
        for (int i = 1; i < arity; i++) fates[i] = FateSet.IntoParam(0);
        return new CallEffect { ArgumentFates = fates, Deposited = new long[arity], Growth = model, Description = $"{key}: summary, {model.Name}" };
    }

    // The result may also be one of the arguments (string.Concat("", s) returns s): arguments flow to it.
    private static CallEffect Sized(int arity, string key, long bytes, long resultBound, string what) => new()
    {
        ArgumentFates = Enumerable.Repeat(FateSet.ToReturn, arity).ToArray(), Deposited = new long[arity], Returned = bytes, ResultBound = resultBound,
        Description = $"{key}: summary, returns a new {what} = {bytes} B",
    };

    private static CallEffect Deposit(int arity, string key, long bytes, string what)
    {
        var deposited = new long[arity];
        deposited[0] = bytes;
        return new CallEffect { ArgumentFates = new FateSet[arity], Deposited = deposited, Description = $"{key}: summary, allocates {what} = {bytes} B into the receiver" };
    }
}
