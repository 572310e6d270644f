using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Analysis.Rules;

/// <summary>Judges and reports a site the JIT could stack-allocate: objects, boxes, arrays, delegates.</summary>
internal static class Candidates
{
    public static void Report(
        RuleContext ctx, IOperation value, SyntaxNode site, CandidateKind kind, string category, ITypeSymbol? type, int? bytes,
        ImmutableArray<string> remedies, CallVerdict? constructor = null, SourceSpan? where = null, string? subject = null,
        WhyStep? onStackNote = null)
    {
        var verdict = StackAllocationJudge.Judge(ctx, value, site, kind, type, bytes, constructor);
        // What still reaches the heap although this site does not (a capturing lambda's closure).
        if (verdict.OnStack && onStackNote is { } note) verdict = verdict with { Why = verdict.Why.Add(note) };
        var label = verdict.OnStack ? AllocationKind.Stack : kind == CandidateKind.Box ? AllocationKind.Boxed : AllocationKind.Heap;
        var (depth, _) = Loops.Of(site);
        var cold = ColdPaths.Of(ctx, site);
        // Whether it escapes, where the verdict got that far; otherwise the remedies ask when they need to know.
        bool? escapes = verdict.Escaped ? true : null;
        ctx.Report(where ?? Spans.Of(site), label, category, type, bytes, subject ?? Spans.Subject(site), verdict,
            verdict.OnStack ? ImmutableArray<string>.Empty : RemedyFit.Fit(ctx, site, value, category, type, bytes, remedies, depth, cold, escapes), depth, cold);
    }

    /// <summary>
    /// Reports a site whose verdict does not depend on escape analysis. <paramref name="value"/>, when given,
    /// lets the remedies ask whether it escapes (a pooled or stack array must not).
    /// </summary>
    public static void Fixed(
        RuleContext ctx, SyntaxNode site, AllocationKind kind, string category, ITypeSymbol? type, int? bytes, string reason,
        ImmutableArray<string> remedies, bool certain = true, SourceSpan? where = null, string? subject = null, IOperation? value = null)
    {
        var span = where ?? Spans.Of(site);
        var (depth, _) = Loops.Of(site);
        subject ??= Spans.Subject(site);
        string message = kind == AllocationKind.Stack ? $"{subject} stays off the heap: {reason}" : $"{subject}: {reason}";
        var cold = ColdPaths.Of(ctx, site);
        ctx.Report(span, kind, category, type, bytes, subject, message, [new WhyStep(span, reason)],
            kind == AllocationKind.Stack ? ImmutableArray<string>.Empty : RemedyFit.Fit(ctx, site, value, category, type, bytes, remedies, depth, cold, escapes: null),
            depth, certain, cold, needsNoJit: kind == AllocationKind.Stack);
    }

    public const string KeepObjectLocal =
        "Keep the object local: do not return it, store it in a field, or pass it to a method the JIT cannot inline; .NET 9+ then stack-allocates it.";
    public const string MakeStruct = "If it is small and short-lived, make the type a struct.";
    public const string KeepArrayLocal = "Keep a constant-length array local so .NET 10 can stack-allocate it.";

    public static readonly ImmutableArray<string> ObjectRemedies = [KeepObjectLocal, MakeStruct];

    private static readonly ImmutableArray<string> UnmanagedArrayRemedies =
    [
        "Use `stackalloc` into a Span<T>, or rent from ArrayPool<T>.Shared.",
        KeepArrayLocal,
    ];

    /// <summary>`stackalloc` takes only unmanaged elements: arrays of references (or of structs holding them) get other remedies.</summary>
    private static readonly ImmutableArray<string> ManagedArrayRemedies =
    [
        "Rent from ArrayPool<T>.Shared, or reuse one array across calls.",
        KeepArrayLocal,
    ];

    /// <summary>Remedies that fit the array's element type: never `stackalloc` for references.</summary>
    public static ImmutableArray<string> ArrayRemedies(ITypeSymbol? arrayOrElement)
    {
        var element = arrayOrElement is IArrayTypeSymbol array ? array.ElementType : arrayOrElement;
        return element is { IsUnmanagedType: true } ? UnmanagedArrayRemedies : ManagedArrayRemedies;
    }

    public static readonly ImmutableArray<string> BoxRemedies =
    [
        "Take a generic parameter `T` (constrained to the interface if you call one) instead of object or an interface.",
        "Keep the value in a typed local or use an overload for the value type.",
    ];

    public static readonly ImmutableArray<string> StringRemedies =
    [
        "Build into a Span<char> with string.Create, TryFormat or an interpolated string handler, or append to a reused StringBuilder.",
        "Cache the result if the inputs repeat.",
    ];
}
