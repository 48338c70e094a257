// Resolves method and field tokens found in IL to the definitions they name, with the generic
// instantiation of the call site substituted (List<int>.Add, not List<T>.Add). Matching a
// MemberRef to a MethodDef compares name, generic arity and the symbolic parameter/return types,
// searching the named type and then its base types (ECMA-335 §II.22.25: a MemberRef's class).
using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace Biscuit.MaxLive.Metadata;

/// <summary>A method as named at a call site. Def is null when its assembly cannot be found.</summary>
public sealed record MethodRef(MethodDef? Def, TypeSig DeclaringType, string Name, MethodSignature<TypeSig> Signature, ImmutableArray<TypeSig> MethodArgs)
{
    public ImmutableArray<TypeSig> TypeArgs => DeclaringType is NamedSig n ? n.Args : ImmutableArray<TypeSig>.Empty;

    /// <summary>Parameter types of the instantiated method (without `this`).</summary>
    public IEnumerable<TypeSig> ParameterTypes => Signature.ParameterTypes.Select(p => p.Substitute(TypeArgs, MethodArgs));

    public TypeSig ReturnType => Signature.ReturnType.Substitute(TypeArgs, MethodArgs);

    public bool HasThis => Signature.Header.IsInstance;

    /// <summary>The declaring type's generic definition name, e.g. "System.Collections.Generic.List`1".</summary>
    public string DeclaringTypeName => DeclaringType is NamedSig n ? n.FullName : DeclaringType.ToString();

    /// <summary>A key unique per instantiated method, used to memoise summaries.</summary>
    public string Key => $"{DeclaringType}::{Name}{(MethodArgs.Length > 0 ? "<" + string.Join(",", MethodArgs) + ">" : "")}({string.Join(",", Signature.ParameterTypes)})";

    public override string ToString() => $"{DeclaringType}::{Name}{(MethodArgs.Length > 0 ? "<" + string.Join(",", MethodArgs) + ">" : "")}({string.Join(", ", ParameterTypes)})";
}

/// <summary>A field as named in IL, with its declaring type instantiated.</summary>
public sealed record FieldRef(FieldDef? Def, TypeSig DeclaringType, string Name, TypeSig FieldType)
{
    public override string ToString() => $"{DeclaringType}::{Name}";
}

public sealed class MemberResolver(AssemblySet assemblies)
{
    private SignatureProvider Sig => assemblies.Signatures;

    /// <summary>The method a def, ref or spec token names, substituted into the caller's generic context.</summary>
    public MethodRef ResolveMethod(Module module, EntityHandle token, ImmutableArray<TypeSig> typeArgs, ImmutableArray<TypeSig> methodArgs)
    {
        var reader = module.Reader;
        switch (token.Kind)
        {
            case HandleKind.MethodDefinition:
                return FromDefinition(new MethodDef(module, (MethodDefinitionHandle)token), ImmutableArray<TypeSig>.Empty, ImmutableArray<TypeSig>.Empty);
            case HandleKind.MemberReference:
            {
                var reference = reader.GetMemberReference((MemberReferenceHandle)token);
                if (reference.Parent.Kind == HandleKind.MethodDefinition) // a vararg call site (ECMA-335 §II.22.25)
                    return FromDefinition(new MethodDef(module, (MethodDefinitionHandle)reference.Parent), ImmutableArray<TypeSig>.Empty, ImmutableArray<TypeSig>.Empty);
                var name = reader.GetString(reference.Name);
                var signature = reference.DecodeMethodSignature(Sig, null);
                var parent = Sig.FromHandle(module, reference.Parent).Substitute(typeArgs, methodArgs);
                var def = parent is NamedSig { Def: { } owner } ? FindMethod(owner, name, signature) : null;
                return new MethodRef(def, parent, name, def is { } d ? Sig.MethodSignature(d) : signature, ImmutableArray<TypeSig>.Empty);
            }
            case HandleKind.MethodSpecification:
            {
                var spec = reader.GetMethodSpecification((MethodSpecificationHandle)token);
                var args = spec.DecodeSignature(Sig, null).Select(a => a.Substitute(typeArgs, methodArgs)).ToImmutableArray();
                var generic = ResolveMethod(module, spec.Method, typeArgs, methodArgs);
                return generic with { MethodArgs = args };
            }
            default:
                throw new MaxLiveException($"{module.Name}: token 0x{MetadataTokens.GetToken(token):x8} is not a method");
        }
    }

