using System.Text.Json;

namespace AllocationLens.Server.CodeActions;

/// <summary>
/// The link from a budget warning to Explain: for each site a budget diagnostic lists (its related
/// information), a code action that opens the Explain panel on that site. Read from the diagnostic the
/// client sends back, so nothing is analysed again.
/// </summary>
public static class BudgetExplainActions
{
    public static IEnumerable<object> For(IEnumerable<JsonElement> diagnostics, string uri)
    {
        foreach (var diagnostic in diagnostics)
        {
            if (!(diagnostic.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String && code.GetString() == "budget")) continue;
            if (!diagnostic.TryGetProperty("relatedInformation", out var related) || related.ValueKind != JsonValueKind.Array) continue;
            foreach (var info in related.EnumerateArray())
            {
                if (!info.TryGetProperty("location", out var location) || !location.TryGetProperty("range", out var range)) continue;
                var siteUri = location.TryGetProperty("uri", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : uri;
                var start = range.GetProperty("start");
                var message = info.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                yield return new
                {
                    title = $"Explain: {(message.Length > 70 ? message[..70] + "…" : message)} (line {start.GetProperty("line").GetInt32() + 1})",
                    kind = FixRendering.QuickFixKind,
                    diagnostics = new[] { diagnostic },
                    command = new
                    {
                        title = "Explain allocation",
                        command = SiteRendering.ClientExplainCommand,
                        arguments = new object[] { siteUri, new { line = start.GetProperty("line").GetInt32(), character = start.GetProperty("character").GetInt32() } },
                    },
                };
            }
        }
    }
}
