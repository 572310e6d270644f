using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>
/// Which body a call reaches, for call summaries. A non-virtual call reaches its method; a virtual or
/// interface call reaches a known implementation when the receiver's exact type is known (a fresh
/// object), the method or its type is sealed, or the solution holds exactly one implementation (an
/// assumption: another assembly could add one, so the summary says "may"). With several, it cannot know.
/// </summary>
internal static class CalleeResolution
{
    /// <param name="Target">The method whose body is summarized, or null when it cannot be known.</param>
    /// <param name="Remark">What was assumed, for virtual and interface calls; null for plain calls.</param>
    public readonly record struct Resolved(IMethodSymbol? Target, string? Remark, bool Certain);

    public static Resolved Resolve(Compilation compilation, IMethodSymbol method, IOperation? receiver, ConcurrentDictionary<IMethodSymbol, IMethodSymbol[]> implementations)
    {
        bool isInterface = method.ContainingType?.TypeKind == TypeKind.Interface;
        bool isVirtual = isInterface ? !method.IsStatic && (method.IsAbstract || method.IsVirtual) : method.IsVirtual || method.IsAbstract || method.IsOverride;
        if (!isVirtual) return new(method, null, true);
        if (method.IsSealed || method.ContainingType?.IsSealed == true)
            return new(method, $"resolved without a virtual dispatch: `{method.ContainingType!.Name}.{method.Name}` is sealed", true);
        if (ExactType(receiver) is INamedTypeSymbol exact && Implementation(exact, method) is { } onExact)
            return new(onExact, $"resolved to `{exact.Name}.{onExact.Name}`: the receiver is a new `{exact.Name}`", true);

        var found = implementations.GetOrAdd(method.OriginalDefinition, m => SourceImplementations(compilation, m));
        if (found.Length == 1)
        {
            var only = found[0];
            var owner = only.ContainingType.Name;
            return SymbolEqualityComparer.Default.Equals(only.OriginalDefinition, method.OriginalDefinition)
                ? new(method, $"assumed `{owner}.{only.Name}` itself: no override in this solution (another assembly could add one)", false)
                : new(only, $"assumed `{owner}.{only.Name}`, the only implementation in this solution (another assembly could add one)", false);
        }
        if (found.Length == 0)
            return new(null, $"a {(isInterface ? "interface" : "virtual")} call with no implementation in this solution", false);
        var names = string.Join(", ", found.Take(3).Select(f => $"`{f.ContainingType.Name}.{f.Name}`")) + (found.Length > 3 ? ", …" : "");
        return new(null, $"a {(isInterface ? "interface" : "virtual")} call with {found.Length} implementations in this solution ({names}); which one runs is not known here", false);
    }

    private static ITypeSymbol? ExactType(IOperation? receiver)
    {
        while (receiver is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
            receiver = receiver is IConversionOperation c ? c.Operand : ((IParenthesizedOperation)receiver).Operand;
        return receiver is IObjectCreationOperation creation ? creation.Type : null;
    }

    /// <summary>The member of <paramref name="type"/> (or a base) that implements or overrides <paramref name="method"/>; null when none does.</summary>
    internal static IMethodSymbol? Implementation(INamedTypeSymbol type, IMethodSymbol method)
    {
        if (method.ContainingType?.TypeKind == TypeKind.Interface)
            return type.FindImplementationForInterfaceMember(method) as IMethodSymbol;
        for (var t = type; t is not null; t = t.BaseType)
            foreach (var candidate in t.GetMembers(method.Name).OfType<IMethodSymbol>())
                for (var m = candidate; m is not null; m = m.OverriddenMethod)
                    if (SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, method.OriginalDefinition)) return candidate;
        return null;
    }

    /// <summary>The distinct bodies in this compilation's source that a virtual or interface call could reach.</summary>
    private static IMethodSymbol[] SourceImplementations(Compilation compilation, IMethodSymbol method)
    {
        var result = new List<IMethodSymbol>();
        if (!method.IsAbstract && method.Locations.Any(l => l.IsInSource) && method.ContainingType?.TypeKind != TypeKind.Interface)
            result.Add(method);
        var pending = new Stack<INamespaceOrTypeSymbol>();
        pending.Push(compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            var symbol = pending.Pop();
            foreach (var member in symbol.GetMembers())
            {
                if (member is INamespaceOrTypeSymbol nested) pending.Push(nested);
                if (member is not INamedTypeSymbol { IsAbstract: false, TypeKind: TypeKind.Class or TypeKind.Struct } type) continue;
                if (Implementation(type, method) is not { } impl || impl.IsAbstract || !impl.Locations.Any(l => l.IsInSource)) continue;
                if (!result.Any(r => SymbolEqualityComparer.Default.Equals(r.OriginalDefinition, impl.OriginalDefinition))) result.Add(impl.OriginalDefinition);
            }
        }
        return result.ToArray();
    }
}
