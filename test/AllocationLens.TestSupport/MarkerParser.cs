using System.Text.RegularExpressions;

namespace AllocationLens.TestSupport;

/// <summary>Parses the marker language used by fixtures and the runtime corpus.</summary>
public static partial class MarkerParser
{
    // hint("locator", kind) | nohint("locator") | hover("locator", re"regex") | calls("locator", re"regex") | param("locator", re"regex")
    // A `re"..."` expectation runs to its closing quote, so a regular expression may hold parentheses.
    [GeneratedRegex("""(?<verb>hint|nohint|hover|calls|param)\(\s*"(?<loc>(?:[^"\\]|\\.)*)"\s*(?:,\s*(?:(?<re>re)"(?<exp>(?:[^"\\]|\\.)*)"|"?(?<exp>(?:[^"\\]|\\.)*?)"?)\s*)?\)""")]
    private static partial Regex MarkerCall();

    public static IReadOnlyList<Marker> Parse(string path, string text)
    {
        var markers = new List<Marker>();
        var lineStarts = LineStarts(text);
        for (int line = 0; line < lineStarts.Count; line++)
        {
            int start = lineStarts[line];
            int end = line + 1 < lineStarts.Count ? lineStarts[line + 1] : text.Length;
            var lineText = text.AsSpan(start, end - start).ToString();
            int at = lineText.IndexOf("//@", StringComparison.Ordinal);
            if (at < 0) continue;
            foreach (Match m in MarkerCall().Matches(lineText, at))
            {
                var verb = m.Groups["verb"].Value switch
                {
                    "hint" => MarkerVerb.Hint,
                    "nohint" => MarkerVerb.NoHint,
                    "calls" => MarkerVerb.Calls,
                    "param" => MarkerVerb.Param,
                    _ => MarkerVerb.Hover,
                };
                var locator = Regex.Unescape(m.Groups["loc"].Value);
                string? expected = m.Groups["exp"].Success && m.Groups["exp"].Length > 0 ? m.Groups["exp"].Value : null;
                // A hover expectation is a regular expression: keep its escapes, except for quotes.
                if (verb is MarkerVerb.Hover or MarkerVerb.Calls or MarkerVerb.Param && expected is not null) expected = expected.Replace("\\\"", "\"");
                // The locator is searched from the start of the marker's line, skipping the marker comment itself.
                int position = IndexOutsideMarkers(text, locator, start);
                if (position < 0)
                    throw new FormatException($"{path}:{line + 1}: locator \"{locator}\" not found at or after this line");
                markers.Add(new Marker(verb, locator, expected, path, line, position));
            }
        }
        return markers;
    }

    private static int IndexOutsideMarkers(string text, string locator, int from)
    {
        int i = from;
        while (true)
        {
            i = text.IndexOf(locator, i, StringComparison.Ordinal);
            if (i < 0) return -1;
            int lineStart = text.LastIndexOf('\n', Math.Max(0, i - 1)) + 1;
            int marker = text.IndexOf("//@", lineStart, StringComparison.Ordinal);
            bool insideMarker = marker >= 0 && marker <= i && text.IndexOf('\n', lineStart) is var nl && (nl < 0 || marker < nl);
            if (!insideMarker) return i;
            i += locator.Length;
        }
    }

    public static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
            if (text[i] == '\n') starts.Add(i + 1);
        return starts;
    }
}
