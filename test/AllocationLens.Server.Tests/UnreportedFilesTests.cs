using AllocationLens.Server;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>
/// Files written on disk whose file events never reach the server (the editor's watcher throttles and
/// coalesces them under load): opening one settles it, and the unreported files beside it, into their
/// project, as the events would have. A file the project itself leaves out stays out.
/// </summary>
public sealed class UnreportedFilesTests
{
    private const string Sink = "namespace Shapes;\n\npublic static class DiskSink\n{\n    private static Circle? s_kept;\n    public static void Use(Circle c) { }\n}\n";
    private const string Caller = "namespace Shapes;\n\npublic static class DiskCaller\n{\n    public static double Make()\n    {\n        var c = new Circle(1);\n        DiskSink.Use(c);\n        return c.Radius;\n    }\n}\n";

    [Fact]
    public async Task An_opened_file_no_event_reported_joins_its_project_with_its_unreported_neighbours_and_an_excluded_one_does_not()
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-unreported-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var source = Path.Combine(RepositoryRoot(), "test", "projects", "Net10App");
            File.Copy(Path.Combine(source, "Shapes.cs"), Path.Combine(root, "Shapes.cs"));
            // Excluded.cs exists before the load and its project leaves it out.
            File.WriteAllText(Path.Combine(root, "App.csproj"), File.ReadAllText(Path.Combine(source, "Net10App.csproj"))
                .Replace("</Project>", "  <ItemGroup><Compile Remove=\"Excluded.cs\" /></ItemGroup>\n</Project>"));
            File.WriteAllText(Path.Combine(root, "Excluded.cs"), Caller.Replace("DiskCaller", "Excluded"));

            await using var session = new ServerSession(loadProjects: true);
            await session.InitializeAsync(root);
            var shapes = UriPaths.ToUri(Path.Combine(root, "Shapes.cs"));
            await session.OpenAsync(shapes, File.ReadAllText(Path.Combine(root, "Shapes.cs")));
            await LspTestClient.Eventually(() => session.Server.Host.Workspace is not null, TimeSpan.FromMinutes(3), "the workspace load");

            // Both files appear on disk; no workspace/didChangeWatchedFiles is ever sent. Only the caller is opened.
            File.WriteAllText(Path.Combine(root, "DiskSink.cs"), Sink);
            File.WriteAllText(Path.Combine(root, "DiskCaller.cs"), Caller);
            var caller = UriPaths.ToUri(Path.Combine(root, "DiskCaller.cs"));
            await session.OpenAsync(caller, Caller);
            // Judged in the project, with DiskSink known: the circle it only reads stays on the stack.
            await LspTestClient.Eventually(async () =>
            {
                var labels = ServerSession.Labels(await session.HintsAsync(caller)); // after the didOpen, on the connection's order
                var snapshot = await session.Server.Host.SnapshotAsync(session.Server.Documents.Get(caller)!, CancellationToken.None);
                return snapshot.Source.StartsWith("project", StringComparison.Ordinal) && labels.Any(l => l.Line == 6 && l.Label == "stack");
            }, TimeSpan.FromMinutes(2), "DiskCaller.cs judged in its project, with DiskSink.cs beside it");
            Assert.Single(session.Server.Host.Workspace!.Solution.GetDocumentIdsWithFilePath(Path.Combine(root, "DiskSink.cs")));

            // The file the project leaves out is judged on its own, and stays out of the project.
            var excluded = UriPaths.ToUri(Path.Combine(root, "Excluded.cs"));
            await session.OpenAsync(excluded, File.ReadAllText(Path.Combine(root, "Excluded.cs")));
            await session.HintsAsync(excluded);
            await Task.Delay(TimeSpan.FromSeconds(1)); // longer than the watched-files pause: a batch would have run
            Assert.Empty(session.Server.Host.Workspace!.Solution.GetDocumentIdsWithFilePath(Path.Combine(root, "Excluded.cs")));
            Assert.StartsWith("ad-hoc", (await session.Server.Host.SnapshotAsync(session.Server.Documents.Get(excluded)!, CancellationToken.None)).Source);
            Assert.Equal(0, await session.ShutdownAsync());
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }
}
