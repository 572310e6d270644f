using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AllocationLens.Analysis.Tests;

/// <summary>
/// The measured runtime facts (RuntimeFacts/net*.facts) as the engine reads them. Compiled against the SDK's
/// reference assemblies, as projects loaded through MSBuild are: those hide the private fields of framework
/// classes, so without the facts `List&lt;int&gt;` would be sized as an empty object.
/// RuntimeFactsDriftTests (Verification.Tests) checks the tables against the runtimes themselves.
/// </summary>
public sealed class FrameworkFactsTests
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        class MyList : List<int> { public long Extra; }
        class MyException : Exception { }
        static class Uses
        {
            static object A() => new List<int>();
            static object B() => new Dictionary<string, int>();
            static object C() => new Tuple<int, int>(1, 2);
            static object D() => new KeyValuePair<int, int>(1, 2);
            static object E() => new System.Text.StringBuilder();
            static object F() => new Tuple<Guid, string>(default, "");
            static object G() => new List<int>.Enumerator();
        }
        """;

    private static readonly Lazy<CSharpCompilation> Compilation = new(() =>
    {
        var packs = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref");
        var refDir = Directory.GetDirectories(packs).Select(d => Path.Combine(d, "ref", "net10.0")).First(Directory.Exists);
        var references = Directory.GetFiles(refDir, "*.dll").Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create("Facts", [CSharpSyntaxTree.ParseText(Source)], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
    });

    private static INamedTypeSymbol Type(string metadataName, params string[] arguments)
    {
        var type = Compilation.Value.GetTypeByMetadataName(metadataName) ?? throw new InvalidOperationException(metadataName);
        return arguments.Length == 0 ? type : type.Construct(arguments.Select(a => (ITypeSymbol)Compilation.Value.GetTypeByMetadataName(a)!).ToArray());
    }

    private static FrameworkFacts Net(int major) => FrameworkFacts.For(TargetRuntime.Parse($"net{major}.0"));

    [Fact]
    public void Every_measured_runtime_has_a_table()
    {
        foreach (int major in new[] { 8, 9, 10, 11 })
        {
            var facts = Net(major);
            Assert.Equal(major, facts.Major);
            Assert.StartsWith($"{major}.", facts.RuntimeVersion);
        }
        Assert.Equal(8, FrameworkFacts.For(TargetRuntime.Parse("net48")).Major);
        Assert.Equal(8, FrameworkFacts.For(TargetRuntime.Parse("netstandard2.0")).Major);
        Assert.Equal(11, FrameworkFacts.For(TargetRuntime.Parse("net12.0")).Major);
    }

    [Fact]
    public void Reference_assemblies_hide_private_fields_and_the_facts_restore_the_size()
    {
        Assert.Empty(Compilation.Value.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var list = Type("System.Collections.Generic.List`1", "System.Int32");
        Assert.Equal(24, ObjectSizes.OfClass(list));          // what the reference assembly shows
        Assert.Equal(32, ObjectSizes.OfClass(list, Net(10))); // what the runtime lays out
        Assert.Equal(80, ObjectSizes.OfClass(Type("System.Collections.Generic.Dictionary`2", "System.String", "System.Int32"), Net(10)));
        Assert.Equal(48, ObjectSizes.OfClass(Type("System.Text.StringBuilder"), Net(10)));
    }

    [Fact]
    public void Exception_layouts_differ_between_runtimes()
    {
        var exception = Type("System.Exception");
        Assert.Equal(128, ObjectSizes.OfClass(exception, Net(8)));
        Assert.Equal(120, ObjectSizes.OfClass(exception, Net(10)));
        // A source class adds its own fields to the measured size of its framework base.
        Assert.Equal(120, ObjectSizes.OfClass(Compilation.Value.GetTypeByMetadataName("MyException")!, Net(10)));
        Assert.Equal(40, ObjectSizes.OfClass(Compilation.Value.GetTypeByMetadataName("MyList")!, Net(10)));
    }

    [Fact]
    public void Generic_instantiations_over_value_types_use_the_per_argument_field_counts()
    {
        Assert.Equal(24, ObjectSizes.OfClass(Type("System.Tuple`2", "System.Int32", "System.Int32"), Net(10)));   // 8 + 8 + 4 + 4
        Assert.Equal(40, ObjectSizes.OfClass(Type("System.Tuple`2", "System.Guid", "System.String"), Net(10)));  // 8 + 8 + 16 + 8
        Assert.Equal(24, ObjectSizes.OfBox(Type("System.Collections.Generic.KeyValuePair`2", "System.Int32", "System.Int32"), Net(10)));
        var listOfGuid = Type("System.Collections.Generic.List`1", "System.Guid");
        Assert.Equal(40, ObjectSizes.OfBox(Type("System.Collections.Generic.List`1", "System.Int32").GetTypeMembers("Enumerator").Single(), Net(10)));
        Assert.Equal(48, ObjectSizes.OfBox(listOfGuid.GetTypeMembers("Enumerator").Single(), Net(10))); // the nested type's T is List's
        Assert.Equal(32, ObjectSizes.OfBox(Type("System.DateTimeOffset"), Net(10)));
    }

    [Fact]
    public void Members_the_probes_measured()
    {
        // Measured in steady state: .NET 9 does not inline Dictionary's constructor, .NET 10 does.
        Assert.False(Net(9).KeepsLocal("System.Collections.Generic.Dictionary`2..ctor", -1));
        Assert.True(Net(10).KeepsLocal("System.Collections.Generic.Dictionary`2..ctor", -1));
        Assert.False(Net(10).KeepsLocalWithoutProfile("System.Collections.Generic.Dictionary`2..ctor", -1));
        Assert.True(Net(10).KeepsLocal("System.Collections.Generic.List`1.get_Count", -1));
        // object.Equals(a, b) calls a.Equals(b): the second argument reaches a virtual call and escapes.
        Assert.True(Net(10).KeepsLocal("System.Object.Equals", 0));
        Assert.False(Net(10).KeepsLocal("System.Object.Equals", 1));
        Assert.Equal(0, Net(10).BytesPerCall("System.Array.Empty"));
        Assert.True(Net(10).BytesPerCall("System.String.Substring") > 0);
    }
}
