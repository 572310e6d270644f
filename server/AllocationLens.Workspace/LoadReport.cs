namespace AllocationLens.Workspace;

/// <summary>What went wrong during one load: MSBuild's diagnostics, and the projects judged ad hoc instead.</summary>
internal sealed class LoadReport(Action<string>? log)
{
    public List<string> Diagnostics { get; } = [];
    public List<ProjectFailure> Failures { get; } = [];

    public void Fail(string project, string? message, string? detail = null, string? projectName = null)
    {
        if (Failures.Any(f => string.Equals(f.ProjectPath, project, StringComparison.Ordinal))) return;
        var tfm = TargetFrameworkReader.Read(project, projectName);
        message ??= $"MSBuild could not load {Path.GetFileName(project)} ({detail?.Trim().TrimEnd('.')}); its files use the ad-hoc fallback judged for {tfm ?? "net10.0"}";
        Failures.Add(new ProjectFailure(project, tfm, message));
    }

    /// <summary>
    /// A project whose target needs a newer SDK than any installed gets no references from MSBuild
    /// (NETSDK1045), not an error: judged on that, every framework type would be unknown. This says which
    /// SDK is missing, and the project's files are judged ad hoc, for its own target.
    /// </summary>
    public string? MissingSdk(string project, string? projectName = null) =>
        SdkSupport.MissingSdkMessage(TargetFrameworkReader.Read(project, projectName), MsBuildRegistration.InstalledSdks, Path.GetFileName(project));

    public void Warn(string message) => Record($"Failure: {message}");

    /// <summary>Also called from Roslyn's failure handler, which may run on another thread.</summary>
    public void Record(string line)
    {
        lock (Diagnostics) Diagnostics.Add(line);
        log?.Invoke("workspace " + line);
    }
}
