using AllocationLens.Server;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>
/// The idle rehearsal of the keystroke path after a load: it types into a private fork, so it completes
/// its edits and leaves everything the server shows, and the open document's own member cache, as they were.
/// </summary>
public sealed class EditPathWarmUpTests
{
    [Fact]
    public async Task The_rehearsal_completes_its_edits_on_a_private_fork_and_changes_nothing_the_server_keeps()
    {
        var root = Path.Combine(RepositoryRoot(), "test", "projects", "Net10App");
        await using var session = new ServerSession(loadProjects: true);
        await session.InitializeAsync(root);
        var shapes = Path.Combine(root, "Shapes.cs");
        var uri = UriPaths.ToUri(shapes);
        await session.OpenAsync(uri, File.ReadAllText(shapes));
        await LspTestClient.Eventually(() => session.Client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(3), "the workspace load");
        var before = ServerSession.Labels(await session.HintsAsync(uri)).ToList();
        var cache = session.Server.Host.MemberCacheOf(uri);
        var (hits, misses) = (cache.Hits, cache.Misses);

        var snapshot = await session.Server.Host.SnapshotAsync(session.Server.Documents.Get(uri)!, CancellationToken.None);
        Assert.NotNull(snapshot.Solution); // judged in the loaded project: the path a keystroke takes
        int done = await EditPathWarmUp.RunAsync(snapshot, new TextSpan(0, snapshot.Document.Text.Length), session.Server.Foreground, CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(EditPathWarmUp.Edits, done);
        Assert.Equal((hits, misses), (cache.Hits, cache.Misses));
        Assert.Same(snapshot, await session.Server.Host.SnapshotAsync(session.Server.Documents.Get(uri)!, CancellationToken.None));
        Assert.Equal(before, ServerSession.Labels(await session.HintsAsync(uri)).ToList());
    }

    private static string RepositoryRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }
}
