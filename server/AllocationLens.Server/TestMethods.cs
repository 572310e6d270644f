using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Server;

/// <summary>A test method or a class of tests, with the `dotnet test --filter` expression that runs exactly it.</summary>
/// <param name="Anchor">The method's or class's name, where its "Measure" lens sits.</param>
public sealed record TestTarget(string Title, string Filter, SyntaxToken Anchor, bool IsClass);

/// <summary>
/// Finds tests in a syntax tree, by their attributes as xUnit, NUnit and MSTest spell them (`[Fact]`,
/// `[Theory]`, `[Test]`, `[TestCase]`, `[TestMethod]`, `[DataTestMethod]`, and attributes ending in those
/// words, such as `[SkippableFact]`). Syntax only, so lenses never wait for a compilation; a custom
/// attribute named otherwise is not recognised (the palette command still runs every test).
/// </summary>
public static class TestMethods
{
    private static readonly string[] s_testAttributes = ["Fact", "Theory", "Test", "TestCase", "TestCaseSource", "TestMethod", "DataTestMethod"];

    public static IReadOnlyList<TestTarget> In(SyntaxNode root, CancellationToken cancellationToken)
    {
        var targets = new List<TestTarget>();
        foreach (var type in root.DescendantNodes(n => n is not (MethodDeclarationSyntax or PropertyDeclarationSyntax)).OfType<ClassDeclarationSyntax>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fullName = FullName(type);
            var tests = type.Members.OfType<MethodDeclarationSyntax>().Where(IsTest).ToList();
            if (tests.Count == 0) continue;
            // The runners name a test `Namespace.Class.Method` (nested classes joined with '+'); a class's tests all start with `Namespace.Class.`.
            targets.Add(new TestTarget(type.Identifier.Text, $"FullyQualifiedName~{fullName}.", type.Identifier, IsClass: true));
            foreach (var method in tests)
                targets.Add(new TestTarget($"{type.Identifier.Text}.{method.Identifier.Text}", $"FullyQualifiedName={fullName}.{method.Identifier.Text}", method.Identifier, IsClass: false));
        }
        return targets;
    }

    private static bool IsTest(MethodDeclarationSyntax method)
    {
        foreach (var list in method.AttributeLists)
            foreach (var attribute in list.Attributes)
            {
                var name = attribute.Name switch
                {
                    QualifiedNameSyntax q => q.Right.Identifier.Text,
                    AliasQualifiedNameSyntax a => a.Name.Identifier.Text,
                    SimpleNameSyntax simple => simple.Identifier.Text,
                    _ => attribute.Name.ToString(),
                };
                if (name.EndsWith("Attribute", StringComparison.Ordinal)) name = name[..^"Attribute".Length];
                foreach (var known in s_testAttributes)
                    if (name.EndsWith(known, StringComparison.Ordinal)) return true;
            }
        return false;
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
