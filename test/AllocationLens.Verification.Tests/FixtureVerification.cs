using System.Reflection;
using System.Runtime.Loader;
using AllocationLens.Analysis;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// One file of Fixtures/ verified as loose files on .NET 10: the engine's sites, the JIT's verdicts on them,
/// and the very assembly the JIT judged, loaded so its methods can be measured.
/// </summary>
internal sealed record FixtureVerification(SyntaxTree Tree, List<AllocationSite> Sites, VerificationRun Run, Dictionary<AllocationSite, SiteJit> Jit, Assembly Assembly)
{
    public static async Task<FixtureVerification> RunAsync(VerificationEnvironment environment, string fixture, ITestOutputHelper output)
    {
        var file = Path.GetFullPath(Path.Combine(environment.RepositoryRoot, "test", "AllocationLens.Verification.Tests", "Fixtures", fixture));
        var tree = AdHocCompilation.Parse(File.ReadAllText(file), file);
        var sites = new AllocationAnalyzer(TargetRuntime.Parse("net10.0")).AnalyzeAll(AdHocCompilation.Create([tree]), [tree]).SelectMany(s => s).ToList();
        var run = await JitVerifier.VerifyAsync(new VerifyRequest(null, [file], "net10.0", [], ["10.0"]), output.WriteLine, CancellationToken.None);
        Assert.True(run.Succeeded, run.Problem);
        Assert.Null(Assert.Single(run.Runtimes).Error);
        var assembly = new AssemblyLoadContext(Path.GetFileNameWithoutExtension(fixture), isCollectible: false).LoadFromAssemblyPath(run.Build!.AssemblyPath!);
        return new FixtureVerification(tree, sites, run, run.MatchSites(sites), assembly);
    }

    /// <summary>The source span of the method declared with this name.</summary>
    public Microsoft.CodeAnalysis.Text.TextSpan MethodSpan(string name) =>
        Tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(d => d.Identifier.Text == name).Span;

    /// <summary>The JIT's verdict on a site ("heap" or "stack"), or "unjudged (why)".</summary>
    public string Verdict(AllocationSite site) =>
        Jit.TryGetValue(site, out var j) && j.Verdicts.Length > 0 ? j.Verdicts[0].Kind
            : $"unjudged ({(Jit.TryGetValue(site, out var n) ? string.Join("; ", n.Notes) : "no note")})";
}
