using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>
/// Escape analysis for the values of one function, modelled on the JIT's (objectalloc.cpp): a
/// flow-insensitive connection graph over locals. A value escapes when any path from it reaches a
/// return, a store to a field, static, array element or by-ref location, a capture, a throw, or a call
/// the JIT does not inline. Comparisons, field reads and writes into the object itself, and calls that
/// are inlined and keep the value local do not make it escape.
/// </summary>
internal sealed class EscapeAnalysis
{
    private const int MaxInliningDepth = 4;

    private readonly FunctionScope _function;
    private readonly AnalysisSession _session;
    private readonly Dictionary<ISymbol, List<IOperation>> _references = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, IOperation> _capturedBy = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<ISymbol, List<IOperation>> _capturedReferences = new(SymbolEqualityComparer.Default);
    private readonly HashSet<IMethodSymbol> _delegateConverted = new(SymbolEqualityComparer.Default);
    private readonly List<IOperation> _thisReferences = new();
    private bool _thisCaptured;
    /// <summary>The function's own awaits and yields (async and iterator bodies only), in no particular order.</summary>
    private List<IOperation>? _suspensions;
    private readonly Dictionary<ILocalSymbol, IVariableDeclaratorOperation> _declarators = new(SymbolEqualityComparer.Default);

    public EscapeAnalysis(FunctionScope function, AnalysisSession session)
    {
        _function = function;
        _session = session;
        IndexReferences();
    }

