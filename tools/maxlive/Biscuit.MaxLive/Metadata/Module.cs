// One loaded assembly: its PE image, metadata reader and an index of its top-level types by
// name. Owned by AssemblySet, which creates each module once and disposes them together.
// Analysed modules are the server's own code (their IL is read); the others (the runtime's
// assemblies) are consulted only for type layouts, forwarders and summarised method identities.
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Biscuit.MaxLive.Metadata;

public sealed class Module : IDisposable
{
    public string Name { get; }
    public string Path { get; }
    public bool IsAnalysed { get; }
    public MetadataReader Reader { get; }
    public PEReader PE { get; }

    // Top-level types by "Namespace.Name"; built once in the constructor, read-only after.
    private readonly Dictionary<string, TypeDefinitionHandle> _topLevelTypes = new();

    public Module(string path, bool isAnalysed)
    {
        Path = path;
        IsAnalysed = isAnalysed;
        PE = new PEReader(File.OpenRead(path));
        if (!PE.HasMetadata)
            throw new MaxLiveException($"{path}: not a .NET assembly (no metadata)");
        Reader = PE.GetMetadataReader();
        Name = Reader.IsAssembly ? Reader.GetString(Reader.GetAssemblyDefinition().Name) : System.IO.Path.GetFileNameWithoutExtension(path);
        foreach (var handle in Reader.TypeDefinitions)
        {
            var type = Reader.GetTypeDefinition(handle);
            if (type.GetDeclaringType().IsNil)
                _topLevelTypes[QualifiedName(Reader.GetString(type.Namespace), Reader.GetString(type.Name))] = handle;
        }
    }

    public static string QualifiedName(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    public TypeDefinitionHandle? FindTopLevelType(string qualifiedName) =>
        _topLevelTypes.TryGetValue(qualifiedName, out var handle) ? handle : null;

    public void Dispose() => PE.Dispose();

    public override string ToString() => Name;
}

/// <summary>A type definition in a loaded module.</summary>
public readonly record struct TypeDef(Module Module, TypeDefinitionHandle Handle)
{

    public TypeDefinition Definition => Module.Reader.GetTypeDefinition(Handle);

    public string FullName
    {
        get
        {
            var def = Definition;
            var name = Module.Reader.GetString(def.Name);
            var declaring = def.GetDeclaringType();
            return declaring.IsNil
                ? Module.QualifiedName(Module.Reader.GetString(def.Namespace), name)
                : new TypeDef(Module, declaring).FullName + "+" + name;
        }
    }

    public int GenericArity => Definition.GetGenericParameters().Count;

    public override string ToString() => FullName;
}

/// <summary>A method definition in a loaded module.</summary>
public readonly record struct MethodDef(Module Module, MethodDefinitionHandle Handle)
{
    public MethodDefinition Definition => Module.Reader.GetMethodDefinition(Handle);
    public string Name => Module.Reader.GetString(Definition.Name);
    public TypeDef DeclaringType => new(Module, Definition.GetDeclaringType());
    public bool IsStatic => (Definition.Attributes & System.Reflection.MethodAttributes.Static) != 0;
    public bool IsVirtual => (Definition.Attributes & System.Reflection.MethodAttributes.Virtual) != 0;
    public bool IsAbstract => (Definition.Attributes & System.Reflection.MethodAttributes.Abstract) != 0;
    public override string ToString() => $"{DeclaringType.FullName}::{Name}";
}

/// <summary>A field definition in a loaded module.</summary>
public readonly record struct FieldDef(Module Module, FieldDefinitionHandle Handle)
{
    public FieldDefinition Definition => Module.Reader.GetFieldDefinition(Handle);
    public string Name => Module.Reader.GetString(Definition.Name);
    public TypeDef DeclaringType => new(Module, Definition.GetDeclaringType());
    public override string ToString() => $"{DeclaringType.FullName}::{Name}";
}

/// <summary>Any failure the analysis reports to its user: bad input, or a budget it cannot compute.</summary>
public sealed class MaxLiveException(string message) : Exception(message);
