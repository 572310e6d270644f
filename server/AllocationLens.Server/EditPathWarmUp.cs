using System.Diagnostics;
using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>
/// Rehearses the keystroke path while the editor is idle, right after the projects load. The first
/// edits after a load used to take 60–120 ms on a 20k-line file and only the later ones 11–30 ms: the
/// JIT compiles the edit path (Roslyn's incremental parse, the compilation tracker's tree swap, the
/// binder, the engine and its member cache) at its quick tier first and optimizes it only once it has
/// run many times. So the server types for the user, on a private fork of the solution: a space
/// inserted in the visible method and removed again, each version judged for the range the editor
/// last asked for, through a member cache of its own. Nothing it computes is kept or shown; the server's
/// solution, snapshots and caches are untouched. It yields to every request (the foreground gate:
/// between edits, and a request that starts mid-edit cancels that edit), and stops at the first problem.
/// </summary>
internal static class EditPathWarmUp
{
    /// <summary>Enough rehearsed keystrokes for the hot methods to reach their optimized tier (the runtime promotes after 30 calls).</summary>
    public const int Edits = 40;

    /// <summary>Set and non-empty: no rehearsal (benchmarks compare with and without).</summary>
    public const string DisableVariable = "ALLOCATION_LENS_NO_EDIT_WARMUP";

    /// <returns>How many rehearsed edits completed (0 when the snapshot is not a project's, or nothing can be edited).</returns>
    /// <remarks>Runs on a thread of its own at idle priority (it blocks that thread, never a pool thread).</remarks>
    public static Task<int> RunAsync(DocumentSnapshot snapshot, TextSpan range, ForegroundGate foreground, CancellationToken stop) =>
        Task.Factory.StartNew(() =>
        {
            IdlePriority.LowerCurrentThread();
            return Rehearse(snapshot, range, foreground, stop);
        }, stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static int Rehearse(DocumentSnapshot snapshot, TextSpan range, ForegroundGate foreground, CancellationToken stop)
    {
        if (snapshot.Solution is not { } solution || solution.GetDocumentId(snapshot.Tree) is not { } id) return 0;
        if (EditPoint(snapshot.Tree, range, stop) is not int position) return 0;
        var text = snapshot.Document.Text;
        var cache = new MemberResultCache();
        var analyzer = new AllocationAnalyzer(snapshot.Runtime) { OnInternalError = (_, _) => { } };
        int done = 0;
        for (int version = 1; version <= Edits; version++)
        {
            var preempt = foreground.WaitIdleAsync(stop).GetAwaiter().GetResult();
            // Type a space, then take it back: the text stays valid code and the range stays where it was.
            text = version % 2 == 1
                ? text.WithChanges(new TextChange(new TextSpan(position, 0), " "))
                : text.WithChanges(new TextChange(new TextSpan(position, 1), ""));
            solution = solution.WithDocumentText(id, text, PreservationMode.PreserveIdentity);
            var document = solution.GetDocument(id)!;
            var judged = TextSpan.FromBounds(Math.Min(range.Start, text.Length), Math.Min(range.End, text.Length));
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, preempt);
            try
            {
                // Synchronously, on this idle-priority thread: the compilation tracker and the binder run here.
                var compilation = document.Project.GetCompilationAsync(linked.Token).GetAwaiter().GetResult();
                var tree = document.GetSyntaxTreeAsync(linked.Token).GetAwaiter().GetResult();
                if (compilation is not null && tree is not null) analyzer.Analyze(compilation, tree, judged, cache, version, linked.Token);
                done++;
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested) { /* a request came first: rehearse the next edit once it is answered */ }
        }
        return done;
    }

    /// <summary>Where to type: the first statement of the first method body inside the range (null when the range holds none).</summary>
    private static int? EditPoint(SyntaxTree tree, TextSpan range, CancellationToken cancellationToken)
    {
        foreach (var node in tree.GetRoot(cancellationToken).DescendantNodes(n => n.FullSpan.IntersectsWith(range)))
        {
            if (node is BlockSyntax { Statements.Count: > 0, Parent: BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax } block
                && range.Contains(block.Statements[0].SpanStart))
                return block.Statements[0].SpanStart;
        }
        return null;
    }

    /// <summary>Runs the rehearsal and logs what it did; never throws (a failed rehearsal only leaves the path cold).</summary>
    public static async Task RunLoggedAsync(DocumentSnapshot snapshot, TextSpan range, ForegroundGate foreground, ServerLog log, CancellationToken stop)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            int done = await RunAsync(snapshot, range, foreground, stop).ConfigureAwait(false);
            if (done > 0) log.Info($"Rehearsed {done} edits of {Path.GetFileName(snapshot.Document.Path)} while idle in {watch.ElapsedMilliseconds} ms (the keystroke path is warm).");
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { log.Warning($"edit-path warm-up stopped: {e.GetType().Name}: {e.Message}"); }
    }
}
