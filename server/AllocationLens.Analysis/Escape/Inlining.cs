using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>
/// A conservative model of the JIT's inliner, for source methods of the same compilation. Measured on
/// .NET 10 (test/runtime/corpus): constructors are inlined even when large or looping; ordinary methods
/// up to roughly 150 bytes of IL, including try/finally, `using`, `lock` and filtered catches (.NET 9 and
/// older inline none of those, see <see cref="TargetRuntime.InlinesExceptionHandling"/>); nothing with a try/catch,
/// a foreach over an enumerator, recursion, stackalloc, async or iterator bodies, or [MethodImpl(NoInlining)]; virtual calls only when the receiver's exact type is
/// known. A callee that is inlined keeps an argument local only if its own body does.
/// </summary>
internal static class Inlining
{
    private const int MaxDepth = 4;
    private const int MethodIlBudget = 100;
    private const int ConstructorIlBudget = 1500;
    /// <summary>
    /// The budget of a callee reached through another inlinee (depth 2 and deeper). The JIT judges such a
    /// call without profile data for the inlinee's body, and measured with `--verify` (.NET 10.0.12, no PGO)
    /// it declines constructors and methods a root call site would take: a 45-byte constructor called from
    /// a one-line factory (Polly `ReloadableComponent`), test/runtime/corpus/NestedInlining.cs.
    /// </summary>
    private const int NestedIlBudget = 40;

    /// <param name="receiverExact">The exact type of the call's receiver when known: it picks the implementation of a virtual call.</param>
    /// <param name="argumentExact">
    /// The exact type of argument <paramref name="ordinal"/> when known (a box, a new object): inside an inlined
    /// callee the JIT knows it too and devirtualizes calls on it. For the receiver (ordinal -1) it is <paramref name="receiverExact"/>.
    /// </param>
    public static CallVerdict KeepsArgumentLocal(AnalysisSession session, IMethodSymbol method, int ordinal, ITypeSymbol? receiverExact, int depth, ITypeSymbol? argumentExact = null)
    {
        var valueExact = ordinal < 0 ? receiverExact : argumentExact;
        if (KnownFrameworkMembers.NotLocalOn(method, ordinal, session.Runtime) is { } older) return CallVerdict.Escapes(older);
        if (KnownFrameworkMembers.KeepsLocal(method, ordinal, session.Facts)) return CallVerdict.Local(null);
        if (session.Runtime.RemovesNullableAndEnumEqualsBoxes && KnownFrameworkMembers.IsEnumEquals(method, receiverExact)) return CallVerdict.Local(null);
        if (KnownFrameworkMembers.ReturnsAlias(method, ordinal)) return CallVerdict.Local(null) with { ReturnsArgument = true };

        var target = Devirtualize(method, receiverExact);
        if (target is not null && receiverExact is not null && KnownFrameworkMembers.IsDevirtualizedObjectEquals(target))
            return CallVerdict.Local(null);
        if (target is null)
            return CallVerdict.Escapes("a virtual call whose target is not known here, so the JIT cannot inline it", certain: false);
        if (!SymbolEqualityComparer.Default.Equals(target, method) && KnownFrameworkMembers.KeepsLocal(target, ordinal, session.Facts))
            return CallVerdict.Local(null);

        if (target.IsImplicitlyDeclared || IsSynthesizedRecordMember(target))
            return ImplicitMember(session, target, ordinal, depth);

        if (IsAutoAccessor(target))
            return ordinal < 0 ? CallVerdict.Local(null) : CallVerdict.Escapes("which stores it in a field of the object");

        var body = BodyOf(session, target);
        if (body is null)
        {
            return target.Locations.Any(l => l.IsInMetadata)
                ? CallVerdict.Escapes("a framework method not known to be inlined", certain: true)
                : CallVerdict.Escapes("whose body is not available", certain: false);
        }

        if (depth > MaxDepth) return CallVerdict.Escapes("too deep in a chain of inlined calls for the JIT's budget", certain: false);
        if (ConstructorInitializers.BlocksInlining(session, target) is { } initializers) return CallVerdict.Escapes(initializers);
        if (WhyNotInlined(target, body, session.Runtime, depth, ConstructorInitializers.IlOf(session, target)) is { } reason) return CallVerdict.Escapes(reason);

        var cached = session.CalleeSummaries.GetOrAdd(new AnalysisSession.CalleeQuestion(target.OriginalDefinition, ordinal, valueExact, depth),
            _ => session.Summarize(() => body.Escape(session).TraceParameter(ordinal, valueExact, depth)));
        session.Dependencies?.AddAll(cached.Dependencies);
        var summary = cached.Result;
        if (summary.Escapes)
        {
            var last = summary.Steps.IsEmpty ? "lets it escape" : "which lets it escape";
            return new CallVerdict(false, last, summary.Certain, null, InsideCallee(target, summary.Steps));
        }
        return CallVerdict.Local($"assumes the JIT inlines `{Signature(target)}` (small, non-virtual, no try/catch)") with { ReturnsArgument = summary.FlowsToResult };
    }

