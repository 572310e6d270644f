using System.Collections.Immutable;
using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Workspace;

/// <summary>Why a project is judged for its primary runtime, strongest first.</summary>
public enum RuntimeOrigin
{
    /// <summary>The project is an app (Exe, test project): its own target's runtime runs it.</summary>
    App,
    /// <summary>A library that apps of the workspace reference, directly or through other projects.</summary>
    ReferencingApp,
    /// <summary>A library no app references: the user's choice, else the newest runtime installed.</summary>
    Chosen,
    /// <summary>A target of a multi-targeted library that the runtimes above do not load: the runtime that would.</summary>
    OwnTarget,
}

/// <summary>
/// The runtimes one project (one target framework of it) runs on: the primary one, which hints are
/// judged for, and the others in play, which hovers and reports list when their verdicts differ.
/// Each runtime carries its reason.
/// </summary>
public sealed record JudgedRuntimes(TargetRuntime Primary, ImmutableArray<TargetRuntime> Others, RuntimeOrigin Origin)
{
    public IEnumerable<TargetRuntime> All => Others.Prepend(Primary);
}

/// <summary>
/// Which runtime's JIT runs each project. A target framework says what code compiles against; the JIT
/// that decides heap or stack belongs to the process that runs it:
/// <list type="bullet">
/// <item>an app (Exe, test project) runs on its target's runtime, or another one when RollForward or
/// RuntimeFrameworkVersion says so;</item>
/// <item>a library runs on the runtimes of the apps of the workspace that reference it, directly or
/// transitively (MSBuild has already picked, for each app, the target of a multi-targeted library it loads);</item>
/// <item>a library no app references runs on the runtimes the user chose, else on the newest one installed:
/// each such runtime loads the nearest target it can (net10.0 before net8.0 before netstandard2.0);</item>
/// <item>a target none of those load (the net8.0 build of a net8.0;net10.0 library judged for .NET 10) is
/// judged for the runtime that would load it: netX.0 for .NET X, net4x for .NET Framework, a netstandard
/// build for the runtimes no other target serves (RuntimeOfUnloadedTarget); and the netX.0 build a chosen
/// runtime loads keeps .NET X in play too, since apps on .NET X load it.</item>
/// </list>
/// Pure: the solution, each project's target, the choice and the installed versions in; no MSBuild.
/// </summary>
public static class ProjectRuntimes
{
    public static IReadOnlyDictionary<ProjectId, JudgedRuntimes> Resolve(Solution solution, Func<ProjectId, string> targetOf, RuntimeChoice choice, IReadOnlyList<Version> installed)
    {
        var projects = solution.Projects.ToList();
        var declaresApp = new Dictionary<string, bool>(StringComparer.Ordinal);
        bool IsApp(Project p)
        {
            if (TargetRuntime.Parse(targetOf(p.Id)).Moniker.StartsWith("netstandard", StringComparison.OrdinalIgnoreCase)) return false;
            if (p.CompilationOptions?.OutputKind is OutputKind.ConsoleApplication or OutputKind.WindowsApplication or OutputKind.WindowsRuntimeApplication) return true;
            if (p.FilePath is not { } file) return false;
            if (!declaresApp.TryGetValue(file, out var declared)) declaresApp[file] = declared = ProjectFileProperties.DeclaresApp(file);
            return declared;
        }

        var inPlay = projects.ToDictionary(p => p.Id, _ => new List<(TargetRuntime Runtime, RuntimeOrigin Origin)>());

        // Apps first: their own runtime, then every project they reach through project references.
        foreach (var app in projects.Where(IsApp).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var own = RuntimeOfApp(targetOf(app.Id), app.FilePath, DisplayName(app), installed);
            inPlay[app.Id].Add((own, RuntimeOrigin.App));
            foreach (var (reached, via) in Reachable(solution, app.Id))
            {
                string through = via is null ? "" : $" through `{DisplayName(solution.GetProject(via)!)}`";
                inPlay[reached].Add((own.Because($"the runtime of `{DisplayName(app)}`, which references this library{through}"), RuntimeOrigin.ReferencingApp));
            }
        }

        // Libraries no app reaches: per project file, the chosen runtimes load their nearest target; the
        // other targets get the runtime that would load them.
        foreach (var file in projects.Where(p => inPlay[p.Id].Count == 0).GroupBy(p => p.FilePath ?? p.Id.ToString(), StringComparer.Ordinal))
        {
            var targets = projects.Where(p => (p.FilePath ?? p.Id.ToString()) == file.Key).ToList();
            bool anyReached = targets.Any(t => inPlay[t.Id].Count > 0);
            if (!anyReached)
            {
                foreach (var runtime in choice.Runtimes)
                {
                    if (Pick(runtime, targets.Select(t => targetOf(t.Id))) is not { } tfm) continue;
                    var picked = targets.First(t => targetOf(t.Id) == tfm).Id;
                    inPlay[picked].Add((runtime.Because($"no app in the workspace references this library; {choice.Source}"), RuntimeOrigin.Chosen));
                }
            }
            var siblings = targets.Select(t => targetOf(t.Id)).ToList();
            foreach (var target in targets.Where(t => inPlay[t.Id].Count == 0))
                inPlay[target.Id].Add((RuntimeOfUnloadedTarget(targetOf(target.Id), siblings, choice), RuntimeOrigin.OwnTarget));
            // In a multi-targeted library, the netX.0 build the chosen runtime loads is also what apps on
            // .NET X load: its author's users on that runtime get those verdicts, listed where they differ.
            foreach (var target in siblings.Count > 1 ? targets : [])
            {
                var own = TargetRuntime.Parse(targetOf(target.Id));
                if (own.IsCore && own.Major >= 5 && inPlay[target.Id].All(r => r.Origin == RuntimeOrigin.Chosen) && inPlay[target.Id].All(r => r.Runtime.Major != own.Major))
                    inPlay[target.Id].Add((TargetRuntime.DotNet(own.Major).Because($"the {targetOf(target.Id)} build, which apps on .NET {own.Major} load"), RuntimeOrigin.OwnTarget));
            }
        }

        var result = new Dictionary<ProjectId, JudgedRuntimes>();
        foreach (var project in projects)
        {
            var list = inPlay[project.Id];
            // An app is judged for its own runtime; a library for the newest runtime that runs it.
            var primary = list.FirstOrDefault(r => r.Origin == RuntimeOrigin.App) is { Runtime: not null } own
                ? own
                : list.OrderByDescending(r => r.Runtime.IsCore).ThenByDescending(r => r.Runtime.Major).First();
            var others = list.Where(r => r.Runtime.Moniker != primary.Runtime.Moniker)
                .GroupBy(r => r.Runtime.Moniker).Select(g => g.First().Runtime)
                .OrderByDescending(r => r.IsCore).ThenByDescending(r => r.Major).ToImmutableArray();
            result[project.Id] = new JudgedRuntimes(primary.Runtime, others, primary.Origin);
        }
        return result;
    }

