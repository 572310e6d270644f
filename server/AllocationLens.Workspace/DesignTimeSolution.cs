using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AllocationLens.Workspace;

/// <summary>
/// Turns design-time builds into Roslyn projects the way MSBuildWorkspace does: documents from the
/// Compile items, options, references and analyzers from the compiler's command line, a reference to
/// another loaded project's output turned into a project reference. InProcessProjectLoaderTests holds
/// the two to the same projects.
/// </summary>
internal static class DesignTimeSolution
{
    public static Solution Add(Solution solution, IReadOnlyList<DesignTimeProject> built)
    {
        foreach (var info in Prepare(built)) solution = solution.AddProject(info);
        return solution;
    }

    /// <summary>
    /// The projects' infos, metadata references read: everything but the workspace, so a load can do this
    /// (most of its time after a design-time cache hit) while the workspace's services are still being composed.
    /// </summary>
    public static IReadOnlyList<ProjectInfo> Prepare(IReadOnlyList<DesignTimeProject> built)
    {
        var infos = new List<ProjectInfo>(built.Count);
        var ids = built.Select(_ => ProjectId.CreateNewId()).ToArray();
        // A metadata reference to another loaded project's output becomes a project reference, as in MSBuildWorkspace.
        var byOutput = new Dictionary<string, ProjectId>(StringComparer.Ordinal);
        for (int i = 0; i < built.Count; i++)
            foreach (var output in (string?[])[built[i].TargetPath, built[i].TargetRefPath])
                if (output is not null) byOutput.TryAdd(output, ids[i]);

        var loaders = new ConcurrentDictionary<string, AnalyzerLoader>(StringComparer.Ordinal);
        for (int i = 0; i < built.Count; i++)
        {
            var project = built[i];
            var directory = Path.GetDirectoryName(project.Path)!;
            var arguments = CSharpCommandLineParser.Default.Parse(project.CommandLine, directory, sdkDirectory: System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());
            var documents = new List<DocumentInfo>();
            var paths = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in project.Compile)
            {
                var path = item.Path;
                if (Path.GetFileName(path).StartsWith("TemporaryGeneratedFile_", StringComparison.Ordinal) || !paths.Add(path)) continue;
                documents.Add(DocumentInfo.Create(DocumentId.CreateNewId(ids[i]), Path.GetFileName(path), Folders(item, path, directory),
                    loader: new FileTextLoader(path, arguments.Encoding), filePath: path));
            }
            var additional = arguments.AdditionalFiles.Select(f => TextDocument(ids[i], f.Path, arguments.Encoding)).ToList();
            var configs = arguments.AnalyzerConfigPaths.Select(p => TextDocument(ids[i], p, arguments.Encoding)).ToList();
            var projectReferences = new List<ProjectReference>();
            var files = new List<(string Path, MetadataReferenceProperties Properties)>();
            foreach (var reference in arguments.MetadataReferences)
            {
                var path = Path.GetFullPath(reference.Reference, directory);
                if (byOutput.TryGetValue(path, out var target) && target != ids[i])
                    projectReferences.Add(new ProjectReference(target, reference.Properties.Aliases, reference.Properties.EmbedInteropTypes));
                else
                    files.Add((path, reference.Properties));
            }
            // Each reference is read whole here (the compilation needs them all): on every core. Parallel.For,
            // not PLINQ: its calling thread works through the references itself when the thread pool has no
            // thread to spare, where PLINQ's caller waited for partitions that had no thread to run on.
            var metadata = new MetadataReference[files.Count];
            Parallel.For(0, files.Count, f => metadata[f] = MetadataReference.CreateFromFile(files[f].Path, files[f].Properties));
            var analyzers = arguments.AnalyzerReferences
                .Select(a => Path.GetFullPath(a.FilePath, directory))
                .Distinct(StringComparer.Ordinal)
                .Select(a => (AnalyzerReference)new AnalyzerFileReference(a, loaders.GetOrAdd(Path.GetDirectoryName(a)!, d => new AnalyzerLoader(d))))
                .ToList();
            var options = arguments.CompilationOptions
                .WithXmlReferenceResolver(new XmlFileResolver(directory))
                .WithSourceReferenceResolver(new SourceFileResolver([], directory))
                .WithStrongNameProvider(new DesktopStrongNameProvider(arguments.KeyFileSearchPaths, Path.GetTempPath()))
                .WithAssemblyIdentityComparer(DesktopAssemblyIdentityComparer.Default);
            var info = ProjectInfo.Create(
                ids[i], VersionStamp.Create(), project.Name,
                arguments.CompilationName ?? Path.GetFileNameWithoutExtension(project.Path),
                LanguageNames.CSharp,
                filePath: project.Path,
                outputFilePath: project.TargetPath,
                outputRefFilePath: project.TargetRefPath,
                compilationOptions: options,
                // As MSBuildWorkspace: doc comments are parsed even without /doc (trees, hence positions, match).
                parseOptions: arguments.ParseOptions.DocumentationMode == DocumentationMode.None ? arguments.ParseOptions.WithDocumentationMode(DocumentationMode.Parse) : arguments.ParseOptions,
                documents: documents,
                projectReferences: projectReferences,
                metadataReferences: metadata,
                analyzerReferences: analyzers,
                additionalDocuments: additional)
                .WithAnalyzerConfigDocuments(configs)
                // Where generated documents live: their file paths, and so every verdict's path, depend on it.
                .WithCompilationOutputInfo(default(CompilationOutputInfo)
                    .WithAssemblyPath(project.IntermediateAssembly)
                    .WithGeneratedFilesOutputDirectory(project.GeneratedFilesDirectory))
                .WithDefaultNamespace(project.RootNamespace);
            infos.Add(info);
        }
        return infos;
    }

    private static DocumentInfo TextDocument(ProjectId project, string path, System.Text.Encoding? encoding) =>
        DocumentInfo.Create(DocumentId.CreateNewId(project), Path.GetFileName(path), loader: new FileTextLoader(path, encoding), filePath: path);

    /// <summary>The document's folders: its Link's, else its path's below the project folder (as MSBuildWorkspace names them).</summary>
    private static string[] Folders(DesignTimeProject.CompileItem item, string path, string directory)
    {
        var link = item.Link;
        var relative = link.Length > 0 ? Path.GetDirectoryName(link) : Path.GetDirectoryName(Path.GetRelativePath(directory, path));
        return string.IsNullOrEmpty(relative) ? [] : relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// Loads a folder's analyzers and generators into a context of their own, as Roslyn's loader does:
    /// two projects may use different builds of one generator. Roslyn's own assemblies come from the
    /// host, so a generator sees the compiler it runs in.
    /// </summary>
    private sealed class AnalyzerLoader(string directory) : IAnalyzerAssemblyLoader
    {
        private readonly AssemblyLoadContext _context = new FolderLoadContext(directory);
        private readonly ConcurrentDictionary<string, Assembly> _loaded = new(StringComparer.Ordinal);

        public void AddDependencyLocation(string fullPath) { }
        public Assembly LoadFromPath(string fullPath) => _loaded.GetOrAdd(fullPath, p => _context.LoadFromAssemblyPath(p));

        private sealed class FolderLoadContext(string directory) : AssemblyLoadContext($"analyzers {directory}")
        {
            protected override Assembly? Load(AssemblyName name)
            {
                if (Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(name, a.GetName())) is { } shared) return shared;
                var candidate = Path.Combine(directory, name.Name + ".dll");
                return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
            }
        }
    }
}
