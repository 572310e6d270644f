using System.Text.Json;
using AllocationLens.Protocol;

namespace AllocationLens.Server;

/// <summary>
/// textDocument/codeLens: one lens per member that allocates, above its name, with what one call costs:
/// "2 heap · 1 boxed · 1 in a loop · 96 B per call" (<see cref="SiteRendering.LensTitle"/>). Judged on
/// the whole document through the member cache, so after the first request only edited members are
/// judged again. Clicking a lens runs the client's <see cref="ShowMethodCommand"/>, which shows the
/// member's sites in the Allocations view. The client can turn lenses off (allocationLens.codeLens.enabled).
/// After a measured run a member's lens adds what the run allocated in it ("· measured ~3.4 MB"), and a
/// member that allocated only where no site is reported gets a lens of its own. Test methods and classes of
/// tests get a "Measure allocations" lens that runs them alone under measurement.
/// </summary>
public sealed partial class LanguageServer
{
    /// <summary>The client-side command a lens runs: [documentUri, position of the member's name, member name].</summary>
    public const string ShowMethodCommand = "allocationLens.showMethodAllocations";

    /// <summary>The client-side command a test's lens runs: [{ path, filter, title }], passed on to <see cref="MeasureCommand"/> with progress.</summary>
    public const string ClientMeasureTestsCommand = "allocationLens.measureTests";

    /// <summary>"Measure allocations" above each test method and class of tests, running only them (in their own project).</summary>
    private IEnumerable<object> MeasureTestLenses(DocumentSnapshot snapshot, Microsoft.CodeAnalysis.SyntaxNode root, CancellationToken token)
    {
        var tests = TestLensTargets.In(snapshot.Compilation.GetSemanticModel(snapshot.Tree), root, token);
        if (tests.Count == 0) yield break;
        var project = ProjectOf(snapshot.Document.Path).Project ?? _root;
        foreach (var test in tests)
        {
            var span = snapshot.Document.Text.Lines.GetLinePositionSpan(test.Anchor.Span);
            var range = new Range(new Position(span.Start.Line, span.Start.Character), new Position(span.End.Line, span.End.Character));
            var title = test.IsClass ? "$(beaker) Measure allocations of these tests" : "$(beaker) Measure allocations";
            yield return new { range, command = new { title, command = ClientMeasureTestsCommand, arguments = new object[] { new { path = project, filter = test.Filter, title = test.Title } } } };
        }
    }

    private Task<object?> CodeLensesAsync(JsonElement? parameters, CancellationToken ct)
    {
        var uri = Json.Params<CodeLensParams>(parameters).TextDocument.Uri;
        return OnSnapshotAsync<object?>(uri, ct, (snapshot, token) =>
        {
            var sites = _host.Analyze(snapshot, null, token);
            var lenses = new List<object>();
            var root = snapshot.Tree.GetRoot(token);
            var text = snapshot.Document.Text;
            var members = new HashSet<int>();
            foreach (var (owner, ownSites) in SiteOwners.Group(snapshot.Tree, sites, token))
            {
                members.Add(owner.Key);
                var measured = _measured.HasAny && ownSites.Count > 0 ? _measured.MemberTotal(snapshot.Document.Path, root, text, ownSites[0].Where.Span.Start) : null;
                var title = SiteRendering.LensTitle(ownSites) is { } counts ? counts + MeasuredRendering.LensSuffix(measured)
                    : measured is not null ? MeasuredRendering.LensSuffix(measured)[" · ".Length..] : null;
                if (title is null) continue;
                var start = new Position(owner.AnchorLines.Start.Line, owner.AnchorLines.Start.Character);
                var range = new Range(start, new Position(owner.AnchorLines.End.Line, owner.AnchorLines.End.Character));
                lenses.Add(new { range, command = new { title, command = ShowMethodCommand, arguments = new object[] { uri, start, owner.Name } } });
            }
            // A member whose measured allocations all fell where the engine reports no site still shows them.
            foreach (var (_, position) in _measured.HasAny ? _measured.UnexplainedIn(snapshot.Document.Path, root, text) : [])
            {
                var owner = SiteOwners.Of(root, text, new Microsoft.CodeAnalysis.Text.TextSpan(position, 0));
                if (!members.Add(owner.Key) || _measured.MemberTotal(snapshot.Document.Path, root, text, position) is not { } total) continue;
                var start = new Position(owner.AnchorLines.Start.Line, owner.AnchorLines.Start.Character);
                var range = new Range(start, new Position(owner.AnchorLines.End.Line, owner.AnchorLines.End.Character));
                lenses.Add(new { range, command = new { title = MeasuredRendering.LensSuffix(total)[" · ".Length..] + " (unexplained)", command = ShowMethodCommand, arguments = new object[] { uri, start, owner.Name } } });
            }
            if (_trusted) lenses.AddRange(MeasureTestLenses(snapshot, root, token));
            return lenses.ToArray();
        });
    }
}
