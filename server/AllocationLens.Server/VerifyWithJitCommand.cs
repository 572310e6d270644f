using System.Text.Json;
using AllocationLens.Analysis;
using AllocationLens.Protocol;
using AllocationLens.Verification;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>
/// "Allocation Lens: Verify with JIT" (workspace/executeCommand `allocationLens.verifyWithJit`,
/// arguments [documentUri] for the file or [documentUri, position] for the method at the position).
/// Builds the document's project in Release, asks the JIT of every runtime that can run it, and
/// records the verdicts per site (<see cref="VerifiedSites"/>); hints then refresh into their
/// verified forms. Answers a summary the client shows; problems (untrusted folder, unsaved file,
/// failed build, crashing host) are answered as a message with ok = false, never as a crash.
/// </summary>
public sealed partial class LanguageServer
{
    public const string VerifyCommand = "allocationLens.verifyWithJit";

    private readonly VerifiedSites _verified = new();

    private async Task<object?> VerifyWithJitAsync(JsonElement[]? arguments, string? progressToken, CancellationToken cancellationToken)
    {
        if (arguments is not [var uriElement, ..] || uriElement.ValueKind != JsonValueKind.String)
            throw new JsonRpcException(ErrorCodes.InvalidParams, "verifyWithJit takes [documentUri] or [documentUri, position]");
        var uri = uriElement.GetString()!;
        if (!_trusted)
            return Failed("Verify with JIT builds and loads this workspace's code, so it only runs in a trusted workspace. Trust the folder to use it.");
        var document = RequireDocument(uri);
        string onDisk;
        try { onDisk = await File.ReadAllTextAsync(document.Path, cancellationToken).ConfigureAwait(false); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Failed($"Save the file first: the JIT compiles what is on disk ({e.Message})."); }
        if (!string.Equals(onDisk.ReplaceLineEndings("\n"), document.Text.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal))
            return Failed("Save the file first: the JIT compiles what is on disk, and this file has unsaved changes.");

        var snapshot = await _host.SnapshotAsync(document, cancellationToken).ConfigureAwait(false);
        TextSpan scope = new(0, snapshot.Document.Text.Length);
        string scopeName = Path.GetFileName(document.Path);
        if (arguments is [_, var positionElement, ..] && positionElement.ValueKind == JsonValueKind.Object)
        {
            int offset = DocumentStore.ToOffset(snapshot.Document.Text, Json.Params<Position>(positionElement), out _);
            if (MemberAt(snapshot.Tree, offset) is not { } member) return Failed("No method at the cursor: put it inside a method, or verify the whole file.");
            scope = member.FullSpan;
            scopeName = MemberName(member);
        }
        var lines = snapshot.Document.Text.Lines.GetLinePositionSpan(scope);
        var verifyScope = new VerifyScope(document.Path, lines.Start.Line + 1, lines.End.Line + 1);

        var (projectPath, tfm) = ProjectOf(document.Path);
        var request = new VerifyRequest(projectPath, projectPath is null ? [document.Path] : [], tfm, [verifyScope], []);
        var token = await BeginProgressAsync($"Allocation Lens: verifying {scopeName} with the JIT", progressToken).ConfigureAwait(false);
        VerificationRun run;
        try
        {
            run = await JitVerifier.VerifyAsync(request, message => _ = ReportProgressAsync(token, message), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await EndProgressAsync(token, "cancelled").ConfigureAwait(false);
            throw;
        }
        catch (Exception e)
        {
            _log.Error($"verify with JIT failed: {e}");
            await EndProgressAsync(token, "failed").ConfigureAwait(false);
            return Failed($"Verify with JIT failed: {e.Message}");
        }
        await EndProgressAsync(token, run.Succeeded ? "done" : "failed").ConfigureAwait(false);
        if (!run.Succeeded) return Failed(run.Problem!);

        if (_documents.Get(uri) is not { } current || current.Version != snapshot.Document.Version)
            return Failed("The file changed while the JIT was compiling it; run Verify with JIT again.");
        var sites = _host.Analyze(snapshot, scope, cancellationToken);
        var matched = run.MatchSites(sites);
        var runtimes = run.Runtimes.Select(r => r.Runtime.VersionText).ToList();
        var entries = matched.Select(m => new VerifiedSite(m.Key.Where.Span, m.Key.Category, MemberAt(snapshot.Tree, m.Key.Where.Span.Start)?.FullSpan ?? scope, m.Value)).ToList();
        _verified.Record(uri, entries, scope, runtimes);
        _ = RefreshHintsAsync();

        int disagreements = matched.Count(m => JitRendering.Compare(m.Key, m.Value, snapshot.Runtime.Moniker, runtimes).Disagrees);
        int judged = matched.Count(m => m.Value.Verdicts.Length > 0 && SiteMatcher.ExpectsJitVerdict(m.Key));
        int judgeable = sites.Count(SiteMatcher.ExpectsJitVerdict);
        var problems = run.Runtimes.Where(r => r.Error is not null).Select(r => r.Error!).ToList();
        var unprepared = run.Unprepared().Select(u => new { method = u.Method, reason = u.Reason, runtimes = u.Runtimes }).ToArray();
        var message = $"JIT judged {judged} of {judgeable} sites ({unprepared.Length} unprepared methods) in {scopeName} on "
            + string.Join(", ", runtimes.Select(r => ".NET " + r))
            + (disagreements > 0 ? $"; {disagreements} disagree with the static verdict (marked ⚠)" : "; all agree with the static verdicts")
            + (unprepared.Length > 0 ? $"; unprepared: {string.Join(", ", unprepared.Take(3).Select(u => u.method))}{(unprepared.Length > 3 ? ", ..." : "")}" : "")
            + (problems.Count > 0 ? "; " + string.Join("; ", problems) : "")
            + (run.Build?.Reused == true ? " (reused the Release build: sources unchanged)" : "")
            + string.Concat((run.Limits ?? []).Select(l => "; note: " + l));
        return new { ok = true, message, judged, disagreements, runtimes, unprepared, problems };
    }

    private static object Failed(string message) => new { ok = false, message };

    private (string? Project, string TargetFramework) ProjectOf(string path)
    {
        if (_host.Workspace is { } workspace)
        {
            if (workspace.PrimaryDocument(workspace.Solution.GetDocumentIdsWithFilePath(path)) is { } id && workspace.Solution.GetProject(id.ProjectId) is { FilePath: { } projectPath } project)
                return (projectPath, workspace.TargetOf(project.Id));
        }
        return (null, "net10.0");
    }

    /// <summary>The method-like member (or local function's containing member) at an offset.</summary>
    private static MemberDeclarationSyntax? MemberAt(SyntaxTree tree, int offset)
    {
        var node = tree.GetRoot().FindToken(Math.Min(offset, Math.Max(0, tree.Length - 1))).Parent;
        MemberDeclarationSyntax? found = null;
        for (; node is not null; node = node.Parent)
            if (node is BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax or FieldDeclarationSyntax or EventFieldDeclarationSyntax)
                found = (MemberDeclarationSyntax)node;
        return found;
    }

    private static string MemberName(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax m => m.Identifier.Text,
        ConstructorDeclarationSyntax c => c.Identifier.Text,
        PropertyDeclarationSyntax p => p.Identifier.Text,
        _ => "the member",
    };

    /// <summary>The JIT state for a site in an open document, and the facts to render it with.</summary>
    private (SiteJit? Jit, IReadOnlyList<string> Runtimes) JitOf(string uri, AllocationSite site) =>
        _verified.HasAny(uri) ? (_verified.Lookup(uri, site), _verified.RuntimesOf(uri)) : (null, []);
}
