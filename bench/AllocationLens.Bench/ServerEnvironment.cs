using System.Diagnostics;
using System.Text.Json;

namespace AllocationLens.Bench;

/// <summary>
/// Starts the published server the way the extension's client does (client/src/config.ts,
/// serverEnvironment): with the runtime settings of the server-environment.json shipped beside its dll,
/// except those already set. A benchmark that left them out would time a server no user runs.
/// </summary>
internal static class ServerEnvironment
{
    public static ProcessStartInfo ApplyTo(ProcessStartInfo start, string serverDll)
    {
        var file = Path.Combine(Path.GetDirectoryName(serverDll)!, "server-environment.json");
        if (!File.Exists(file)) return start;
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        if (!json.RootElement.TryGetProperty("variables", out var variables)) return start;
        foreach (var variable in variables.EnumerateObject())
            if (variable.Value.ValueKind == JsonValueKind.String && Environment.GetEnvironmentVariable(variable.Name) is null)
                start.Environment[variable.Name] = variable.Value.GetString();
        return start;
    }
}