    /// <summary>
    /// The runtime of a project judged without the workspace (a project MSBuild could not load, a file
    /// before the load): an app's own, else the chosen runtime when it can load the target, else the
    /// target's own.
    /// </summary>
    public static TargetRuntime ForProjectFile(string? projectPath, string? targetFramework, RuntimeChoice choice, IReadOnlyList<Version> installed)
    {
        var tfm = targetFramework ?? "net10.0";
        var name = projectPath is null ? "the project" : Path.GetFileNameWithoutExtension(projectPath);
        if (projectPath is not null && ProjectFileProperties.DeclaresApp(projectPath) && !tfm.StartsWith("netstandard", StringComparison.OrdinalIgnoreCase))
            return RuntimeOfApp(tfm, projectPath, name, installed);
        return ForLibrary(tfm, choice, projectPath is null ? "a file on its own" : "no app in the workspace references this library");
    }

    /// <summary>A library (or loose files) compiled for <paramref name="targetFramework"/> that nothing in the workspace runs.</summary>
    public static TargetRuntime ForLibrary(string targetFramework, RuntimeChoice choice, string situation)
    {
        foreach (var runtime in choice.Runtimes)
            if (Pick(runtime, [targetFramework]) is not null)
                return runtime.Because($"{situation}; {choice.Source}");
        return RuntimeOfUnloadedTarget(targetFramework, [targetFramework], choice);
    }

