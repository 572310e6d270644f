using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace AllocationLens.Measurement;

/// <summary>
/// A user assembly's method tokens with their type and method names as the runtime's events spell them
/// ("Namespace.Outer+Inner", "Method"), read once from its metadata: what matches a method the JIT inlined
/// (inlining events name methods, not tokens) to the sequence points of that method.
/// </summary>
internal static class MethodNames
{
    public static Dictionary<int, (string Type, string Method)> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var names = new Dictionary<int, (string, string)>();
        foreach (var typeHandle in metadata.TypeDefinitions)
        {
            var typeName = TypeName(metadata, typeHandle);
            foreach (var methodHandle in metadata.GetTypeDefinition(typeHandle).GetMethods())
                names[MetadataTokens.GetToken(methodHandle)] = (typeName, metadata.GetString(metadata.GetMethodDefinition(methodHandle).Name));
        }
        return names;
    }

    private static string TypeName(MetadataReader metadata, TypeDefinitionHandle handle)
    {
        var type = metadata.GetTypeDefinition(handle);
        var name = metadata.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        if (!declaring.IsNil) return TypeName(metadata, declaring) + "+" + name;
        var ns = metadata.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
