using AllocationLens.Server;

namespace AllocationLens.Cli;

/// <summary>`allocation-lens lsp`: the language server on stdio. Only the protocol layer writes stdout.</summary>
public static class LspCommand
{
    public static async Task<int> RunAsync(string? msbuildProblem)
    {
        // Composing Roslyn's workspace services is the longest step of a cached load: start it before the editor's `initialized`.
        AllocationLens.Workspace.WorkspaceLoader.ComposeServicesEarly();
        // The first hints are judged ad hoc against the framework: its references are read and bound before the editor asks.
        _ = AllocationLens.Workspace.AdHocCompilation.StartBindingFramework();
        var log = new ServerLog();
        log.Info(Program.HostDescription(msbuildProblem));
        if (msbuildProblem is not null) log.Warning(msbuildProblem);
        var stdin = StdioStreams.Input();
        var stdout = StdioStreams.Output();
        // Anything that writes to Console.Out by mistake would corrupt the protocol: send it to stderr.
        Console.SetOut(Console.Error);
        var server = new LanguageServer(stdin, stdout, log);
        return await server.RunAsync().ConfigureAwait(false);
    }
}
