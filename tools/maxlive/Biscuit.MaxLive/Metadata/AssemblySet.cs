// The assemblies an analysis sees: the analysed ones (given on the command line) and, on demand,
// the runtime's own assemblies from the directory of the running System.Private.CoreLib (the
// same .NET 10 the servers compile against), so that BCL type layouts come from the BCL's real
// metadata rather than from a hand-written table. Resolves type references through type
// forwarders (System.Runtime -> System.Private.CoreLib). Invariant: each file is opened once.
using System.Collections.Immutable;
using System.Reflection;
using Module = Biscuit.MaxLive.Metadata.Module;
using System.Reflection.Metadata;

namespace Biscuit.MaxLive.Metadata;

public sealed class AssemblySet : IDisposable
{
    private readonly Dictionary<string, Module?> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<MetadataReader, Module> _byReader = new();
    private readonly List<string> _probeDirectories = new();
    private readonly Dictionary<TypeDef, bool> _isValueType = new();

    public IReadOnlyList<Module> Analysed { get; }
    public SignatureProvider Signatures { get; }

    public AssemblySet(IEnumerable<string> analysedPaths)
    {
        Signatures = new SignatureProvider(this);
        var analysed = new List<Module>();
        foreach (var path in analysedPaths)
        {
            if (!File.Exists(path))
                throw new MaxLiveException($"assembly not found: {path}");
            Module module;
            try { module = new Module(Path.GetFullPath(path), isAnalysed: true); }
            catch (BadImageFormatException e) { throw new MaxLiveException($"{path}: not a readable .NET assembly ({e.Message})"); }
            if (_byName.ContainsKey(module.Name))
                throw new MaxLiveException($"assembly {module.Name} given twice");
            Register(module);
            analysed.Add(module);
            var dir = Path.GetDirectoryName(module.Path)!;
            if (!_probeDirectories.Contains(dir))
                _probeDirectories.Add(dir);
        }
        if (analysed.Count == 0)
            throw new MaxLiveException("no assemblies to analyse");
        _probeDirectories.Add(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        Analysed = analysed;
    }

    private void Register(Module module)
    {
        _byName[module.Name] = module;
        _byReader[module.Reader] = module;
    }

    public Module ModuleOf(MetadataReader reader) => _byReader[reader];

    /// <summary>Finds an assembly by simple name: analysed first, then next to them, then the runtime directory.</summary>
    public Module? FindAssembly(string name)
    {
        if (_byName.TryGetValue(name, out var known))
            return known;
        Module? found = null;
        foreach (var dir in _probeDirectories)
        {
            var candidate = Path.Combine(dir, name + ".dll");
            if (!File.Exists(candidate)) continue;
            try { found = new Module(candidate, isAnalysed: false); }
            catch (Exception e) when (e is BadImageFormatException or MaxLiveException) { continue; }
            break;
        }
        _byName[name] = found;
        if (found != null) _byReader[found.Reader] = found;
        return found;
    }

    /// <summary>Resolves a type reference to its definition, following forwarders; null if its assembly is missing.</summary>
    public TypeDef? Resolve(Module module, TypeReferenceHandle handle)
    {
        var reference = module.Reader.GetTypeReference(handle);
        var name = module.Reader.GetString(reference.Name);
        var ns = module.Reader.GetString(reference.Namespace);
        var scope = reference.ResolutionScope;
        switch (scope.Kind)
        {
            case HandleKind.TypeReference:
                var parent = Resolve(module, (TypeReferenceHandle)scope);
                return parent is { } p ? FindNested(p, name) : null;
            case HandleKind.AssemblyReference:
                var assemblyName = module.Reader.GetString(module.Reader.GetAssemblyReference((AssemblyReferenceHandle)scope).Name);
                var target = FindAssembly(assemblyName);
                return target == null ? null : FindByName(target, Module.QualifiedName(ns, name), depth: 0);
            default: // ModuleDefinition or ModuleReference: the same assembly
                return FindByName(module, Module.QualifiedName(ns, name), depth: 0);
        }
    }

    /// <summary>Finds a top-level type by qualified name in a module, following exported-type forwarders.</summary>
    public TypeDef? FindByName(Module module, string qualifiedName, int depth)
    {
        if (module.FindTopLevelType(qualifiedName) is { } handle)
            return new TypeDef(module, handle);
        if (depth > 8) return null;
        foreach (var exportedHandle in module.Reader.ExportedTypes)
        {
            var exported = module.Reader.GetExportedType(exportedHandle);
            if (Module.QualifiedName(module.Reader.GetString(exported.Namespace), module.Reader.GetString(exported.Name)) != qualifiedName)
                continue;
            if (exported.Implementation.Kind != HandleKind.AssemblyReference) continue;
            var assemblyName = module.Reader.GetString(module.Reader.GetAssemblyReference((AssemblyReferenceHandle)exported.Implementation).Name);
            return FindAssembly(assemblyName) is { } target ? FindByName(target, qualifiedName, depth + 1) : null;
        }
        return null;
    }

    private static TypeDef? FindNested(TypeDef parent, string name)
    {
        foreach (var nested in parent.Definition.GetNestedTypes())
            if (parent.Module.Reader.GetString(parent.Module.Reader.GetTypeDefinition(nested).Name) == name)
                return new TypeDef(parent.Module, nested);
        return null;
    }

    /// <summary>Finds a type by "Namespace.Name" in the runtime (System.Private.CoreLib first).</summary>
    public TypeDef? FindCoreType(string qualifiedName)
    {
        var core = FindAssembly("System.Private.CoreLib");
        if (core != null && FindByName(core, qualifiedName, 0) is { } t) return t;
        var runtime = FindAssembly("System.Runtime");
        return runtime != null ? FindByName(runtime, qualifiedName, 0) : null;
    }

    public bool IsValueType(TypeDef type)
    {
        if (_isValueType.TryGetValue(type, out var known)) return known;
        var baseName = BaseTypeName(type);
        var result = (baseName == "System.ValueType" || baseName == "System.Enum") && type.FullName != "System.Enum";
        _isValueType[type] = result;
        return result;
    }

    public bool IsEnum(TypeDef type) => BaseTypeName(type) == "System.Enum";

    public bool IsDelegate(TypeDef type) => BaseTypeName(type) is "System.MulticastDelegate" or "System.Delegate" && type.FullName != "System.MulticastDelegate";

    public bool IsInterface(TypeDef type) => (type.Definition.Attributes & TypeAttributes.Interface) != 0;

    /// <summary>The qualified name of a type's base type, or null (interfaces, System.Object).</summary>
    public string? BaseTypeName(TypeDef type)
    {
        var baseHandle = type.Definition.BaseType;
        var reader = type.Module.Reader;
        if (baseHandle.IsNil) return null;
        switch (baseHandle.Kind)
        {
            case HandleKind.TypeDefinition:
                return new TypeDef(type.Module, (TypeDefinitionHandle)baseHandle).FullName;
            case HandleKind.TypeReference:
                var r = reader.GetTypeReference((TypeReferenceHandle)baseHandle);
                return Module.QualifiedName(reader.GetString(r.Namespace), reader.GetString(r.Name));
            case HandleKind.TypeSpecification:
                return BaseType(type) is NamedSig n ? n.Def?.FullName ?? n.FullName : null;
            default:
                return null;
        }
    }

    /// <summary>The base type as a signature (with its instantiation in terms of this type's parameters), or null.</summary>
    public TypeSig? BaseType(TypeDef type)
    {
        var baseHandle = type.Definition.BaseType;
        return baseHandle.IsNil ? null : Signatures.FromHandle(type.Module, baseHandle);
    }

    /// <summary>The interfaces a type declares it implements (not those of its bases).</summary>
    public IEnumerable<TypeSig> DeclaredInterfaces(TypeDef type)
    {
        foreach (var ih in type.Definition.GetInterfaceImplementations())
            yield return Signatures.FromHandle(type.Module, type.Module.Reader.GetInterfaceImplementation(ih).Interface);
    }

    /// <summary>A type's own generic parameters as symbolic signatures (!0, !1, ...).</summary>
    public static ImmutableArray<TypeSig> OwnGenericParameters(TypeDef type) =>
        Enumerable.Range(0, type.GenericArity).Select(i => (TypeSig)new GenericParamSig(i, false)).ToImmutableArray();

    public void Dispose()
    {
        foreach (var module in _byName.Values)
            module?.Dispose();
    }
}