    /// <summary>
    /// A callee's own steps say where they happen: "inside `FormatWith`: stored as a collection element", and,
    /// when the callee is in another file than its caller's step before it, that file's name. Steps already
    /// inside a deeper callee keep that callee's name.
    /// </summary>
    private static ImmutableArray<WhyStep> InsideCallee(IMethodSymbol callee, ImmutableArray<WhyStep> steps)
    {
        if (steps.IsEmpty) return steps;
        var builder = ImmutableArray.CreateBuilder<WhyStep>(steps.Length);
        string name = Signature(callee);
        foreach (var step in steps)
            builder.Add(step.Text.StartsWith("inside `", StringComparison.Ordinal) ? step : step with { Text = $"inside `{name}`: {step.Text}" });
        return builder.MoveToImmutable();
    }

    /// <summary>A callee's step in another file than the caller's names that file: "(in Extensions.cs) inside `FormatWith`: …".</summary>
    internal static ImmutableArray<WhyStep> InOtherFiles(string callerPath, ImmutableArray<WhyStep> steps)
    {
        if (steps.All(s => s.Where.Path == callerPath)) return steps;
        var builder = ImmutableArray.CreateBuilder<WhyStep>(steps.Length);
        foreach (var step in steps)
            builder.Add(step.Where.Path == callerPath || step.Text.StartsWith("(in ", StringComparison.Ordinal)
                ? step
                : step with { Text = $"(in {System.IO.Path.GetFileName(step.Where.Path)}) {step.Text}" });
        return builder.MoveToImmutable();
    }

    /// <summary>Picks the implementation a call reaches when the receiver's exact type is known.</summary>
    private static IMethodSymbol? Devirtualize(IMethodSymbol method, ITypeSymbol? receiverExact)
    {
        bool isVirtual = method.IsVirtual || method.IsAbstract || method.IsOverride || method.ContainingType?.TypeKind == TypeKind.Interface;
        if (!isVirtual || method.IsSealed || method.ContainingType?.IsSealed == true) return method;
        if (receiverExact is not INamedTypeSymbol exact) return null;
        var implementation = CalleeResolution.Implementation(exact, method);
        return implementation is null && method.ContainingType?.TypeKind != TypeKind.Interface ? method : implementation;
    }

