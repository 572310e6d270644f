using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>What kind of GC object a candidate is, which decides which runtime can stack-allocate it.</summary>
internal enum CandidateKind { Object, Box, Array, Delegate }

/// <summary>
/// Decides stack versus heap for one allocation the JIT could stack-allocate, checking the conditions in
/// the order objectalloc.cpp does: runtime support and optimized code, not in a loop, no finalizer,
/// size within 528 bytes, and no escape. The first failing condition is the headline reason.
/// </summary>
internal static class StackAllocationJudge
{
    public static Verdict Judge(
        RuleContext ctx, IOperation value, SyntaxNode site, CandidateKind kind, ITypeSymbol? exactType, int? heapBytes,
        CallVerdict? constructor = null, string? noun = null)
    {
        var runtime = ctx.Runtime;
        var where = Spans.Of(site);
        noun ??= kind switch { CandidateKind.Box => "boxes", CandidateKind.Array => "arrays", CandidateKind.Delegate => "delegates", _ => "objects" };

        bool supported = kind switch
        {
            CandidateKind.Array => runtime.StackAllocatesArrays,
            CandidateKind.Delegate => runtime.StackAllocatesDelegates,
            _ => runtime.StackAllocatesObjects,
        };
        if (!supported)
        {
            if (runtime.RemovesDeadAllocations && !ctx.Function.RunsOnce && Loops.Of(site).Depth == 0
                && DeadAllocation.Why(ctx, value, kind, exactType) is { } dead
                && !ctx.Function.Escape(ctx.Session).TraceValue(value, exactType).Escapes)
            {
                string removed = $"{dead}, so the JIT removes the allocation; {runtime.Name} does not stack-allocate {noun}, but drops the ones nothing observes";
                return new Verdict(true, removed, [new WhyStep(where, removed)], true, false);
            }
            string since = kind is CandidateKind.Array or CandidateKind.Delegate ? ".NET 10" : ".NET 9";
            string reason = !runtime.Optimized
                ? "unoptimized (Debug) code never stack-allocates"
                : $"{runtime.Name} does not stack-allocate {noun} (the JIT does so from {since})";
            return Heap(reason, where, escaped: false);
        }
        if (ctx.Function.RunsOnce)
            return Heap("runs once, in a static initializer, which the JIT does not optimize", where, escaped: false);

        var (depth, loop) = Loops.Of(site);
        // A thrown object leaves the loop with the exception: it is not allocated on every iteration, and
        // the escape below ("thrown") is the reason it lives on the heap.
        if (depth > 0 && loop is not null && !IsThrown(value))
        {
            var loopAt = Spans.Of(loop);
            return new Verdict(false, $"allocated on every iteration of the {Loops.Keyword(loop)} loop at line {loopAt.Line + 1}; the JIT only stack-allocates outside loops",
                [new WhyStep(loopAt, $"inside the {Loops.Keyword(loop)} loop at line {loopAt.Line + 1}")], true, false);
        }
        if (exactType is not null && HasFinalizer(exactType))
            return Heap($"`{exactType.Name}` has a finalizer, so the runtime must track it on the heap", where, escaped: false);
        if (heapBytes is null)
            return new Verdict(false, "its size is not known statically, so we assume the heap", [new WhyStep(where, "size not static")], false, false);
        int jitSize = ObjectSizes.JitSize(heapBytes.Value);
        if (jitSize > TargetRuntime.StackAllocationLimitBytes && runtime.LimitsStackAllocationSize)
            return Heap($"{heapBytes} bytes is over the JIT's {TargetRuntime.StackAllocationLimitBytes}-byte stack-allocation limit", where, escaped: false);

        // Where the value goes is the more useful headline, so a sink in this function is reported
        // before a constructor that would keep it on the heap anyway.
        var escape = ctx.Function.Escape(ctx.Session).TraceValue(value, exactType);
        if (escape.Escapes)
        {
            var last = escape.Steps.IsEmpty ? "it escapes" : escape.Steps[^1].Text;
            return new Verdict(false, last, escape.Steps.IsEmpty ? [new WhyStep(where, last)] : escape.Steps, escape.Certain, true);
        }
        if (constructor is { KeepsLocal: false } ctor)
        {
            // A summary's reason reads as a clause ("which lets it escape") or a phrase ("whose body is not available").
            var reason = ctor.Reason.StartsWith("which lets ", StringComparison.Ordinal) || ctor.Reason.StartsWith("lets ", StringComparison.Ordinal)
                ? "its constructor lets it escape"
                : $"its constructor is {ctor.Reason}";
            var steps = ImmutableArray.Create(new WhyStep(where, reason)).AddRange(Inlining.InOtherFiles(where.Path, ctor.InnerSteps));
            return new Verdict(false, reason, steps, ctor.Certain, true);
        }

        var why = ImmutableArray.CreateBuilder<WhyStep>();
        why.AddRange(escape.Steps);
        string assumption = constructor?.Assumption ?? "";
        foreach (var a in escape.Assumptions) why.Add(new WhyStep(where, a));
        if (assumption.Length > 0) why.Add(new WhyStep(where, assumption));
        string headline = $"never leaves `{ctx.Function.DisplayName}`; {runtime.Name} stack-allocates non-escaping {noun} up to {TargetRuntime.StackAllocationLimitBytes} bytes in optimized code";
        why.Add(new WhyStep(where, headline));
        bool certain = escape.Assumptions.IsEmpty && constructor?.Assumption is null;
        return new Verdict(true, headline, why.ToImmutable(), certain, false);
    }

    /// <summary>`throw new E()` or `x ?? throw new E()`: the value is the thrown operand (through conversions).</summary>
    public static bool IsThrown(IOperation value)
    {
        var parent = value.Parent;
        while (parent is IConversionOperation) parent = parent.Parent;
        return parent is IThrowOperation;
    }

    public static Verdict Heap(string reason, SourceSpan where, bool escaped) => new(false, reason, [new WhyStep(where, reason)], true, escaped);

    private static bool HasFinalizer(ITypeSymbol type)
    {
        for (var t = type as INamedTypeSymbol; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
            if (t.GetMembers("Finalize").OfType<IMethodSymbol>().Any(m => m.MethodKind == MethodKind.Destructor || m.Parameters.Length == 0 && m.IsOverride))
                return true;
        return false;
    }
}
