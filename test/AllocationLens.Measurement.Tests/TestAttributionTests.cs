using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>Which methods are tests, found from symbols, and how the runtime's frames are matched to them.</summary>
public sealed class TestAttributionTests
{
    // The frameworks' attributes, declared here as the frameworks name them (the lookup is by full name and base type).
    private const string Frameworks = """
        namespace Xunit { public class FactAttribute : System.Attribute { } public class TheoryAttribute : FactAttribute { } }
        namespace NUnit.Framework.Interfaces { public interface ISimpleTestBuilder { } }
        namespace NUnit.Framework { public class TestCaseAttribute : System.Attribute { } }
        namespace Microsoft.VisualStudio.TestTools.UnitTesting { public class TestMethodAttribute : System.Attribute { } public class DataTestMethodAttribute : TestMethodAttribute { } }
        namespace Custom { public class SkippableFactAttribute : Xunit.FactAttribute { } public class BuildsTestsAttribute : System.Attribute, NUnit.Framework.Interfaces.ISimpleTestBuilder { } }
        """;

    private const string Tests = """
        namespace Lib.Tests
        {
            public class Outer
            {
                [Xunit.Fact] public void Plain() { }
                [Xunit.Theory] public void Rows(int x) { }
                [Custom.SkippableFact] public void Derived() { }
                [NUnit.Framework.TestCase] public void NUnitCase() { }
                [Custom.BuildsTests] public void Built() { }
                [Microsoft.VisualStudio.TestTools.UnitTesting.DataTestMethod] public void MsTest() { }
                [Xunit.Fact] public async System.Threading.Tasks.Task Later() { await System.Threading.Tasks.Task.Yield(); }
                public void Helper() { }
                public class Inner<T> { [Xunit.Fact] public void Nested() { } }
            }
        }
        """;

    [Fact]
    public void Test_methods_are_found_by_their_attributes_and_frames_are_matched_by_token()
    {
        var compilation = InMemoryCompiler.Compile([("Frameworks.cs", Frameworks), ("Tests.cs", Tests)], assemblyName: "Lib.Tests");
        Assert.Empty(InMemoryCompiler.Errors(compilation));
        var tests = TestMethods.From([compilation]);
        var folder = Directory.CreateTempSubdirectory("allocation-lens-tests-");
        try
        {
            var path = Path.Combine(folder.FullName, "Lib.Tests.dll");
            using (var file = File.Create(path)) Assert.True(compilation.Emit(file).Success);
            var tokens = MethodNames.Read(path).ToDictionary(kv => kv.Value, kv => kv.Key);
            string? TestOf(string type, string method) => tests.Classify(path, tokens[(type, method)]).Test;

            Assert.Equal("Lib.Tests.Outer.Plain", TestOf("Lib.Tests.Outer", "Plain"));
            Assert.Equal("Lib.Tests.Outer.Rows", TestOf("Lib.Tests.Outer", "Rows"));
            Assert.Equal("Lib.Tests.Outer.Derived", TestOf("Lib.Tests.Outer", "Derived"));
            Assert.Equal("Lib.Tests.Outer.NUnitCase", TestOf("Lib.Tests.Outer", "NUnitCase"));
            Assert.Equal("Lib.Tests.Outer.Built", TestOf("Lib.Tests.Outer", "Built"));
            Assert.Equal("Lib.Tests.Outer.MsTest", TestOf("Lib.Tests.Outer", "MsTest"));
            Assert.Equal("Lib.Tests.Outer.Inner.Nested", TestOf("Lib.Tests.Outer+Inner`1", "Nested"));
            // An async test after its first await runs as its state machine's MoveNext: still that test.
            var stateMachine = tokens.Keys.Single(k => k.Type.StartsWith("Lib.Tests.Outer+<Later>d__", StringComparison.Ordinal) && k.Method == "MoveNext");
            Assert.Equal("Lib.Tests.Outer.Later", TestOf(stateMachine.Type, stateMachine.Method));
            // A helper of a test project is no test, yet names itself for the fallback.
            Assert.Equal((null, "Lib.Tests.Outer.Helper"), tests.Classify(path, tokens[("Lib.Tests.Outer", "Helper")]));
            // Another assembly is no test project.
            Assert.Equal((null, null), tests.Classify(Path.Combine(folder.FullName, "Lib.dll"), tokens[("Lib.Tests.Outer", "Plain")]));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_state_machine_stands_for_the_method_that_declared_it()
    {
        Assert.Equal(("NS.C", "Run"), TestMethods.DeclaringMethod("NS.C+<Run>d__3", "MoveNext"));
        Assert.Equal(("NS.C+Inner", "Go"), TestMethods.DeclaringMethod("NS.C+Inner", "Go"));
        Assert.Equal(("NS.C+<>c", "<Run>b__3_0"), TestMethods.DeclaringMethod("NS.C+<>c", "<Run>b__3_0"));
    }
}
