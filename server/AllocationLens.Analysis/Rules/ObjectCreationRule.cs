using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// <c>new C(...)</c> and target-typed <c>new(...)</c>: a class instance is a heap object unless the JIT
/// stack-allocates it (its constructor inlined and the object never escaping); a struct never touches the heap.
/// </summary>
internal sealed class ObjectCreationRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.ObjectCreation, OperationKind.TypeParameterObjectCreation];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        if (operation.IsImplicit) return;
        var type = operation.Type;
        if (type is null || type.TypeKind == TypeKind.Error) return;

        if (operation is ITypeParameterObjectCreationOperation)
        {
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Heap, "object", type, null,
                "`new T()` calls Activator.CreateInstance<T>(), which allocates when T is a class", Candidates.ObjectRemedies, certain: false);
            return;
        }
        if (type.IsValueType)
        {
            // Boxed right away: the box is the site (BoxingRule), not the struct.
            if (OperationFacts.IsBoxing(operation.Parent)) return;
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "struct", type, ObjectSizes.ValueSize(type, 0, ctx.Facts).Size,
                $"`{type.Name}` is a struct: it lives in a local or a field, not on the GC heap", []);
            return;
        }
        if (type.TypeKind == TypeKind.Delegate) return; // DelegateRule

        var creation = (IObjectCreationOperation)operation;
        if (type.SpecialType == SpecialType.System_String)
        {
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Heap, "string", type, null,
                "a new string; strings have a variable size and are never stack-allocated", Candidates.StringRemedies);
            return;
        }

        int? bytes = ObjectSizes.OfClass(type, ctx.Facts);
        var constructor = ConstructorVerdict(ctx, creation, ref bytes);
        Candidates.Report(ctx, operation, operation.Syntax, CandidateKind.Object, "object", type, bytes, Candidates.ObjectRemedies, constructor);
    }

    /// <summary>Does the constructor keep <c>this</c> local, and does it allocate anything of its own?</summary>
    internal static CallVerdict? ConstructorVerdict(RuleContext ctx, IObjectCreationOperation creation, ref int? bytes)
    {
        if (creation.Constructor is not { } ctor) return null;
        if (ctor.Locations.All(l => l.IsInMetadata))
        {
            var key = KnownFrameworkMembers.Key(ctor);
            if (KnownFrameworkMembers.NotLocalOn(ctor, -1, ctx.Runtime) is { } older)
                return CallVerdict.Escapes($"`{Inlining.Signature(ctor)}`, {older}");
            if (!KnownFrameworkMembers.KeepsLocal(ctor, -1, ctx.Facts))
                return CallVerdict.Escapes($"`{Inlining.Signature(ctor)}`, a framework constructor not known to be inlined");
            // Framework constructors that allocate a backing array: constant capacity only.
            int? inner = key switch
            {
                "System.Collections.Generic.List`1..ctor" when creation.Arguments.Length == 1 && creation.Type is INamedTypeSymbol { TypeArguments: [var element] } =>
                    creation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: int capacity } ? ObjectSizes.OfArray(element, capacity) : -1,
                "System.Collections.Generic.List`1..ctor" when creation.Arguments.Length > 0 => -1,
                "System.Collections.Generic.Dictionary`2..ctor" or "System.Collections.Generic.HashSet`1..ctor"
                    or "System.Collections.Generic.Queue`1..ctor" or "System.Collections.Generic.Stack`1..ctor"
                    or "System.Threading.CancellationTokenSource..ctor" when creation.Arguments.Length > 0 => -1,
                "System.Text.StringBuilder..ctor" when creation.Arguments.Length == 0 => ObjectSizes.OfArray(ctx.Session.Compilation.GetSpecialType(SpecialType.System_Char), 16),
                "System.Text.StringBuilder..ctor" => creation.Arguments is [{ Value.ConstantValue: { HasValue: true, Value: int c } }]
                    ? ObjectSizes.OfArray(ctx.Session.Compilation.GetSpecialType(SpecialType.System_Char), c) : -1,
                _ => 0,
            };
            if (inner == -1) return CallVerdict.Escapes($"`{Inlining.Signature(ctor)}`, which allocates a backing array whose length is not a constant");
            if (inner > 0)
            {
                if (ObjectSizes.JitSize(inner.Value) > TargetRuntime.StackAllocationLimitBytes)
                    return CallVerdict.Escapes($"`{Inlining.Signature(ctor)}`, whose backing array ({inner} bytes) is over the stack-allocation limit");
                bytes += inner;
            }
            return CallVerdict.Local(null);
        }
        return Inlining.KeepsArgumentLocal(ctx.Session, ctor, -1, creation.Type, 1);
    }
}
