using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Keeps only the remedies that are correct for the site they are shown on. A rule proposes remedies for
/// its category; this checks each one against the allocated type and the site's context: a cold site gets
/// the one sentence that is true of it (or nothing), a struct is proposed only for a class of the user's
/// own that derives from object, `stackalloc` and ArrayPool never for an array that escapes or a field
/// initializer, and hoisting out of a loop only for a value that does not escape and reads nothing the
/// loop changes. Where nothing fits, the site shows no remedy.
/// </summary>
internal static class RemedyFit
{
    public const string ThrowOnlyWhenThrown =
        "It allocates only when the exception is thrown, and the JIT already moves throw blocks out of the hot path: nothing to gain per call.";
    public const string ThrowHelper =
        "If this method is small and called on a hot path, move the throw into a `[DoesNotReturn]` throw helper so the caller stays small enough to inline.";
    public const string RunsOncePerProcess =
        "It runs once per process (for a generic type, once per type argument), so it costs nothing per call: keep it (a static table built once is the cheap choice).";
    public const string HoistOutOfLoop = "Hoist it out of the loop and reuse one instance across iterations.";

    /// <summary>
    /// The remedies for a site. <paramref name="value"/> is the allocated value for sites the escape
    /// analysis can trace (null for sites whose verdict does not depend on it); <paramref name="escapes"/>
    /// is the verdict's own answer when it reached that question.
    /// </summary>
    public static ImmutableArray<string> Fit(
        RuleContext ctx, SyntaxNode site, IOperation? value, string category, ITypeSymbol? type, int? bytes,
        ImmutableArray<string> proposed, int loopDepth, ColdPath? cold, bool? escapes)
    {
        if (cold is not null) return ForCold(ctx, cold);
        bool inFieldInitializer = ctx.Function.Symbol is IFieldSymbol or IPropertySymbol && site.FirstAncestorOrSelf<EqualsValueClauseSyntax>() is not null;
        bool Escapes() => escapes ??= value is not null && ctx.Function.Escape(ctx.Session).TraceValue(value, type).Escapes;

        var fitting = ImmutableArray.CreateBuilder<string>(proposed.Length + 1);
        if (loopDepth > 0 && !inFieldInitializer && (value is not null ? !Escapes() : category == "string") && LoopInvariant.Reads(ctx.Model, site))
            fitting.Add(HoistOutOfLoop);
        foreach (var remedy in proposed)
        {
            if (ProposesStruct(remedy) && !CanBecomeStruct(type)) continue;
            if (remedy == Candidates.KeepObjectLocal && (inFieldInitializer || !CanStayOnStack(type, bytes))) continue;
            if (ProposesStackOrPool(remedy) && (inFieldInitializer || type is IArrayTypeSymbol { Rank: > 1 } || Escapes())) continue;
            // Advice about constant-length arrays is for arrays whose length is a constant.
            if (remedy == Candidates.KeepArrayLocal && value is IArrayCreationOperation creation && creation.DimensionSizes.Any(d => !d.ConstantValue.HasValue)) continue;
            fitting.Add(remedy);
        }
        return fitting.ToImmutable();
    }

    /// <summary>
    /// A throw says that it allocates only when it throws, and where the throw sits in an ordinary method
    /// that a throw helper keeps the method small; a static initializer says that it runs once. A catch
    /// block or a debug-only check has no remedy: its cold reason says all there is.
    /// </summary>
    private static ImmutableArray<string> ForCold(RuleContext ctx, ColdPath cold)
    {
        if (cold.RunsOnce) return [RunsOncePerProcess];
        if (!cold.Throws) return [];
        // Already in a throw helper (or passed to one): the helper is the remedy, and it is in place.
        bool inHelper = cold.Reason == ColdReason.DoesNotReturn || ctx.Function.Symbol is IMethodSymbol m && ColdPaths.DoesNotReturn(m);
        return inHelper ? [ThrowOnlyWhenThrown] : [ThrowOnlyWhenThrown, ThrowHelper];
    }

    public static bool ProposesStruct(string remedy) =>
        remedy == Candidates.MakeStruct || remedy.Contains("use a record struct", StringComparison.Ordinal);

    public static bool ProposesStackOrPool(string remedy) =>
        remedy.Contains("stackalloc", StringComparison.Ordinal) || remedy.Contains("ArrayPool", StringComparison.Ordinal)
        || remedy == Candidates.KeepArrayLocal;

    /// <summary>
    /// A class can become a struct only if the user owns it (it is declared in source), it derives from
    /// object (a struct cannot derive from anything else: never an exception), and it is neither static,
    /// abstract nor finalizable.
    /// </summary>
    public static bool CanBecomeStruct(ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeKind: TypeKind.Class, IsStatic: false, IsAbstract: false } named
        && named.BaseType is { SpecialType: SpecialType.System_Object }
        && named.Locations.Any(l => l.IsInSource)
        && !named.GetMembers("Finalize").Any(f => f is IMethodSymbol { MethodKind: MethodKind.Destructor });

    /// <summary>Keeping an object local helps only if the JIT could then stack-allocate it: no finalizer, within the size limit.</summary>
    private static bool CanStayOnStack(ITypeSymbol? type, int? bytes)
    {
        if (bytes is { } b && ObjectSizes.JitSize(b) > TargetRuntime.StackAllocationLimitBytes) return false;
        for (var t = type as INamedTypeSymbol; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            if (t.GetMembers("Finalize").Any(f => f is IMethodSymbol { MethodKind: MethodKind.Destructor } || f is IMethodSymbol { IsOverride: true, Parameters.Length: 0 }))
                return false;
        return true;
    }
}
