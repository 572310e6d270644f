using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis;

/// <summary>
/// Estimates 64-bit heap sizes: an object is a header word, a method-table pointer and its fields
/// (packed, then rounded to 8), at least 24 bytes. The JIT's stack-allocation limit compares the size
/// without the header word (measured: a 65-long class, 528 bytes so counted, is stack-allocated).
/// Framework types are sized from the target runtime's measured layout (<see cref="FrameworkFacts"/>):
/// reference assemblies hide their private fields. A source class deriving from a framework class adds
/// its own fields to the measured size of that base.
/// </summary>
internal static class ObjectSizes
{
    public const int Header = 8;
    public const int Pointer = 8;
    public const int DelegateBytes = 64;
    private const int MinObject = 24;

    public static int JitSize(int heapBytes) => heapBytes - Header;

    public static int? OfClass(ITypeSymbol type, FrameworkFacts? facts = null)
    {
        if (type is not INamedTypeSymbol named || type.IsValueType) return null;
        if (named.SpecialType == SpecialType.System_String) return null;
        int fields = 0;
        for (var t = named; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
        {
            if (t.TypeKind == TypeKind.Delegate) return DelegateBytes;
            if (facts?.SizeOf(t, MeasuredValueSize) is { } measured) return Math.Max(MinObject, Align(measured + fields, 8));
            fields += InstanceFieldBytes(t, 0, facts);
        }
        return Math.Max(MinObject, Align(Header + Pointer + fields, 8));
    }

    public static int OfBox(ITypeSymbol valueType, FrameworkFacts? facts = null) =>
        facts is not null && valueType is INamedTypeSymbol { TypeKind: TypeKind.Struct } named && facts.SizeOf(named, MeasuredValueSize) is { } measured
            ? measured
            : Math.Max(MinObject, Align(Header + Pointer + ValueSize(valueType, 0, facts).Size, 8));

    private static readonly Func<ITypeSymbol, FrameworkFacts, int> MeasuredValueSize = static (type, facts) => ValueSize(type, 1, facts).Size;

    /// <summary>Single-dimensional arrays: header, method table, length (padded to 8), elements.</summary>
    public static int OfArray(ITypeSymbol elementType, long length)
    {
        long bytes = Header + Pointer + 8 + length * ElementSize(elementType);
        return (int)Math.Min(int.MaxValue, Math.Max(MinObject, Align(bytes, 8)));
    }

    public static int ElementSize(ITypeSymbol elementType) => elementType.IsReferenceType || elementType.TypeKind == TypeKind.Pointer ? Pointer : ValueSize(elementType, 0).Size;

    private static int InstanceFieldBytes(INamedTypeSymbol type, int depth, FrameworkFacts? facts)
    {
        int total = 0;
        foreach (var member in type.GetMembers())
        {
            ITypeSymbol? fieldType = member switch
            {
                IFieldSymbol { IsStatic: false, IsConst: false } f => f.Type,
                IPropertySymbol { IsStatic: false } p when HasBackingField(p) => p.Type,
                _ => null,
            };
            if (fieldType is null) continue;
            total += fieldType.IsReferenceType || fieldType.TypeKind is TypeKind.Pointer or TypeKind.TypeParameter ? Pointer : ValueSize(fieldType, depth + 1, facts).Size;
        }
        return total;
    }

    /// <summary>Source auto-properties and record positional properties have hidden backing fields.</summary>
    private static bool HasBackingField(IPropertySymbol property)
    {
        if (property.IsAbstract || property.IsIndexer) return false;
        if (property.ContainingType.IsAnonymousType) return true;
        var syntax = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        return syntax switch
        {
            PropertyDeclarationSyntax p => p.ExpressionBody is null && p.AccessorList is { } list && list.Accessors.All(a => a.Body is null && a.ExpressionBody is null),
            ParameterSyntax => true,
            _ => false,
        };
    }

    public static (int Size, int Align) ValueSize(ITypeSymbol type, int depth, FrameworkFacts? facts = null)
    {
        if (type.TypeKind == TypeKind.Enum && type is INamedTypeSymbol { EnumUnderlyingType: { } underlying }) return ValueSize(underlying, depth);
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte: return (1, 1);
            case SpecialType.System_Char or SpecialType.System_Int16 or SpecialType.System_UInt16: return (2, 2);
            case SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Single: return (4, 4);
            case SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Double
                or SpecialType.System_IntPtr or SpecialType.System_UIntPtr: return (8, 8);
            case SpecialType.System_Decimal: return (16, 8);
            case SpecialType.System_DateTime: return (8, 8);
        }
        if (type.IsReferenceType || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer) return (Pointer, Pointer);
        if (type is not INamedTypeSymbol named || depth > 8) return (Pointer, Pointer);
        if (named.ContainingNamespace?.ToDisplayString() == "System" && named.Name == "Guid") return (16, 4);
        // A framework struct: its box's measured size less the header word and method table (rounded up to 8,
        // so at most 7 bytes over; never under).
        if (facts is not null && facts.SizeOf(named, MeasuredValueSize) is { } boxed)
        {
            int value = Math.Max(1, boxed - Header - Pointer);
            return (value, value >= 8 ? 8 : value >= 4 ? 4 : value >= 2 ? 2 : 1);
        }
        int size = 0, align = 1;
        foreach (var member in named.GetMembers())
        {
            ITypeSymbol? fieldType = member switch
            {
                IFieldSymbol { IsStatic: false, IsConst: false } f => f.Type,
                IPropertySymbol { IsStatic: false } p when HasBackingField(p) => p.Type,
                _ => null,
            };
            if (fieldType is null) continue;
            var (s, a) = ValueSize(fieldType, depth + 1, facts);
            size = Align(size, a) + s;
            align = Math.Max(align, a);
        }
        return (Math.Max(1, Align(size, align)), align);
    }

    private static int Align(int value, int alignment) => (value + alignment - 1) / alignment * alignment;
    private static long Align(long value, int alignment) => (value + alignment - 1) / alignment * alignment;
}