    /// <summary>
    /// Files no project owns: compiled against the framework at hand, so only the runtime matters. No
    /// target named: the chosen runtime; a target named (`--target`): the chosen runtime that loads it.
    /// </summary>
    public static TargetRuntime ForLooseFiles(string? targetFramework, RuntimeChoice choice, string situation) =>
        targetFramework is null ? choice.Newest.Because($"{situation}; {choice.Source}") : ForLibrary(targetFramework, choice, situation);

    /// <summary>Of several projects of one file (its targets), the one whose primary runtime hints are judged for.</summary>
    public static ProjectId? PrimaryOf(IEnumerable<ProjectId> ids, IReadOnlyDictionary<ProjectId, JudgedRuntimes> runtimes) =>
        ids.Where(runtimes.ContainsKey)
            .OrderBy(id => runtimes[id].Origin)
            .ThenByDescending(id => runtimes[id].Primary.IsCore)
            .ThenByDescending(id => runtimes[id].Primary.Major)
            .Cast<ProjectId?>().FirstOrDefault();

    /// <summary>An app's runtime: its target's, unless RuntimeFrameworkVersion or RollForward picks another.</summary>
    public static TargetRuntime RuntimeOfApp(string targetFramework, string? projectPath, string name, IReadOnlyList<Version> installed)
    {
        var target = TargetRuntime.Parse(targetFramework);
        if (!target.IsCore) return TargetRuntime.Framework.Because($"`{name}` is a .NET Framework app ({targetFramework})");
        int major = target.Major;
        if (ProjectFileProperties.Read(projectPath, "RuntimeFrameworkVersion") is { } pinned && Version.TryParse(pinned.Split('-')[0], out var pinnedVersion) && pinnedVersion.Major >= major)
            return TargetRuntime.DotNet(pinnedVersion.Major).Because($"the runtime of `{name}`, which pins RuntimeFrameworkVersion {pinned}");
        var rollForward = ProjectFileProperties.Read(projectPath, "RollForward");
        var newer = installed.Where(v => v.Major >= major).OrderBy(v => v).ToList();
        if (string.Equals(rollForward, "LatestMajor", StringComparison.OrdinalIgnoreCase) && newer.Count > 0 && newer[^1].Major > major)
            return TargetRuntime.DotNet(newer[^1].Major).Because($"the runtime of `{name}`: it targets {targetFramework} with RollForward LatestMajor, so it runs on the newest runtime installed ({newer[^1]})");
        if (string.Equals(rollForward, "Major", StringComparison.OrdinalIgnoreCase) && newer.Count > 0 && newer[0].Major > major)
            return TargetRuntime.DotNet(newer[0].Major).Because($"the runtime of `{name}`: it targets {targetFramework} with RollForward Major, and .NET {major} is not installed ({newer[0]} is)");
        return TargetRuntime.DotNet(major).Because($"the runtime of `{name}`, an app targeting {targetFramework}");
    }

