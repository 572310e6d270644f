using System.Reflection.PortableExecutable;

namespace AllocationLens.Bench;

/// <summary>Whether an assembly carries ReadyToRun native code (so a cold start does not JIT it).</summary>
public static class ReadyToRun
{
    public static bool IsReadyToRun(string assemblyPath)
    {
        using var reader = new PEReader(File.OpenRead(assemblyPath));
        return reader.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }
}
