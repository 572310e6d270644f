using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Server;

/// <summary>A test method or a class of tests, with the `dotnet test --filter` expression that runs exactly it.</summary>
/// <param name="Anchor">The method's or class's name, where its "Measure" lens sits.</param>
public sealed record TestTarget(string Title, string Filter, SyntaxToken Anchor, bool IsClass);

/// <summary>
/// The tests of a document a "Measure allocations" lens can run: each test method, and each class that
/// holds tests. A test is what `measure` counts as one (<see cref="Measurement.TestMethods.IsTest"/>: the
/// attributes of xUnit, NUnit, MSTest and TUnit, and attributes derived from them), read from the
/// document's declared symbols; only methods with attributes are asked. Before the project has loaded
/// (the document judged on its own, the test framework not referenced) an attribute that does not
/// resolve counts by its name, as the frameworks spell them.
/// </summary>
public static class TestLensTargets
{
    public static IReadOnlyList<TestTarget> In(SemanticModel model, SyntaxNode root, CancellationToken cancellationToken)
    {
        var targets = new List<TestTarget>();
        foreach (var type in root.DescendantNodes(n => n is not (MethodDeclarationSyntax or PropertyDeclarationSyntax)).OfType<ClassDeclarationSyntax>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tests = type.Members.OfType<MethodDeclarationSyntax>()
                .Where(m => m.AttributeLists.Count > 0 && model.GetDeclaredSymbol(m, cancellationToken) is IMethodSymbol symbol
                    && (Measurement.TestMethods.IsTest(symbol) || symbol.GetAttributes().Any(a => a.AttributeClass is null or IErrorTypeSymbol && IsTestName(a))))
                .ToList();
            if (tests.Count == 0) continue;
            var fullName = FullName(type);
            // The runners name a test `Namespace.Class.Method` (nested classes joined with '+'); a class's tests all start with `Namespace.Class.`.
            targets.Add(new TestTarget(type.Identifier.Text, $"FullyQualifiedName~{fullName}.", type.Identifier, IsClass: true));
            foreach (var method in tests)
                targets.Add(new TestTarget($"{type.Identifier.Text}.{method.Identifier.Text}", $"FullyQualifiedName={fullName}.{method.Identifier.Text}", method.Identifier, IsClass: false));
        }
        return targets;
    }

    private static readonly string[] s_testAttributeNames = ["Fact", "Theory", "Test", "TestCase", "TestCaseSource", "TestMethod", "DataTestMethod"];

    /// <summary>An unresolved attribute named as a test framework's (`[Fact]`, `[Xunit.Theory]`, `[TestMethodAttribute]`).</summary>
    private static bool IsTestName(AttributeData attribute)
    {
        if (attribute.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax syntax) return false;
        var name = syntax.Name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.Text,
            AliasQualifiedNameSyntax a => a.Name.Identifier.Text,
            SimpleNameSyntax simple => simple.Identifier.Text,
            _ => syntax.Name.ToString(),
        };
        if (name.EndsWith("Attribute", StringComparison.Ordinal)) name = name[..^"Attribute".Length];
        return s_testAttributeNames.Contains(name, StringComparer.Ordinal);
    }

    /// <summary>"Namespace.Outer+Inner", as the test runners spell the class.</summary>
    private static string FullName(TypeDeclarationSyntax type)
    {
        var name = type.Identifier.Text;
        SyntaxNode? node = type.Parent;
        for (; node is TypeDeclarationSyntax outer; node = node.Parent) name = outer.Identifier.Text + "+" + name;
        var namespaces = new List<string>();
        for (; node is not null; node = node.Parent)
            if (node is BaseNamespaceDeclarationSyntax ns) namespaces.Insert(0, ns.Name.ToString());
        return namespaces.Count == 0 ? name : string.Join(".", namespaces) + "." + name;
    }
}