    /// <summary>
    /// The runtime that loads a target nothing else loads, given the project's other targets (NuGet gives
    /// each app the nearest target it can run): netX.0 runs on .NET X; net4x on .NET Framework; a
    /// netstandard build is what is left to the runtimes no other target serves: .NET Framework for
    /// netstandard2.0 when no net4x target exists, else the .NET (Core) versions older than the oldest
    /// .NET target (netstandard2.1 never runs on .NET Framework); with nothing older to serve, the chosen runtime.
    /// </summary>
    private static TargetRuntime RuntimeOfUnloadedTarget(string targetFramework, IReadOnlyList<string> siblings, RuntimeChoice choice)
    {
        var target = TargetRuntime.Parse(targetFramework);
        if (target.IsCore) return TargetRuntime.DotNet(target.Major).Because($"the {targetFramework} build, which apps on .NET {target.Major} load");
        if (!IsStandard(targetFramework)) return TargetRuntime.Framework.Because($"the {targetFramework} build, which only .NET Framework apps load");
        bool standard21 = targetFramework.StartsWith("netstandard2.1", StringComparison.OrdinalIgnoreCase);
        bool hasFramework = siblings.Any(t => !IsStandard(t) && !TargetRuntime.Parse(t).IsCore);
        int? oldestCore = siblings.Select(t => TargetRuntime.Parse(t)).Where(t => t.IsCore).Select(t => (int?)t.Major).Min();
        if (!standard21 && !hasFramework && oldestCore is not null)
            return TargetRuntime.Framework.Because($"the {targetFramework} build, which .NET Framework apps load (.NET {oldestCore} and newer load a .NET target)");
        // .NET Core 3.0 and newer prefer netstandard2.1 to netstandard2.0: with both, 2.0 serves .NET Core 2.x only.
        bool standard21Sibling = !standard21 && siblings.Any(t => t.StartsWith("netstandard2.1", StringComparison.OrdinalIgnoreCase));
        if (standard21Sibling && oldestCore is > 2)
            return TargetRuntime.DotNet(2).Because($"the {targetFramework} build, which apps on .NET Core 2.x load (newer ones load the netstandard2.1 or a .NET target{(hasFramework ? ", .NET Framework apps a net4x one" : "")})");
        if (oldestCore is int oldest && oldest > 3)
        {
            int below = oldest - 1;
            string from = standard21 ? ".NET Core 3.0" : ".NET Core 2.0";
            return TargetRuntime.DotNet(below).Because($"the {targetFramework} build, which apps on {from} to {TargetRuntime.DotNet(below).DisplayName} load (newer ones load a .NET target{(hasFramework && !standard21 ? ", .NET Framework apps a net4x one" : "")})");
        }
        return choice.Newest.Because($"a {targetFramework} library; {choice.Source}");
    }

    /// <summary>The target a runtime loads from a multi-targeted library: the nearest one it can run (NuGet's rule), or null.</summary>
    private static string? Pick(TargetRuntime runtime, IEnumerable<string> targets)
    {
        var list = targets.Select(t => (Tfm: t, Parsed: TargetRuntime.Parse(t))).ToList();
        var nearest = runtime.IsCore
            ? list.Where(t => t.Parsed.IsCore && t.Parsed.Major <= runtime.Major).OrderByDescending(t => t.Parsed.Major).Select(t => t.Tfm).FirstOrDefault()
            : list.Where(t => !t.Parsed.IsCore && !IsStandard(t.Tfm)).OrderByDescending(t => t.Tfm, StringComparer.Ordinal).Select(t => t.Tfm).FirstOrDefault();
        return nearest ?? list.Where(t => IsStandard(t.Tfm)).OrderByDescending(t => t.Tfm, StringComparer.Ordinal).Select(t => t.Tfm).FirstOrDefault();
    }

    private static bool IsStandard(string tfm) => tfm.StartsWith("netstandard", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every project an app reaches through project references, with the project that referenced it (null: the app itself).</summary>
    private static IEnumerable<(ProjectId Reached, ProjectId? Via)> Reachable(Solution solution, ProjectId app)
    {
        var seen = new HashSet<ProjectId> { app };
        var queue = new Queue<(ProjectId Id, ProjectId? Via)>();
        foreach (var reference in solution.GetProject(app)!.ProjectReferences) queue.Enqueue((reference.ProjectId, null));
        while (queue.Count > 0)
        {
            var (id, via) = queue.Dequeue();
            if (!seen.Add(id) || solution.GetProject(id) is not { } project) continue;
            yield return (id, via);
            foreach (var reference in project.ProjectReferences) queue.Enqueue((reference.ProjectId, via ?? id));
        }
    }

    /// <summary>A project's name as users know it: "Lib", not MSBuildWorkspace's "Lib(net8.0)".</summary>
    public static string DisplayName(Project project)
    {
        if (project.FilePath is { } file) return Path.GetFileNameWithoutExtension(file);
        int paren = project.Name.IndexOf('(');
        return paren > 0 ? project.Name[..paren] : project.Name;
    }
}