    /// <summary>Compiler-made members (default constructors, record and anonymous-type members) are tiny and inlined.</summary>
    private static CallVerdict ImplicitMember(AnalysisSession session, IMethodSymbol method, int ordinal, int depth)
    {
        if (method.MethodKind == MethodKind.Constructor)
        {
            if (ordinal >= 0) return CallVerdict.Escapes("which stores it in a field of the new object");
            // An implicit constructor is its type's field and property initializers plus the base call.
            if (ConstructorInitializers.BlocksInlining(session, method) is { } blocked) return CallVerdict.Escapes(blocked);
            int initializers = ConstructorInitializers.IlOf(session, method);
            if (TooLarge(method, initializers, session.Runtime, depth, initializers) is { } large) return CallVerdict.Escapes(large);
            var baseCtor = method.ContainingType.BaseType?.InstanceConstructors.FirstOrDefault(c => c.Parameters.Length == 0);
            if (baseCtor is not null && baseCtor.ContainingType.SpecialType != SpecialType.System_Object)
                return KeepsArgumentLocal(session, baseCtor, -1, null, depth + 1);
            // Initializers make the implicit constructor a real body, inlined like a declared one: an assumption.
            return initializers == 0
                ? CallVerdict.Local(null)
                : CallVerdict.Local($"assumes the JIT inlines the implicit constructor of `{method.ContainingType.Name}` (its field and property initializers, about {initializers} bytes of IL)");
        }
        if (method.MethodKind is MethodKind.PropertyGet) return ordinal < 0 ? CallVerdict.Local(null) : CallVerdict.Escapes("which stores it");
        // A record's synthesized equality compares fields (EqualityComparer<T>.Default, devirtualized); measured local.
        if (method.ContainingType.IsRecord && method.Name is "op_Equality" or "op_Inequality" or "Equals" && method.Parameters.Length is 1 or 2
            && method.Parameters.All(p => SymbolEqualityComparer.Default.Equals(p.Type.OriginalDefinition, method.ContainingType.OriginalDefinition)))
            return CallVerdict.Local($"assumes the JIT inlines the record's `{method.Name}`");
        if (method.MethodKind is MethodKind.PropertySet) return ordinal < 0 ? CallVerdict.Local(null) : CallVerdict.Escapes("which stores it in a field of the object");
        return CallVerdict.Escapes($"a compiler-generated `{method.Name}` we assume is not inlined", certain: false);
    }

    private static bool IsSynthesizedRecordMember(IMethodSymbol method) =>
        method.ContainingType.IsRecord && method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is TypeDeclarationSyntax or ParameterSyntax;

    public static bool IsAutoAccessor(IMethodSymbol accessor)
    {
        if (accessor.AssociatedSymbol is not IPropertySymbol) return false;
        if (accessor.IsImplicitlyDeclared) return true;
        var syntax = accessor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        return syntax switch
        {
            AccessorDeclarationSyntax a => a.Body is null && a.ExpressionBody is null,
            ParameterSyntax => true, // a record's positional property
            _ => false,
        };
    }

    /// <summary>The function the JIT would inline, or null when we have no body for it.</summary>
    public static FunctionScope? BodyOf(AnalysisSession session, IMethodSymbol method)
    {
        method = method.PartialImplementationPart ?? method;
        var scope = session.CalleeBodies.GetOrAdd(method.OriginalDefinition, m =>
        {
            var syntax = m.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(session.CancellationToken);
            if (syntax is null || !session.Compilation.ContainsSyntaxTree(syntax.SyntaxTree)) return null;
            var model = session.ModelFor(syntax.SyntaxTree);
            IOperation? root = syntax switch
            {
                LocalFunctionStatementSyntax lf => (model.GetOperation(lf, session.CancellationToken) as ILocalFunctionOperation)?.Body,
                BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or ArrowExpressionClauseSyntax => model.GetOperation(syntax, session.CancellationToken),
                _ => null,
            };
            return root is null ? null : new FunctionScope(root, m, m.MethodKind == MethodKind.Constructor ? m.ContainingType.Name : m.Name, runsOnce: false);
        });
        // Every reader depends on the body, whether it was just bound or came from the session's cache.
        if (scope is not null) session.DependOn(scope.Root.Syntax);
        return scope;
    }

