using Microsoft.CodeAnalysis;

namespace AllocationLens.Measurement;

/// <summary>
/// Which frames of a sample's stack are the tests that were running. A test method is found from the
/// analysed compilations' symbols: a method carrying an attribute of a test framework (xUnit's Fact and
/// everything derived from it, such as Theory; NUnit's Test, TestCase, TestCaseSource and Theory, and any
/// attribute that builds NUnit tests; MSTest's TestMethod and what derives from it, such as DataTestMethod;
/// TUnit's Test), so a project's own attribute derived from one counts too. A test project is an assembly
/// with test methods or one that references a test framework. The runtime names a frame by its metadata
/// token, so each module's tokens are read once (<see cref="MethodNames"/>) and matched by type and method
/// name; an async test's frames after its first await are its state machine's MoveNext, which is mapped
/// back to the method that declared it.
/// </summary>
public sealed class TestMethods
{
    /// <summary>(assembly name, runtime type name "NS.Outer+Inner`1", method name) → "NS.Outer.Inner.Method".</summary>
    private readonly Dictionary<(string Assembly, string Type, string Method), string> _tests;
    private readonly HashSet<string> _testAssemblies;
    private readonly Dictionary<string, Dictionary<int, (string Type, string Method)>> _names = new(TraceSamples.PathComparer);
    private readonly Dictionary<(string Module, int Token), (string? Test, string? InTestAssembly)> _frames = [];

    public static TestMethods None { get; } = new([], []);

    private TestMethods(Dictionary<(string, string, string), string> tests, HashSet<string> testAssemblies)
    {
        _tests = tests;
        _testAssemblies = testAssemblies;
    }

    public int Count => _tests.Count;

    public static TestMethods From(IEnumerable<Compilation> compilations, CancellationToken cancellationToken = default)
    {
        var tests = new Dictionary<(string, string, string), string>();
        var assemblies = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var compilation in compilations)
        {
            if (compilation.AssemblyName is not { Length: > 0 } assembly) continue;
            int before = tests.Count;
            var types = new Stack<INamespaceOrTypeSymbol>();
            types.Push(compilation.Assembly.GlobalNamespace);
            while (types.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var container = types.Pop();
                foreach (var member in container.GetMembers())
                {
                    if (member is INamespaceOrTypeSymbol nested) { types.Push(nested); continue; }
                    if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary } method && member.ContainingType is { } type && IsTest(method))
                        tests[(assembly, RuntimeTypeName(type), method.MetadataName)] = type.ToDisplayString(DisplayFormat) + "." + method.Name;
                }
            }
            if (tests.Count > before || compilation.ReferencedAssemblyNames.Any(r => TestFrameworkAssemblies.Contains(r.Name))) assemblies.Add(assembly);
        }
        return new TestMethods(tests, assemblies);
    }

    /// <summary>
    /// The frame's test ("NS.Class.Method") when it is a test method, and its method's name when it is any
    /// method of a test project (the fallback when no frame of the stack is a test method).
    /// </summary>
    public (string? Test, string? InTestAssembly) Classify(string modulePath, int methodToken)
    {
        if (_testAssemblies.Count == 0) return (null, null);
        if (_frames.TryGetValue((modulePath, methodToken), out var known)) return known;
        var assembly = Path.GetFileNameWithoutExtension(modulePath);
        (string?, string?) result = (null, null);
        if (_testAssemblies.Contains(assembly) && NamesOf(modulePath).TryGetValue(methodToken, out var name))
        {
            var (type, method) = DeclaringMethod(name.Type, name.Method);
            result = (_tests.GetValueOrDefault((assembly, type, method)), Display(type) + "." + method);
        }
        return _frames[(modulePath, methodToken)] = result;
    }

    private Dictionary<int, (string Type, string Method)> NamesOf(string module)
    {
        if (_names.TryGetValue(module, out var names)) return names;
        try { names = MethodNames.Read(module); }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or InvalidOperationException or UnauthorizedAccessException) { names = []; }
        return _names[module] = names;
    }

    /// <summary>
    /// An async method's or iterator's state machine ("NS.C+&lt;Run&gt;d__3", MoveNext) stands for the method
    /// that declared it ("NS.C", "Run"); every other method stands for itself.
    /// </summary>
    internal static (string Type, string Method) DeclaringMethod(string type, string method)
    {
        int plus = type.LastIndexOf('+');
        if (plus < 0 || type.Length < plus + 3 || type[plus + 1] != '<') return (type, method);
        int close = type.IndexOf(">d__", plus, StringComparison.Ordinal);
        return close < 0 ? (type, method) : (type[..plus], type[(plus + 2)..close]);
    }

    /// <summary>"NS.Outer+Inner`1" → "NS.Outer.Inner".</summary>
    private static string Display(string runtimeType)
    {
        var parts = runtimeType.Split('+');
        for (int i = 0; i < parts.Length; i++)
            if (parts[i].IndexOf('`') is var tick and > 0) parts[i] = parts[i][..tick];
        return string.Join('.', parts);
    }

    private static string RuntimeTypeName(INamedTypeSymbol type)
    {
        if (type.ContainingType is { } outer) return RuntimeTypeName(outer) + "+" + type.MetadataName;
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + type.MetadataName;
    }

    /// <summary>Whether a method is a test of a known framework (by its attributes, derived ones included).</summary>
    public static bool IsTest(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
        {
            for (var type = attribute.AttributeClass; type is not null; type = type.BaseType)
                if (TestAttributes.Contains(type.ToDisplayString())) return true;
            if (attribute.AttributeClass?.AllInterfaces.Any(i => NUnitTestBuilders.Contains(i.ToDisplayString())) == true) return true;
        }
        return false;
    }

    private static readonly HashSet<string> TestAttributes = new(StringComparer.Ordinal)
    {
        "Xunit.FactAttribute",
        "NUnit.Framework.TestAttribute",
        "NUnit.Framework.TestCaseAttribute",
        "NUnit.Framework.TestCaseSourceAttribute",
        "NUnit.Framework.TheoryAttribute",
        "Microsoft.VisualStudio.TestTools.UnitTesting.TestMethodAttribute",
        "TUnit.Core.TestAttribute",
    };

    /// <summary>NUnit builds tests from any attribute implementing these (its own and third parties').</summary>
    private static readonly HashSet<string> NUnitTestBuilders = new(StringComparer.Ordinal)
    {
        "NUnit.Framework.Interfaces.ISimpleTestBuilder",
        "NUnit.Framework.Interfaces.ITestBuilder",
    };

    private static readonly HashSet<string> TestFrameworkAssemblies = new(StringComparer.OrdinalIgnoreCase)
    {
        "xunit.core", "xunit.v3.core", "nunit.framework", "Microsoft.VisualStudio.TestPlatform.TestFramework", "MSTest.TestFramework", "TUnit.Core",
    };

    private static readonly SymbolDisplayFormat DisplayFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.None);
}