    /// <summary>A method definition seen with the given instantiation of its type and method parameters.</summary>
    public MethodRef FromDefinition(MethodDef def, ImmutableArray<TypeSig> typeArgs, ImmutableArray<TypeSig> methodArgs)
    {
        var owner = def.DeclaringType;
        var declaring = new NamedSig(owner, owner.FullName, assemblies.IsValueType(owner),
            typeArgs.IsDefaultOrEmpty ? AssemblySet.OwnGenericParameters(owner) : typeArgs);
        var signature = Sig.MethodSignature(def);
        var ownMethodArgs = methodArgs.IsDefaultOrEmpty
            ? Enumerable.Range(0, signature.GenericParameterCount).Select(i => (TypeSig)new GenericParamSig(i, true)).ToImmutableArray()
            : methodArgs;
        return new MethodRef(def, declaring, def.Name, signature, ownMethodArgs);
    }

    /// <summary>Finds a method by name and symbolic signature in a type or its bases.</summary>
    public MethodDef? FindMethod(TypeDef owner, string name, MethodSignature<TypeSig> signature)
    {
        for (TypeDef? type = owner; type is { } t; type = BaseDef(t))
        {
            foreach (var handle in t.Definition.GetMethods())
            {
                var candidate = new MethodDef(t.Module, handle);
                if (candidate.Name == name && SameShape(Sig.MethodSignature(candidate), signature))
                    return candidate;
            }
        }
        return null;
    }

    public TypeDef? BaseDef(TypeDef type) => assemblies.BaseType(type) is NamedSig { Def: { } b } ? b : null;

    public static bool SameShape(MethodSignature<TypeSig> a, MethodSignature<TypeSig> b) =>
        a.GenericParameterCount == b.GenericParameterCount
        && a.Header.IsInstance == b.Header.IsInstance
        && a.ParameterTypes.Length == b.ParameterTypes.Length
        && a.ReturnType.ToString() == b.ReturnType.ToString()
        && a.ParameterTypes.Zip(b.ParameterTypes).All(p => p.First.ToString() == p.Second.ToString());

    public FieldRef ResolveField(Module module, EntityHandle token, ImmutableArray<TypeSig> typeArgs, ImmutableArray<TypeSig> methodArgs)
    {
        var reader = module.Reader;
        switch (token.Kind)
        {
            case HandleKind.FieldDefinition:
            {
                var def = new FieldDef(module, (FieldDefinitionHandle)token);
                var owner = def.DeclaringType;
                var declaring = new NamedSig(owner, owner.FullName, assemblies.IsValueType(owner), AssemblySet.OwnGenericParameters(owner));
                return new FieldRef(def, declaring, def.Name, Sig.FieldType(def));
            }
            case HandleKind.MemberReference:
            {
                var reference = reader.GetMemberReference((MemberReferenceHandle)token);
                var name = reader.GetString(reference.Name);
                var parent = Sig.FromHandle(module, reference.Parent).Substitute(typeArgs, methodArgs);
                var fieldType = reference.DecodeFieldSignature(Sig, null);
                FieldDef? def = null;
                if (parent is NamedSig { Def: { } owner })
                    foreach (var handle in owner.Definition.GetFields())
                        if (owner.Module.Reader.GetString(owner.Module.Reader.GetFieldDefinition(handle).Name) == name)
                            def = new FieldDef(owner.Module, handle);
                var args = parent is NamedSig n ? n.Args : ImmutableArray<TypeSig>.Empty;
                return new FieldRef(def, parent, name, fieldType.Substitute(args, ImmutableArray<TypeSig>.Empty));
            }
            default:
                throw new MaxLiveException($"{module.Name}: token 0x{MetadataTokens.GetToken(token):x8} is not a field");
        }
    }
}
