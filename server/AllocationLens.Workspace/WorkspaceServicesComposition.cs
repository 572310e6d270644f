using System.Composition;
using System.Composition.Hosting;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis.Host;
using Microsoft.CodeAnalysis.Host.Mef;

namespace AllocationLens.Workspace;

/// <summary>
/// Roslyn's workspace services, composed from the MEF part types of the assemblies MefHostServices.DefaultHost
/// composes, and only those. DefaultHost hands System.Composition every type the assemblies define, and
/// loading them all as runtime types was most of the composition: on Newtonsoft.Json's cold start, 0.29 of
/// 0.39 s, on one of two cores, beside the first hints (bench/README). The part types are found in the
/// assemblies' metadata instead, without loading a type: a class that carries an export attribute
/// (System.Composition's ExportAttribute or one derived from it, such as ExportWorkspaceServiceAttribute),
/// on itself or on a property. System.Composition discovers parts by exactly those attributes, declared on
/// the type or its properties and never inherited, so the container holds the same parts.
/// </summary>
public static class WorkspaceServicesComposition
{
    public static HostServices Create()
    {
        try
        {
            var parts = MefHostServices.DefaultAssemblies.Distinct().SelectMany(PartTypes).ToList();
            return MefHostServices.Create(new ContainerConfiguration().WithParts(parts).CreateContainer());
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or TypeLoadException or InvalidOperationException or NotSupportedException)
        {
            // An assembly without a file (a single-file bundle) or metadata we cannot read: compose as Roslyn does.
            return MefHostServices.DefaultHost;
        }
    }

    /// <summary>The classes of <paramref name="assembly"/> that carry an export attribute on themselves or on a property.</summary>
    public static IEnumerable<Type> PartTypes(Assembly assembly)
    {
        if (string.IsNullOrEmpty(assembly.Location)) throw new NotSupportedException($"{assembly.GetName().Name} has no file to read its metadata from");
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var module = assembly.ManifestModule;
        // Whether an attribute's type is an export: decided once per attribute type, by loading that type alone.
        var isExport = new Dictionary<EntityHandle, bool>();
        var parts = new List<Type>();
        foreach (var handle in metadata.TypeDefinitions)
        {
            var definition = metadata.GetTypeDefinition(handle);
            if ((definition.Attributes & (TypeAttributes.Interface | TypeAttributes.Abstract)) != 0) continue;
            bool exported = AnyExport(definition.GetCustomAttributes());
            if (!exported)
                foreach (var property in definition.GetProperties())
                    if (AnyExport(metadata.GetPropertyDefinition(property).GetCustomAttributes())) { exported = true; break; }
            if (exported) parts.Add(module.ResolveType(MetadataTokens.GetToken(handle)));
        }
        return parts;

        bool AnyExport(CustomAttributeHandleCollection attributes)
        {
            foreach (var attributeHandle in attributes)
            {
                var attributeType = AttributeType(metadata, metadata.GetCustomAttribute(attributeHandle));
                if (attributeType.IsNil) continue;
                if (!isExport.TryGetValue(attributeType, out var export))
                    isExport[attributeType] = export = typeof(ExportAttribute).IsAssignableFrom(module.ResolveType(MetadataTokens.GetToken(attributeType)));
                if (export) return true;
            }
            return false;
        }
    }

    /// <summary>The type that declares the attribute's constructor (a TypeDefinition or TypeReference), or nil.</summary>
    private static EntityHandle AttributeType(MetadataReader metadata, CustomAttribute attribute) => attribute.Constructor.Kind switch
    {
        HandleKind.MethodDefinition => metadata.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
        HandleKind.MemberReference => metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent is { Kind: HandleKind.TypeDefinition or HandleKind.TypeReference } parent
            ? (EntityHandle)parent : default,
        _ => default,
    };
}
