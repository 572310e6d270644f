using System.Text.Json;
using AllocationLens.Protocol;

namespace AllocationLens.Server;

/// <summary>
/// textDocument/codeLens: one lens per member that allocates, above its name, with what one call costs:
/// "2 heap · 1 boxed · 1 in a loop · 96 B per call" (<see cref="SiteRendering.LensTitle"/>). Judged on
/// the whole document through the member cache, so after the first request only edited members are
/// judged again. Clicking a lens runs the client's <see cref="ShowMethodCommand"/>, which shows the
/// member's sites in the Allocations view. The client can turn lenses off (allocationLens.codeLens.enabled).
/// </summary>
public sealed partial class LanguageServer
{
    /// <summary>The client-side command a lens runs: [documentUri, position of the member's name, member name].</summary>
    public const string ShowMethodCommand = "allocationLens.showMethodAllocations";

    private Task<object?> CodeLensesAsync(JsonElement? parameters, CancellationToken ct)
    {
        var uri = Json.Params<CodeLensParams>(parameters).TextDocument.Uri;
        return OnSnapshotAsync<object?>(uri, ct, (snapshot, token) =>
        {
            var sites = _host.Analyze(snapshot, null, token);
            var lenses = new List<object>();
            foreach (var (owner, ownSites) in SiteOwners.Group(snapshot.Tree, sites, token))
            {
                if (SiteRendering.LensTitle(ownSites) is not { } title) continue;
                var start = new Position(owner.AnchorLines.Start.Line, owner.AnchorLines.Start.Character);
                var range = new Range(start, new Position(owner.AnchorLines.End.Line, owner.AnchorLines.End.Character));
                lenses.Add(new { range, command = new { title, command = ShowMethodCommand, arguments = new object[] { uri, start, owner.Name } } });
            }
            return lenses.ToArray();
        });
    }
}
