using Microsoft.Diagnostics.NETCore.Client;

namespace AllocationLens.Measurement;

/// <summary>
/// One process of the run, suspended before its first managed code on its default diagnostic port: an
/// EventPipe session is started, the runtime resumed, and the session's stream copied to a file until the
/// process exits (its stream then ends). A process that cannot be recorded is still resumed, so that a
/// failed session never leaves a process waiting forever.
/// </summary>
internal static class ProcessRecording
{
    public static async Task<TracedProcess?> RecordAsync(int processId, string folder, bool light, Action<string> problem, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(processId);
        var path = Path.Combine(folder, $"process-{processId}.nettrace");
        EventPipeSession? session = null;
        try
        {
            session = await client.StartEventPipeSessionAsync(light ? AllocationProviders.Light : AllocationProviders.All, requestRundown: false, circularBufferMB: 256, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            problem($"process {processId}: no EventPipe session ({ex.Message}); it runs unmeasured");
        }
        try
        {
            client.ResumeRuntime();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            problem($"process {processId}: could not be resumed ({ex.Message})");
        }
        if (session is null) return null;
        using (session)
        {
            try
            {
                await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: true);
                await session.EventStream.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Cut because the process still ran (or its stream stayed open) after the run ended: what it did
                // after the cut, and events its runtime had not yet sent, are missing from its trace.
                problem($"process {processId}: its recording was cut before its stream ended; what it did afterwards is not measured");
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The process died mid-stream (crash, kill): what was written is still a readable prefix.
                problem($"process {processId}: its trace ended early ({ex.Message})");
            }
        }
        return File.Exists(path) ? new TracedProcess(processId, path) { Light = light } : null;
    }
}