    /// <summary>Every read of a local or parameter in this function, and which ones nested functions capture.</summary>
    private void IndexReferences()
    {
        var stack = new Stack<(IOperation Op, IOperation? NestedFunction)>();
        stack.Push((_function.Root, null));
        while (stack.Count > 0)
        {
            var (op, nested) = stack.Pop();
            // Uses inside a call the compiler omits (Debug.Assert in Release) do not happen.
            if (op.Kind == OperationKind.Invocation && OperationFacts.IsOmittedConditionalCall(op)) continue;
            switch (op)
            {
                case ILocalReferenceOperation local:
                    Record(local.Local, op, nested);
                    break;
                case IParameterReferenceOperation parameter:
                    Record(parameter.Parameter, op, nested);
                    break;
                case IVariableDeclaratorOperation declarator when nested is null:
                    _declarators[declarator.Symbol] = declarator;
                    break;
                case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } reference:
                    _delegateConverted.Add(reference.Method);
                    break;
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    if (nested is null) _thisReferences.Add(op);
                    else _thisCaptured = true;
                    break;
                case IAwaitOperation or IReturnOperation { Kind: OperationKind.YieldReturn }
                    or IForEachLoopOperation { IsAsynchronous: true } or IUsingOperation { IsAsynchronous: true } or IUsingDeclarationOperation { IsAsynchronous: true }
                    when nested is null:
                    (_suspensions ??= new List<IOperation>()).Add(op);
                    break;
            }
            foreach (var child in op.ChildOperations)
                stack.Push((child, nested ?? (op != _function.Root && FunctionScope.IsNestedFunction(op) ? op : null)));
        }
    }

    private void Record(ISymbol symbol, IOperation reference, IOperation? nested)
    {
        if (nested is not null)
        {
            // Prefer a lambda as the recorded capturer: it decides that the closure is a heap class.
            if (!_capturedBy.TryGetValue(symbol, out var existing) || existing is ILocalFunctionOperation && nested is IAnonymousFunctionOperation)
                _capturedBy[symbol] = nested;
            if (!_capturedReferences.TryGetValue(symbol, out var inner)) _capturedReferences[symbol] = inner = new List<IOperation>();
            inner.Add(reference);
            return;
        }
        if (!_references.TryGetValue(symbol, out var list)) _references[symbol] = list = new List<IOperation>();
        list.Add(reference);
    }

    public bool IsCaptured(ISymbol symbol) => _capturedBy.ContainsKey(symbol);

    /// <summary>
    /// An await or yield across which <paramref name="local"/> lives, or null. Async and iterator methods
    /// keep such locals in fields of their state machine, and a value stored in one escapes (measured on
    /// .NET 10, even when the method completes synchronously). Conservative, as the compiler's own
    /// analysis is: the local is declared before the suspension and read after it, or read anywhere in
    /// a loop that contains the suspension but not the declaration.
    /// </summary>
    public IOperation? SuspensionAcross(ILocalSymbol local)
    {
        if (_suspensions is null || !_references.TryGetValue(local, out var references)) return null;
        if (local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not { } declaration) return null;
        var scope = declaration.Ancestors().FirstOrDefault(a => a is Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.SwitchSectionSyntax)?.Span
            ?? _function.Root.Syntax.Span;
        int declared = declaration.SpanStart;
        foreach (var suspension in _suspensions)
        {
            var at = suspension.Syntax.Span;
            if (at.Start <= declared || !scope.Contains(at)) continue;
            foreach (var reference in references)
            {
                bool overwritten = reference.Parent is ISimpleAssignmentOperation assignment && assignment.Target == reference;
                if (!overwritten && reference.Syntax.SpanStart >= at.End) return suspension;
            }
            for (var p = suspension.Parent; p is not null && p != _function.Root; p = p.Parent)
            {
                if (p is not ILoopOperation loop || loop.Syntax.Span.Contains(declared)) continue;
                foreach (var reference in references)
                    if (loop.Syntax.Span.Contains(reference.Syntax.Span)) return suspension;
            }
        }
        return null;
    }

    private bool StructClosureInlined(IOperation closure) =>
        closure is ILocalFunctionOperation local
        && !_delegateConverted.Contains(local.Symbol)
        && _session.Runtime.TracksStructFields
        && Inlining.BodyOf(_session, local.Symbol) is { } body
        && Inlining.WhyNotInlined(local.Symbol, body, _session.Runtime) is null;

    public IReadOnlyList<IOperation> ReferencesOf(ISymbol symbol) =>
        _references.TryGetValue(symbol, out var list) ? list : Array.Empty<IOperation>();

    /// <summary>Traces a freshly allocated value produced by <paramref name="value"/>.</summary>
    public EscapeResult TraceValue(IOperation value, ITypeSymbol? exactType, int depth = 0)
    {
        var tracer = new Tracer(this, exactType, depth);
        tracer.Push(value, ImmutableArray<WhyStep>.Empty);
        return tracer.Run();
    }

    /// <summary>Traces a parameter (ordinal ≥ 0) or <c>this</c> (ordinal -1) of this function, as a callee.</summary>
    public EscapeResult TraceParameter(int ordinal, ITypeSymbol? exactType, int depth)
    {
        var tracer = new Tracer(this, exactType, depth) { ReturnsAreResults = true };
        if (ordinal < 0)
        {
            foreach (var r in _thisReferences) tracer.Push(r, ImmutableArray<WhyStep>.Empty);
            if (_thisCaptured) return tracer.Escape(ImmutableArray<WhyStep>.Empty, _function.Root, "`this` is captured by a lambda", true);
        }
        else if (_function.Symbol is IMethodSymbol method && ordinal < method.Parameters.Length)
        {
            var parameter = method.Parameters[ordinal];
            if (!tracer.EnterSymbol(parameter, ImmutableArray<WhyStep>.Empty, out var escaped)) return escaped!;
        }
        return tracer.Run();
    }

    /// <summary>
    /// A parameter's escape facts for its declaration's hover (Go's `leaking param`): the same trace as
    /// <see cref="TraceParameter"/>, plus where the function first returns it (a return hands the value to
    /// the caller rather than making it escape). Not cached: one hover asks once.
    /// </summary>
    public (EscapeResult Result, SourceSpan? ReturnedAt) TraceParameterFact(int ordinal)
    {
        var tracer = new Tracer(this, null, 0) { ReturnsAreResults = true };
        if (_function.Symbol is not IMethodSymbol method || ordinal < 0 || ordinal >= method.Parameters.Length)
            return (EscapeResult.Local(ImmutableArray<WhyStep>.Empty, ImmutableArray<string>.Empty), null);
        if (!tracer.EnterSymbol(method.Parameters[ordinal], ImmutableArray<WhyStep>.Empty, out var escaped)) return (escaped!, null);
        return (tracer.Run(), tracer.ReturnedAt);
    }

    private SourceSpan Span(IOperation op) => Spans.Of(op.Syntax);

    /// <summary>A worklist over values and the locals they flow into; one per question asked.</summary>
    private sealed class Tracer
    {
        private readonly EscapeAnalysis _owner;
        private readonly ITypeSymbol? _exactType;
        private readonly int _depth;
        private readonly Stack<(IOperation Value, ImmutableArray<WhyStep> Steps)> _work = new();
        private readonly HashSet<ISymbol> _visited = new(SymbolEqualityComparer.Default);
        private readonly ImmutableArray<string>.Builder _assumptions = ImmutableArray.CreateBuilder<string>();
        private EscapeResult? _escaped;
        private bool _returned;

        /// <summary>Tracing a callee's parameter: a return hands the value to the caller instead of escaping.</summary>
        public bool ReturnsAreResults { get; init; }

        /// <summary>Where the value was first returned, when <see cref="ReturnsAreResults"/>.</summary>
        public SourceSpan? ReturnedAt { get; private set; }

        public Tracer(EscapeAnalysis owner, ITypeSymbol? exactType, int depth)
        {
            _owner = owner;
            _exactType = exactType;
            _depth = depth;
        }

        public void Push(IOperation value, ImmutableArray<WhyStep> steps)
        {
            _work.Push((value, steps));
            // `new List<int> { 1, 2 }` calls Add on the new object through the initializer's implicit
            // receiver; `new C { P = x }` writes through it. Those are uses of the new object too.
            if (value is IObjectCreationOperation { Initializer: { } initializer })
                foreach (var receiver in ImplicitReceivers(initializer)) _work.Push((receiver, steps));
        }

        private static IEnumerable<IOperation> ImplicitReceivers(IOperation initializer)
        {
            var stack = new Stack<IOperation>();
            stack.Push(initializer);
            while (stack.Count > 0)
            {
                var op = stack.Pop();
                if (op is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }) { yield return op; continue; }
                foreach (var child in op.ChildOperations)
                    if (child is not IObjectCreationOperation and not IAnonymousObjectCreationOperation) stack.Push(child);
            }
        }

        public EscapeResult Run()
        {
            var lastSteps = ImmutableArray<WhyStep>.Empty;
            while (_escaped is null && _work.Count > 0)
            {
                _owner._session.CancellationToken.ThrowIfCancellationRequested();
                var (value, steps) = _work.Pop();
                lastSteps = steps;
                ClassifyUse(value, steps);
            }
            return _escaped ?? EscapeResult.Local(lastSteps, _assumptions.ToImmutable()) with { FlowsToResult = _returned };
        }

        /// <summary>Records the escape; the sink is always the last step, so a heap verdict always says why.</summary>
        public EscapeResult Escape(ImmutableArray<WhyStep> steps, IOperation at, string text, bool certain) =>
            Escape(steps, _owner.Span(at), text, certain);

        public EscapeResult Escape(ImmutableArray<WhyStep> steps, SourceSpan at, string text, bool certain)
        {
            _escaped = new EscapeResult(true, steps.Add(new WhyStep(at, text)), certain, _assumptions.ToImmutable());
            return _escaped;
        }

        /// <summary>The value now also lives in <paramref name="symbol"/>; its reads are new uses.</summary>
        public bool EnterSymbol(ISymbol symbol, ImmutableArray<WhyStep> steps, out EscapeResult? escaped)
        {
            escaped = null;
            if (!_visited.Add(symbol)) return true;
            if (_owner._capturedBy.TryGetValue(symbol, out var closure) && _owner.StructClosureInlined(closure))
            {
                // .NET 10 tracks the fields of the struct environment of a local function that is only
                // called directly; once the JIT inlines the local function, its uses are uses here.
                foreach (var reference in _owner._capturedReferences[symbol])
                    if (!IsWriteTarget(reference)) Push(reference, steps);
                closure = null;
            }
            if (closure is not null)
            {
                escaped = Escape(steps, closure, $"`{symbol.Name}` is captured by the {Describe(closure)} at line {Spans.Of(closure.Syntax).Line + 1}, so it lives in a heap closure", true);
                return false;
            }
            if (symbol is ILocalSymbol hoisted && _owner.SuspensionAcross(hoisted) is { } suspension)
            {
                string what = suspension is IReturnOperation ? "`yield return`" : "`await`";
                string machine = suspension is IReturnOperation ? "iterator" : "async method";
                escaped = Escape(steps, suspension, $"`{symbol.Name}` lives across the {what} at line {_owner.Span(suspension).Line + 1}, so it is a field of the {machine}'s state machine", true);
                return false;
            }
            if (symbol is ILocalSymbol { IsRef: true } or IParameterSymbol { RefKind: not RefKind.None })
            {
                var declared = symbol.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is { } node ? Spans.Of(node) : steps.IsEmpty ? _owner.Span(_owner._function.Root) : steps[^1].Where;
                escaped = Escape(steps, declared, $"`{symbol.Name}` is a by-reference variable", true);
                return false;
            }
            foreach (var reference in _owner.ReferencesOf(symbol))
            {
                if (IsWriteTarget(reference) || IsDeconstructionTarget(reference)) continue;
                Push(reference, steps);
            }
            return true;
        }

        private static string Describe(IOperation closure) => closure is ILocalFunctionOperation lf ? $"local function `{lf.Symbol.Name}`" : "lambda";

        private static bool IsWriteTarget(IOperation reference) =>
            reference.Parent is IAssignmentOperation assignment && assignment.Target == reference && reference.Parent is not ICompoundAssignmentOperation;

        private void FlowsTo(ISymbol symbol, IOperation at, ImmutableArray<WhyStep> steps)
        {
            var next = steps.Add(new WhyStep(_owner.Span(at), $"assigned to `{symbol.Name}` (line {_owner.Span(at).Line + 1})"));
            EnterSymbol(symbol, next, out _);
        }

        /// <summary>Walks up from one use of the value and decides what that use does with it.</summary>
        private void ClassifyUse(IOperation use, ImmutableArray<WhyStep> steps)
        {
            var current = use;
            while (_escaped is null)
            {
                var parent = current.Parent;
                switch (parent)
                {
                    case null:
                    case IExpressionStatementOperation:
                    case IBlockOperation:
                        return;

                    case IConversionOperation conversion:
                        if (conversion.OperatorMethod is { } op && !IsSpanFromArray(op))
                        {
                            CheckCall(op, 0, conversion, steps, receiverExact: null);
                            return;
                        }
                        if (conversion.Conversion is { IsReference: true, IsImplicit: false } && CastHelperEscape(conversion.Type, current, parent, steps, conversion.IsTryCast ? "`as`" : "a cast"))
                            return;
                        current = parent;
                        continue;

                    case IParenthesizedOperation:
                    case ISwitchExpressionArmOperation arm when arm.Value == current:
                    case ISwitchExpressionOperation sw when sw.Value != current:
                        current = parent;
                        continue;

                    case ISwitchExpressionOperation:
                    case ISwitchOperation:
                        // The value is being matched; declaration patterns alias it below.
                        if (CastHelperEscape(NonSealedClassTested(parent), current, parent, steps, "a type pattern")) return;
                        AliasPatternDesignations(parent, steps);
                        return;

                    case IConditionalOperation conditional:
                        if (conditional.Condition == current) return;
                        current = parent;
                        continue;

                    case ICoalesceOperation coalesce:
                        current = parent;
                        continue;

                    case IConditionalAccessOperation access when access.Operation == current:
                        foreach (var instance in access.WhenNotNull.DescendantsAndSelf().OfType<IConditionalAccessInstanceOperation>())
                            Push(instance, steps);
                        return;

                    case IVariableInitializerOperation when parent.Parent is IVariableDeclaratorOperation declarator:
                        FlowsTo(declarator.Symbol, declarator, steps);
                        return;

                    case IFieldInitializerOperation fieldInit:
                        Escape(steps, parent, fieldInit.InitializedFields.FirstOrDefault() is { } initialized
                            ? $"stored to field `{initialized.Name}` by its initializer" : "stored to a field by its initializer", true);
                        return;

                    case IPropertyInitializerOperation propertyInit:
                        Escape(steps, parent, propertyInit.InitializedProperties.FirstOrDefault() is { } initializedProperty
                            ? $"stored to property `{initializedProperty.Name}` by its initializer" : "stored to a property by its initializer", true);
                        return;

                    case IVariableInitializerOperation:
                        return;

                    case ISimpleAssignmentOperation assignment when assignment.Value == current:
                        ClassifyStore(assignment, steps);
                        return;

                    case ICompoundAssignmentOperation compound when compound.Value == current:
                        Escape(steps, parent, "combined into another value", false);
                        return;

                    case IReturnOperation { Kind: OperationKind.Return } when ReturnsAreResults:
                        _returned = true;
                        ReturnedAt ??= _owner.Span(parent);
                        return;

                    case IReturnOperation ret:
                        Escape(steps, parent, ret.Kind == OperationKind.YieldReturn
                            ? $"yielded from `{_owner._function.DisplayName}`"
                            : $"returned from `{_owner._function.DisplayName}`", true);
                        return;

                    case IArgumentOperation argument:
                        ClassifyArgument(argument, steps);
                        return;

                    case IInvocationOperation invocation when invocation.Instance == current:
                        if (invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke)
                        {
                            if (!_owner._session.Runtime.StackAllocatesDelegates)
                                Escape(steps, parent, $"invoked; {_owner._session.Runtime.Name} treats a delegate invoke as an escape", true);
                            return;
                        }
                        CheckCall(invocation.TargetMethod, -1, invocation, steps, _exactType);
                        return;

                    case IPropertyReferenceOperation property when property.Instance == current:
                        if (IsIntrinsicLength(property.Property)) return;
                        if (ReadsReferenceOutOfStruct(current, property, property.Property.Type)
                            && property.Property.GetMethod is { } getter && (Inlining.IsAutoAccessor(getter) || getter.ContainingType.IsTupleType))
                        {
                            current = property;
                            continue;
                        }
                        var accessor = IsWriteTarget(property) ? property.Property.SetMethod : property.Property.GetMethod;
                        if (accessor is null) return;
                        CheckCall(accessor, -1, property, steps, _exactType);
                        return;

                    case IFieldReferenceOperation field when field.Instance == current:
                        if (IsAddressTaken(field))
                        {
                            Escape(steps, field.Parent ?? field, $"the address of field `{field.Field.Name}` is taken", true);
                            return;
                        }
                        if (ReadsReferenceOutOfStruct(current, field, field.Field.Type))
                        {
                            current = field;
                            continue;
                        }
                        return;

                    case IArrayElementReferenceOperation element when element.ArrayReference == current:
                        if (IsAddressTaken(element))
                            Escape(steps, element.Parent ?? element, "the address of an element is taken", true);
                        return;

                    case IArrayElementReferenceOperation:
                        return; // used as an index

                    case IBinaryOperation binary:
                        if (binary.OperatorMethod is { } userOperator)
                        {
                            CheckCall(userOperator, binary.LeftOperand == current ? 0 : 1, binary, steps, null);
                            return;
                        }
                        if (binary.Type?.SpecialType == SpecialType.System_String)
                        {
                            Escape(steps, parent, "converted to a string by concatenation", true);
                            return;
                        }
                        return; // comparisons read the reference only

                    case IIsTypeOperation isType:
                        CastHelperEscape(isType.TypeOperand, current, parent, steps, "`is`");
                        return;

                    case IIsPatternOperation pattern:
                        if (CastHelperEscape(NonSealedClassTested(pattern.Pattern), current, parent, steps, "a type pattern")) return;
                        AliasPatternDesignations(pattern.Pattern, steps);
                        return;

                    case IUnaryOperation:
                        return;

                    case IThrowOperation:
                        Escape(steps, parent, "thrown", true);
                        return;

                    case ILockOperation:
                        Escape(steps, parent, "locked on: `lock` passes it to Monitor.Enter", true);
                        return;

                    case IUsingOperation:
                        Escape(steps, parent, "disposed through IDisposable by `using`", false);
                        return;

                    case IForEachLoopOperation loop when loop.Collection == current:
                        if (use.Type is IArrayTypeSymbol || IsSpanType(use.Type)) return; // lowered to indexing
                        Escape(steps, parent, "enumerated by `foreach`, which calls GetEnumerator on it", false);
                        return;

                    case IInterpolationOperation:
                        Escape(steps, parent, "formatted into an interpolated string", true);
                        return;

                    case ITupleOperation tuple when DeconstructedInto(tuple, current) is { } target:
                        // `var (p, n) = (new Point(), 3)` compiles to plain assignments: no tuple exists.
                        if (target is ILocalReferenceOperation targetLocal) FlowsTo(targetLocal.Local, target, steps);
                        else if (target is not IDiscardOperation) Escape(steps, target, "deconstructed into a location we do not track", false);
                        return;

                    case ITupleOperation when _owner._session.Runtime.TracksStructFields:
                        // .NET 10 tracks the fields of a local struct: the tuple carries the value along.
                        current = parent;
                        continue;

                    case ITupleOperation:
                        Escape(steps, parent, $"stored in a tuple; {_owner._session.Runtime.Name} does not track struct fields", true);
                        return;

                    case INameOfOperation:
                    case ITypeOfOperation:
                        return; // compile-time: no use of the value at run time

                    case IInvalidOperation:
                        // Code being typed (`q.`): ignore the incomplete use rather than flip the verdict.
                        return;

                    case IAwaitOperation:
                        Escape(steps, parent, "awaited", true);
                        return;

                    case IArrayInitializerOperation:
                    case ICollectionExpressionOperation:
                    case ISpreadOperation:
                        Escape(steps, parent, "stored as a collection element", true);
                        return;

                    case IDelegateCreationOperation:
                    case IMethodReferenceOperation:
                        Escape(steps, parent, "bound as the target of a delegate", true);
                        return;

                    default:
                        Escape(steps, parent, $"used by {parent.Kind}, which we do not model; assumed to escape", false);
                        return;
                }
            }
        }


        /// <summary>
        /// A cast or type test against a class that is not sealed calls a runtime cast helper, and the
        /// object escapes to it (measured on .NET 10), unless the JIT knows the operand's exact type and
        /// folds the test: a fresh object, a local assigned once from one, or (in an inlined callee) a
        /// parameter, whose exact type the JIT carries in from the caller. Interfaces need the helper too
        /// (measured); sealed classes are tested by comparing the method table inline; arrays are not modelled.
        /// </summary>
        private bool CastHelperEscape(ITypeSymbol? target, IOperation operand, IOperation at, ImmutableArray<WhyStep> steps, string what)
        {
            if (!NeedsCastHelper(target) || ExactTypeKnown(operand)) return false;
            string kind = target!.TypeKind == TypeKind.Interface ? "an interface" : "a class that is not sealed";
            Escape(steps, at, $"tested with {what} against `{target.Name}`, {kind}: the JIT calls a cast helper, which lets the object escape", false);
            return true;
        }

        private static ITypeSymbol? NonSealedClassTested(IOperation root)
        {
            foreach (var node in root.DescendantsAndSelf())
            {
                var type = node switch
                {
                    IDeclarationPatternOperation d => d.MatchedType,
                    ITypePatternOperation t => t.MatchedType,
                    IRecursivePatternOperation r => r.MatchedType,
                    _ => null,
                };
                if (NeedsCastHelper(type)) return type;
            }
            return null;
        }

        private static bool NeedsCastHelper(ITypeSymbol? type) =>
            type is INamedTypeSymbol { TypeKind: TypeKind.Interface } or INamedTypeSymbol { TypeKind: TypeKind.Class, IsSealed: false, IsStatic: false, SpecialType: not SpecialType.System_Object };

        private bool ExactTypeKnown(IOperation operand)
        {
            while (operand is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
                operand = operand is IConversionOperation c ? c.Operand : ((IParenthesizedOperation)operand).Operand;
            switch (operand)
            {
                case IObjectCreationOperation:
                    return true;
                case IParameterReferenceOperation:
                    return ReturnsAreResults;
                case ILocalReferenceOperation local:
                    return SoleCreation(local.Local) is not null;
                default:
                    return false;
            }
        }

        /// <summary>The `new` a local is initialized from when nothing ever writes it again, takes its address or captures it; else null.</summary>
        private IObjectCreationOperation? SoleCreation(ILocalSymbol local)
        {
            if (!_owner._declarators.TryGetValue(local, out var declarator) || declarator.GetVariableInitializer() is not { } initializer) return null;
            var value = initializer.Value;
            while (value is IConversionOperation { IsImplicit: true } conversion) value = conversion.Operand;
            if (value is not IObjectCreationOperation creation) return null;
            foreach (var reference in _owner.ReferencesOf(local))
                if (IsWriteTarget(reference) || IsDeconstructionTarget(reference) || IsAddressTaken(reference)) return null;
            return _owner.IsCaptured(local) ? null : creation;
        }

        private void AliasPatternDesignations(IOperation root, ImmutableArray<WhyStep> steps)
        {
            foreach (var node in root.DescendantsAndSelf())
            {
                // Only a reference-typed designation aliases the object; `o is int i` copies the value out of a box.
                if (node is IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol { Type.IsReferenceType: true } declared })
                    FlowsTo(declared, node, steps);
                else if (node is IRecursivePatternOperation { DeclaredSymbol: ILocalSymbol { Type.IsReferenceType: true } recursive })
                    FlowsTo(recursive, node, steps);
            }
        }

        /// <summary>
        /// Reading a reference-typed member out of a struct that holds the value may yield the value
        /// itself (.NET 10 tracks struct fields), so the trace must continue from the member read.
        /// </summary>
        private bool ReadsReferenceOutOfStruct(IOperation container, IOperation member, ITypeSymbol memberType) =>
            container.Type?.IsValueType == true && !memberType.IsValueType && !IsWriteTarget(member) && !IsTheTracedStruct(container);

        /// <summary>
        /// `this` inside a struct's method when the traced value is that struct's own box (a boxed struct
        /// reaching its override): its fields were copied in before boxing and cannot hold the box, so reading
        /// one is not reading the value (YamlDotNet: `value?.GetHashCode()` in TagName.GetHashCode had made the
        /// box escape through a string field). A struct that only holds the value (a reference type) still does.
        /// </summary>
        private bool IsTheTracedStruct(IOperation container) =>
            container is IInstanceReferenceOperation && _exactType is { IsValueType: true } traced && SymbolEqualityComparer.Default.Equals(traced, container.Type);

        /// <summary>`var (p, n) = ...` or `(p, n) = ...`: p here is written, not read.</summary>
        private static bool IsDeconstructionTarget(IOperation reference)
        {
            if (reference is ILocalReferenceOperation { IsDeclaration: true }) return true;
            IOperation node = reference;
            while (node.Parent is ITupleOperation or IDeclarationExpressionOperation) node = node.Parent;
            return node != reference && node.Parent is IDeconstructionAssignmentOperation d && d.Target == node;
        }

        /// <summary>The target element a tuple literal's element is deconstructed into, or null.</summary>
        private static IOperation? DeconstructedInto(ITupleOperation tuple, IOperation element)
        {
            IOperation top = tuple;
            while (top.Parent is IConversionOperation) top = top.Parent;
            if (top.Parent is not IDeconstructionAssignmentOperation deconstruction || deconstruction.Value != top) return null;
            int index = tuple.Elements.IndexOf(element);
            var targets = deconstruction.Target is IDeclarationExpressionOperation { Expression: ITupleOperation declared } ? declared : deconstruction.Target as ITupleOperation;
            if (index < 0 || targets is null || index >= targets.Elements.Length) return null;
            return targets.Elements[index];
        }

        private static bool IsSpanType(ITypeSymbol? type) => type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", Arity: 1 };

        private static bool IsAddressTaken(IOperation reference) =>
            reference.Parent is IArgumentOperation { Parameter.RefKind: not RefKind.None }
            || reference.Parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.IsRef: true } }
            || reference.Parent is ISimpleAssignmentOperation { IsRef: true };

        private static bool IsIntrinsicLength(IPropertySymbol property) =>
            property.Name is "Length" or "LongLength" &&
            property.ContainingType.SpecialType is SpecialType.System_Array or SpecialType.System_String;

        private static bool IsSpanFromArray(IMethodSymbol op) =>
            op.Name == "op_Implicit" && op.Parameters.Length == 1 && op.Parameters[0].Type is IArrayTypeSymbol &&
            op.ContainingType.Name is "Span" or "ReadOnlySpan" or "Memory" or "ReadOnlyMemory";

        private void ClassifyStore(ISimpleAssignmentOperation assignment, ImmutableArray<WhyStep> steps)
        {
            var runtime = _owner._session.Runtime;
            switch (assignment.Target)
            {
                case ILocalReferenceOperation local:
                    FlowsTo(local.Local, assignment, steps);
                    TraceAssignedValue(assignment, steps);
                    return;
                case IParameterReferenceOperation parameter:
                    FlowsTo(parameter.Parameter, assignment, steps);
                    TraceAssignedValue(assignment, steps);
                    return;
                case IDiscardOperation:
                    TraceAssignedValue(assignment, steps);
                    return;
                case IFieldReferenceOperation { Field.IsStatic: true } staticField:
                    Escape(steps, assignment, $"stored to static field `{staticField.Field.Name}`", true);
                    return;
                case IMemberReferenceOperation member when member is IFieldReferenceOperation or IPropertyReferenceOperation:
                    var name = member.Member.Name;
                    // .NET 10 tracks fields of local structs: an object stored in a field of a struct that
                    // itself never escapes stays with the struct.
                    if (runtime.TracksStructFields && member.Instance?.Type?.IsValueType == true && IsPlainStorage(member))
                    {
                        if (member.Instance is ILocalReferenceOperation container)
                        {
                            var held = steps.Add(new WhyStep(_owner.Span(assignment), $"stored in field `{name}` of local struct `{container.Local.Name}`"));
                            EnterSymbol(container.Local, held, out _);
                            return;
                        }
                        if (member.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver }
                            && FindInitializedObject(assignment) is { } creation)
                        {
                            Push(creation, steps.Add(new WhyStep(_owner.Span(assignment), $"stored in field `{name}` of a new `{creation.Type?.Name}` struct")));
                            return;
                        }
                    }
                    string owner = member.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver } && FindInitializedObject(assignment) is { } created
                        ? $"the new `{created.Type?.Name}`"
                        : member.Instance?.Type?.IsValueType == true ? "a struct" : "a heap object";
                    Escape(steps, assignment, $"stored to field `{name}` of {owner}", true);
                    return;
                case IArrayElementReferenceOperation:
                    Escape(steps, assignment, "stored to an array element", true);
                    return;
                default:
                    Escape(steps, assignment, "stored to a location we do not track", false);
                    return;
            }
        }

        /// <summary>
        /// An assignment is an expression whose value is what it stored: in `h.F = p = new P()`,
        /// `return p = new P()` or `Add(p = new P())` the new object reaches the local and, through the
        /// assignment's own value, the enclosing use as well. Only stores into a local, a parameter or a
        /// discard need this: every other store already decided the object's fate. (Found by the harness on
        /// Scriban: `node.Trivias = trivias = new ScriptTrivias()` was judged by the local alone.)
        /// </summary>
        private void TraceAssignedValue(ISimpleAssignmentOperation assignment, ImmutableArray<WhyStep> steps)
        {
            if (assignment.Parent is null or IExpressionStatementOperation) return;
            var target = assignment.Target is ILocalReferenceOperation local ? local.Local.Name : assignment.Target is IParameterReferenceOperation p ? p.Parameter.Name : "_";
            Push(assignment, steps.Add(new WhyStep(_owner.Span(assignment), $"the assignment to `{target}` is itself a value, used again (line {_owner.Span(assignment).Line + 1})")));
        }

        private static bool IsPlainStorage(IMemberReferenceOperation member) =>
            member is IFieldReferenceOperation || member is IPropertyReferenceOperation { Property.SetMethod: { } setter } && Inlining.IsAutoAccessor(setter);

        private static IOperation? FindInitializedObject(IOperation assignment)
        {
            for (var p = assignment.Parent; p is not null; p = p.Parent)
            {
                if (p is IObjectCreationOperation or IAnonymousObjectCreationOperation or IWithOperation) return p;
                if (p is not IObjectOrCollectionInitializerOperation and not IMemberInitializerOperation) return null;
            }
            return null;
        }

        private void ClassifyArgument(IArgumentOperation argument, ImmutableArray<WhyStep> steps)
        {
            var parameter = argument.Parameter;
            if (parameter is null)
            {
                Escape(steps, argument, "passed to a call we cannot resolve", false);
                return;
            }
            if (parameter.RefKind is RefKind.Ref or RefKind.Out || argument.Value is not null && IsAddressTaken(argument.Value) && parameter.RefKind != RefKind.None)
            {
                Escape(steps, argument, $"passed by reference to parameter `{parameter.Name}`", true);
                return;
            }
            switch (argument.Parent)
            {
                case IInvocationOperation invocation when KnownFrameworkMembers.IsStaticObjectEquals(invocation.TargetMethod):
                    ObjectEqualsArgument(invocation, argument, parameter.Ordinal, steps);
                    return;
                // The argument's exact type travels into an inlined callee (YamlDotNet: a boxed struct passed to
                // HashCode.GetHashCode(object), where obj.GetHashCode() is devirtualized on the box's type).
                case IInvocationOperation invocation:
                    CheckCall(invocation.TargetMethod, parameter.Ordinal, argument, steps, null, ExactTypeOf(argument.Value));
                    return;
                case IObjectCreationOperation { Constructor: { } ctor }:
                    CheckCall(ctor, parameter.Ordinal, argument, steps, null, ExactTypeOf(argument.Value));
                    return;
                default:
                    Escape(steps, argument, $"passed to parameter `{parameter.Name}`", false);
                    return;
            }
        }

        /// <summary>
        /// `object.Equals(a, b)`: the JIT inlines it and calls `a.Equals(b)`, so what happens to either
        /// argument is what that virtual call does with its receiver or argument once devirtualized on a's
        /// exact type. With a known exact type: a struct or class whose `Equals(object)` override only
        /// type-tests its argument keeps both local (YamlDotNet's `Equals(Tag, other.Tag)`: both boxes on the
        /// stack); a struct without an override reaches `ValueType.Equals`, which the JIT does not inline,
        /// and both escape (measured: 48 B per call). Without it, b meets a virtual call (`may`), and a is
        /// judged by the measured framework fact.
        /// </summary>
        private void ObjectEqualsArgument(IInvocationOperation invocation, IArgumentOperation argument, int ordinal, ImmutableArray<WhyStep> steps)
        {
            var first = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;
            var instanceEquals = invocation.TargetMethod.ContainingType.GetMembers("Equals").OfType<IMethodSymbol>()
                .FirstOrDefault(m => !m.IsStatic && m.Parameters.Length == 1);
            var exact = ExactTypeOf(first);
            if (instanceEquals is not null && exact is not null)
            {
                var inlined = steps.Add(new WhyStep(_owner.Span(argument), $"passed to `{Inlining.Signature(invocation.TargetMethod)}`, which the JIT inlines: it calls `objA.Equals(objB)` on `{exact.Name}`"));
                CheckCall(instanceEquals, ordinal == 0 ? -1 : 0, argument, inlined, exact, ordinal == 0 ? null : ExactTypeOf(argument.Value));
                return;
            }
            if (ordinal == 0)
            {
                CheckCall(invocation.TargetMethod, 0, argument, steps, null);
                return;
            }
            Escape(steps, argument, $"passed to `{Inlining.Signature(invocation.TargetMethod)}`, which hands it to `objA.Equals(objB)`: a virtual call the JIT inlines only when it knows objA's exact type", false);
        }

        /// <summary>
        /// The exact type of a value when the JIT can know it from the value itself: a boxed struct, a new
        /// object, a local assigned once from one (<see cref="ExactTypeKnown"/>), or the traced parameter
        /// itself, never written. Not the traced value's exact type for anything else: the argument may be
        /// something read out of it (a struct's field).
        /// </summary>
        private ITypeSymbol? ExactTypeOf(IOperation? value)
        {
            if (value is null) return null;
            var operand = value;
            // A user-defined conversion makes a different object: its operand's type says nothing.
            while (operand is IConversionOperation { IsImplicit: true, OperatorMethod: null } or IParenthesizedOperation)
                operand = operand is IConversionOperation c ? c.Operand : ((IParenthesizedOperation)operand).Operand;
            if (operand is IConversionOperation { OperatorMethod: not null }) return null;
            if (operand.Type is { IsValueType: true } boxed && boxed.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T && boxed.TypeKind != TypeKind.TypeParameter)
                return boxed;
            if (operand is IObjectCreationOperation creation) return creation.Type;
            // Inside a callee traced with its argument's exact type: the parameter, passed on unchanged,
            // still has it (YamlDotNet: a box through CombineHashCodes(int, object) into GetHashCode(object)).
            if (_exactType is not null && operand is IParameterReferenceOperation { Parameter: { RefKind: RefKind.None } parameter }
                && _visited.Contains(parameter) && !_owner.ReferencesOf(parameter).Any(r => IsWriteTarget(r) || IsAddressTaken(r)))
                return _exactType;
            return operand is ILocalReferenceOperation local ? SoleCreation(local.Local)?.Type : null;
        }

        /// <summary>The value is an argument (or the receiver, ordinal -1) of a call: does the call keep it local?</summary>
        private void CheckCall(IMethodSymbol method, int ordinal, IOperation at, ImmutableArray<WhyStep> steps, ITypeSymbol? receiverExact, ITypeSymbol? argumentExact = null)
        {
            var verdict = Inlining.KeepsArgumentLocal(_owner._session, method, ordinal, receiverExact, _depth + 1, argumentExact);
            string what = ordinal < 0 ? "used as `this` of" : $"passed to parameter `{Inlining.ParameterName(method, ordinal)}` of";
            if (verdict.KeepsLocal)
            {
                if (verdict.Assumption is { } assumption && !_assumptions.Contains(assumption)) _assumptions.Add(assumption);
                // An inlined callee that returns the value hands it back: its result is the value.
                if (verdict.ReturnsArgument)
                {
                    var call = at is IArgumentOperation { Parent: { } invocation } ? invocation : at;
                    Push(call, steps.Add(new WhyStep(_owner.Span(call), $"returned by `{Inlining.Signature(method)}`")));
                }
                return;
            }
            var here = _owner.Span(at);
            var sub = steps.Add(new WhyStep(here, $"{what} `{Inlining.Signature(method)}`, {verdict.Reason}"));
            _escaped = new EscapeResult(true, sub.AddRange(Inlining.InOtherFiles(here.Path, verdict.InnerSteps)), verdict.Certain, _assumptions.ToImmutable());
        }
    }
}
