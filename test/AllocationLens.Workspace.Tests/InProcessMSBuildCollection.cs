using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// Tests that run MSBuild inside the test process run alone: MSBuild's in-process node makes a
/// project's folder the process's current directory while it builds, and other tests in this process
/// start build hosts and delete temporary folders meanwhile. (`analyze` never overlaps the two: it
/// falls back to MSBuildWorkspace only after the in-process load has ended.)
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessMSBuildCollection
{
    public const string Name = "MSBuild in the test process";
}
