using Microsoft.CodeAnalysis;

namespace AllocationLens.Analysis;

/// <summary>
/// Framework members whose bodies we cannot see but whose effect on an argument we know. Which members the
/// JIT inlines and keeps an argument local is measured per runtime by probes (tools/AllocationLens.RuntimeProbe,
/// InliningProbes.cs) and read from the target runtime's <see cref="FrameworkFacts"/>; only rules that hold for
/// whole families (primitive readers, enum intrinsics) are written here. Anything not measured local is assumed
/// to let its arguments escape, which can only make us say heap where the runtime says stack, never the reverse.
/// </summary>
internal static class KnownFrameworkMembers
{
    /// <summary>
    /// Why this member lets its arguments escape on this runtime although a newer measured runtime keeps them
    /// local, or null (the probes measured it on every runtime; RuntimeFacts).
    /// </summary>
    public static string? NotLocalOn(IMethodSymbol method, int ordinal, TargetRuntime runtime)
    {
        if (!runtime.IsCore) return null;
        var key = Key(method);
        if (runtime.Facts.KeepsLocal(key, ordinal)) return null;
        for (int major = runtime.Facts.Major + 1; major <= TargetRuntime.NewestMeasuredMajor; major++)
        {
            if (FrameworkFacts.ForMajor(major) is { } newer && newer.KeepsLocal(key, ordinal))
                return $"a framework method the {runtime.Name} JIT does not inline (measured; .NET {major} does)";
        }
        return null;
    }

    /// <summary>
    /// Enum.Equals(object) on an enum value: measured on .NET 11.0.0, the receiver's and the argument's boxes
    /// stay off the heap when they do not escape otherwise; up to .NET 10 it is a real call that keeps them.
    /// </summary>
    public static bool IsEnumEquals(IMethodSymbol method, ITypeSymbol? receiverExact) =>
        method is { Name: "Equals", IsStatic: false, Parameters: [{ Type.SpecialType: SpecialType.System_Object }] }
        && (method.ContainingType?.SpecialType == SpecialType.System_Enum || receiverExact?.TypeKind == TypeKind.Enum);

    /// <summary>Framework calls that return a view of their argument (a span over an array): the result aliases it.</summary>
    private static readonly Dictionary<string, int> AliasingReturns = new(StringComparer.Ordinal)
    {
        ["System.MemoryExtensions.AsSpan"] = 0,
        ["System.MemoryExtensions.AsMemory"] = 0,
    };

    /// <summary>True when the call returns a view of argument <paramref name="ordinal"/> and otherwise keeps it local.</summary>
    public static bool ReturnsAlias(IMethodSymbol method, int ordinal) =>
        AliasingReturns.TryGetValue(Key(method), out var aliased) && aliased == ordinal && method.Parameters.Length >= 1 && method.Parameters[0].Type is IArrayTypeSymbol;

    /// <summary>
    /// The static `object.Equals(objA, objB)`: inlined, it calls `objA.Equals(objB)`, so what happens to
    /// objB is what the virtual call does with its argument, which depends on objA's exact type.
    /// </summary>
    public static bool IsStaticObjectEquals(IMethodSymbol method) =>
        method.ContainingType?.SpecialType == SpecialType.System_Object && method.Name == "Equals" && method.IsStatic && method.Parameters.Length == 2;

    /// <summary>object.Equals(object) reached with a known receiver that does not override it: reference equality, measured local.</summary>
    public static bool IsDevirtualizedObjectEquals(IMethodSymbol target) =>
        target.ContainingType?.SpecialType == SpecialType.System_Object && target.Name == "Equals" && !target.IsStatic && target.Parameters.Length == 1;

    /// <summary>Methods of primitive types that the JIT inlines and that only read their operands.</summary>
    private static readonly HashSet<string> PrimitiveReaders = new(StringComparer.Ordinal)
    {
        "Equals", "CompareTo", "GetHashCode", "GetType",
    };

    /// <summary>Enum methods the JIT treats as intrinsics; Enum.Equals and CompareTo are real calls that keep their box.</summary>
    private static readonly HashSet<string> EnumIntrinsics = new(StringComparer.Ordinal) { "HasFlag", "GetHashCode", "GetType" };

    public static bool KeepsLocal(IMethodSymbol method, int ordinal, FrameworkFacts facts)
    {
        var type = method.ContainingType;
        if (type is null) return false;
        // Instance object.Equals is a virtual call whose target we cannot see.
        if (type.SpecialType == SpecialType.System_Object && method.Name == "Equals" && !method.IsStatic) return false;
        if (IsPrimitive(type) && PrimitiveReaders.Contains(method.Name)) return true;
        if ((type.TypeKind == TypeKind.Enum || type.SpecialType == SpecialType.System_Enum) && EnumIntrinsics.Contains(method.Name)) return true;
        return facts.KeepsLocal(Key(method), ordinal);
    }

    /// <summary>"System.Collections.Generic.List`1+Enumerator.MoveNext": nested types keep their containers.</summary>
    public static string Key(IMethodSymbol method)
    {
        var type = method.OriginalDefinition.ContainingType;
        var name = type.MetadataName;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType) name = outer.MetadataName + "+" + name;
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + name + "." + method.OriginalDefinition.Name;
    }

    public static bool IsPrimitiveOrEnum(ITypeSymbol? type) => type is not null && (type.TypeKind == TypeKind.Enum || type.SpecialType == SpecialType.System_Enum || IsPrimitive(type));

    public static bool IsPrimitive(ITypeSymbol? type) => type is not null && (type.SpecialType switch
    {
        SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_SByte or SpecialType.System_Byte or
        SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32 or
        SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double or
        SpecialType.System_Decimal or SpecialType.System_IntPtr or SpecialType.System_UIntPtr => true,
        _ => false,
    });
}