    /// <summary>Why the JIT would refuse to inline this body, or null when it would inline it.</summary>
    public static string? WhyNotInlined(IMethodSymbol method, FunctionScope body, TargetRuntime runtime, int depth = 1, int initializerIl = 0)
    {
        var flags = method.MethodImplementationFlags;
        if ((flags & MethodImplAttributes.NoInlining) != 0) return "marked [MethodImpl(NoInlining)]";
        if ((flags & MethodImplAttributes.NoOptimization) != 0) return "marked [MethodImpl(NoOptimization)], which the JIT neither optimizes nor inlines";
        if (method.IsAsync) return "an async method, which the JIT does not inline";
        bool aggressive = (flags & MethodImplAttributes.AggressiveInlining) != 0;
        // Measured on .NET 9 (test/runtime/corpus/Inlining.cs, Objects.cs): a constructor gets the ordinary
        // budget, and a callee with a loop or a throw is not inlined; .NET 10 takes all three.
        bool modern = runtime.InlinesLoopsThrowsAndLargeConstructors;
        int budget = (method.MethodKind == MethodKind.Constructor && modern) || aggressive ? ConstructorIlBudget : MethodIlBudget;
        int il = 0;
        IOperation? branchOnState = null;
        bool cachesStaticMethodGroups = body.Root.SemanticModel?.Compilation is CSharpCompilation { LanguageVersion: >= LanguageVersion.CSharp11 };
        foreach (var op in body.Root.DescendantsAndSelf())
        {
            if (branchOnState is null && !modern && !aggressive && BranchOnState(op, cachesStaticMethodGroups) is { } branch) branchOnState = branch;
            switch (op)
            {
                // Measured on .NET 10 (test/runtime/corpus/RealCode.cs): try/finally, `using` and `lock`
                // are inlined, and so is a try whose every catch has a `when` filter; a catch clause
                // without a filter (typed or catch-all) still blocks inlining.
                case ITryOperation tryOp when tryOp.Catches.Any(c => c.Filter is null):
                    return "it has a try/catch, which the JIT does not inline";
                // Measured on .NET 9: no exception handling at all is inlined (try/finally, `using`, `lock`, filters).
                case ITryOperation or IUsingOperation or IUsingDeclarationOperation or ILockOperation when !runtime.InlinesExceptionHandling:
                    return $"it has exception handling ({EhKind(op)}), which the {runtime.Name} JIT does not inline";
                case IForEachLoopOperation loop when loop.Collection.Type is not IArrayTypeSymbol && loop.Collection.Type?.SpecialType != SpecialType.System_String:
                    return "it has a foreach over an enumerator, which the JIT does not inline (measured)";
                case IReturnOperation { Kind: OperationKind.YieldReturn or OperationKind.YieldBreak }:
                    return "an iterator";
                case IInvocationOperation call when SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, method.OriginalDefinition):
                    return "recursive, and the JIT does not inline recursive methods";
                case ILoopOperation when !modern && !aggressive:
                    return $"it has a loop, which the {runtime.Name} JIT does not inline";
                case IThrowOperation when !modern && !aggressive:
                    return $"it throws, which the {runtime.Name} JIT does not inline";
                case ISwitchOperation or ISwitchExpressionOperation when !aggressive && CompilesToJumpTable(op):
                    return "its switch compiles to a jump table (IL `switch`), which the JIT does not inline";
            }
            if (op.Syntax is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax)
                return "it uses stackalloc, which the JIT does not inline";
            if (!op.IsImplicit) il += 3;
        }
        // Measured on .NET 9 with its default Dynamic PGO (test/runtime/corpus/InliningHeuristics.cs): over the
        // always-inline size, a callee that branches on a field, a static or a delegate cache is not inlined,
        // while one that branches only on its arguments is (the inliner rewards an argument feeding a test).
        // .NET 10 inlines both.
        if (branchOnState is not null && il + initializerIl > AlwaysInlineIl)
            return $"it branches on state other than its arguments (`{OperationFacts.Excerpt(branchOnState.Syntax)}`) and is over the always-inline size, which the {runtime.Name} JIT does not inline";
        return TooLarge(method, il + initializerIl, runtime, depth, initializerIl);
    }

    /// <summary>The JIT inlines a callee of at most this many IL bytes whatever it contains (ALWAYS_INLINE_SIZE).</summary>
    private const int AlwaysInlineIl = 16;

    /// <summary>A branch whose condition reads no argument of the callee (<see cref="OperationFacts.Branches"/>).</summary>
    private static IOperation? BranchOnState(IOperation op, bool cachesStaticMethodGroups) =>
        OperationFacts.Branches(op, cachesStaticMethodGroups, out var condition) &&
        condition?.DescendantsAndSelf().Any(d => d is IParameterReferenceOperation) != true ? op : null;

    /// <summary>The size limits of <see cref="WhyNotInlined"/>, for a body of <paramref name="il"/> bytes (initializers included).</summary>
    private static string? TooLarge(IMethodSymbol method, int il, TargetRuntime runtime, int depth, int initializerIl = -1)
    {
        if (initializerIl < 0) initializerIl = il;
        bool aggressive = (method.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining) != 0;
        int budget = (method.MethodKind == MethodKind.Constructor && runtime.InlinesLoopsThrowsAndLargeConstructors) || aggressive ? ConstructorIlBudget : MethodIlBudget;
        string of = initializerIl > 0 ? $"about {il} bytes of IL, {initializerIl} of them field and property initializers" : $"about {il} bytes of IL";
        if (il > budget) return $"too large to inline ({of})";
        if (depth >= 2 && !aggressive && il > NestedIlBudget)
            return $"called inside another inlined method, where the JIT's budget is smaller ({of})";
        return null;
    }

    private static string EhKind(IOperation op) => op switch
    {
        ITryOperation { Finally: not null } => "try/finally",
        ITryOperation => "a filtered catch",
        ILockOperation => "`lock`",
        _ => "`using`",
    };

    /// <summary>
    /// Roslyn emits an IL `switch` for three or more integral constant cases; measured on .NET 10, a
    /// callee containing one is not inlined (test/runtime/corpus/Inlining.cs).
    /// </summary>
    private static bool CompilesToJumpTable(IOperation op)
    {
        var (value, constants) = op switch
        {
            ISwitchOperation s => (s.Value, s.Cases.SelectMany(c => c.Clauses).Count(c => c is ISingleValueCaseClauseOperation { Value.ConstantValue.HasValue: true }
                || c is IPatternCaseClauseOperation { Pattern: IConstantPatternOperation })),
            ISwitchExpressionOperation e => (e.Value, e.Arms.Count(a => a.Pattern is IConstantPatternOperation)),
            _ => (null, 0),
        };
        var type = value?.Type;
        if (type is null) return false;
        if (type.TypeKind == TypeKind.Enum) type = ((INamedTypeSymbol)type).EnumUnderlyingType;
        bool integral = type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Char;
        return integral && constants >= 3;
    }

    /// <summary>
    /// How a callee reads in a message: `Point(int, int)`, `Math.Max(int, int)`; a property getter reads as
    /// the property (`Expression`, an indexer `this[int]`), a setter by its metadata name (`set_Expression(string)`).
    /// </summary>
    public static string Signature(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.PropertyGet && method.AssociatedSymbol is IPropertySymbol property)
        {
            return property.IsIndexer
                ? $"this[{string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)))}]"
                : property.Name;
        }
        var name = method.MethodKind switch
        {
            MethodKind.Constructor => method.ContainingType.Name,
            _ => method.ContainingType is { } t && method.IsStatic && method.MethodKind == MethodKind.Ordinary ? t.Name + "." + method.Name : method.Name,
        };
        var parameters = string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
        return $"{name}({parameters})";
    }

    public static string ParameterName(IMethodSymbol method, int ordinal) =>
        ordinal >= 0 && ordinal < method.Parameters.Length ? method.Parameters[ordinal].Name : "this";
}
