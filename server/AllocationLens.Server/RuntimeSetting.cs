using System.Text.Json;
using AllocationLens.Workspace;

namespace AllocationLens.Server;

/// <summary>
/// `allocationLens.runtime`: the runtime (or runtimes) that run code no app of the workspace runs, a
/// library nobody references or a file on its own ("10.0", "8", "framework"; empty: the newest runtime
/// installed). Read from the initialization options (`runtime`) and on workspace/didChangeConfiguration;
/// a change re-judges every hint without loading the projects again.
/// </summary>
public sealed partial class LanguageServer
{
    private string _runtimeSettingText = "";

    private void ReadRuntimeSetting(JsonElement options)
    {
        if (options.ValueKind != JsonValueKind.Object) return;
        JsonElement? value = options.TryGetProperty("runtime", out var flat) ? flat : null;
        var section = options.TryGetProperty("settings", out var settings) ? settings : options;
        if (section.ValueKind == JsonValueKind.Object && section.TryGetProperty("allocationLens", out var lens) && lens.ValueKind == JsonValueKind.Object
            && lens.TryGetProperty("runtime", out var nested))
            value = nested;
        if (value is not { } v) return;
        var values = v.ValueKind switch
        {
            JsonValueKind.String => (v.GetString() ?? "").Split(',', ';', ' ').ToList(),
            JsonValueKind.Array => v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString() ?? "").ToList(),
            _ => [],
        };
        var text = string.Join(",", values.Select(x => x.Trim()).Where(x => x.Length > 0));
        if (text == _runtimeSettingText) return;
        _runtimeSettingText = text;
        var choice = RuntimeChoice.Parse(values, $"allocationLens.runtime is {text}", out var error);
        if (error is not null) _log.Warning($"allocationLens.runtime: {error}; judging for {choice.Newest.DisplayName} where it applies ({choice.Source})");
        _host.RuntimeChoice = choice;
        _log.Info($"Code no app of the workspace runs is judged for {string.Join(", ", choice.Runtimes.Select(r => r.DisplayName))} ({choice.Source}).");
    }

    /// <summary>A changed runtime setting changes verdicts everywhere: hints and code lenses are asked again.</summary>
    private void OnRuntimeSettingChanged(JsonElement? parameters)
    {
        var before = _runtimeSettingText;
        if (parameters is { } p) ReadRuntimeSetting(p);
        if (before == _runtimeSettingText) return;
        _ = RefreshHintsAsync();
    }
}
