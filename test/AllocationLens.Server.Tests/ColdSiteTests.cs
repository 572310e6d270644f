using System.Text.Json.Nodes;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>Sites that are cold by construction, as the editor shows them: the hint's word, the hover, the CodeLens and the view.</summary>
public sealed class ColdSiteTests
{
    private const string Uri = "file:///tmp/al-cold/Parser.cs";

    private const string Source = """
        using System;
        using System.Collections.Generic;
        public static class Parser
        {
            static readonly Dictionary<string, int> Keywords = new() { ["true"] = 1 };
            public static object Digit(char c)
            {
                if (c < '0') throw new FormatException("not a digit: " + c);
                return new object();
            }
        }
        """;

    [Fact]
    public async Task Cold_sites_say_so_in_the_hint_the_hover_and_the_code_lens()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);

        var hints = await session.HintsAsync(Uri);
        var labels = ServerSession.Labels(hints).ToList();
        Assert.Contains(labels, l => l.Line == 4 && l.Label == "heap · once");
        Assert.Equal(2, labels.Count(l => l.Line == 7 && l.Label == "heap · cold"));
        Assert.Contains(labels, l => l.Line == 8 && l.Label == "heap");
        // The hint's data names the reason, so a client can dim or hide it without parsing the label.
        var thrown = hints.First(h => h!["position"]!["line"]!.GetValue<int>() == 7)!;
        Assert.Equal("throw", thrown["data"]!["cold"]!.GetValue<string>());

        var hover = await session.Client.RequestAsync("textDocument/hover", new { textDocument = new { uri = Uri }, position = new { line = 7, character = 30 } });
        var markdown = hover["result"]!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("*Cold*: built only to be thrown", markdown);
        Assert.Contains("allocates only when the exception is thrown", markdown);
        Assert.DoesNotContain("struct", markdown);

        var lenses = (await session.Client.RequestAsync("textDocument/codeLens", new { textDocument = new { uri = Uri } }))["result"]!.AsArray();
        var titles = lenses.Select(l => l!["command"]!["title"]!.GetValue<string>()).ToList();
        // Digit's normal path allocates one object; its two cold sites are listed apart, outside the bytes per call.
        Assert.Contains("1 heap · 24 B per call · 2 cold", titles);
    }
}
