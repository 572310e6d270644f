using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// The exact run-time type behind an expression, when the code makes it certain: a local assigned once
/// from a creation, or a readonly field whose only assignment is its initializer.
/// </summary>
internal static class ConcreteTypes
{
    public static ITypeSymbol? Of(IOperation expression, RuleContext ctx, int depth = 0)
    {
        while (expression is IConversionOperation c) expression = c.Operand;
        if (depth > 3) return null;
        switch (expression)
        {
            case IObjectCreationOperation or IArrayCreationOperation:
                return expression.Type;
            case ICollectionExpressionOperation { Type: { TypeKind: not TypeKind.Interface } t }:
                return t;
            case IFieldReferenceOperation { Field: { IsReadOnly: true } field }:
                var declarator = field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax;
                if (declarator?.Initializer is not { } init) return null;
                var model = ctx.Session.ModelFor(declarator.SyntaxTree);
                return model.GetOperation(init.Value) is { } value ? Of(value, ctx, depth + 1) : null;
            case ILocalReferenceOperation local:
                var escape = ctx.Function.Escape(ctx.Session);
                var writes = escape.ReferencesOf(local.Local).Count(r => r.Parent is IAssignmentOperation a && a.Target == r);
                if (writes > 0 || escape.IsCaptured(local.Local)) return null;
                var decl = local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax;
                if (decl?.Initializer is not { } localInit) return null;
                return ctx.Model.GetOperation(localInit.Value) is { } v ? Of(v, ctx, depth + 1) : null;
            default:
                return null;
        }
    }
}
