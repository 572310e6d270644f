namespace AllocationLens.TestSupport;

/// <summary>
/// Random edit sequences as an editor sends them: inserts, deletes, pastes of C# fragments, and undo
/// (the client sends an earlier text back as a replacement of the whole range). Shared by the CI fuzz
/// test and the 10,000-edit benchmark run; the caller applies each edit to the server and compares.
/// </summary>
public sealed class EditFuzzer(int seed, string initialText)
{
    private static readonly string[] Fragments =
    [
        "new Point(1, 2)", "object o = 42;", "\n", "{", "}", "(", ")", "\"str\" + x", "$\"{a}\"", "() => k", "😀", "é", "\r\n",
        "static int M() { var p = new Point(1, 2); return p.X; }\n", "for (int i = 0; i < 3; i++) { }", "//", "/*", "*/", "   ",
    ];

    private readonly Random _random = new(seed);
    private readonly List<string> _history = new();

    /// <summary>The text after every edit handed out so far: what the server's copy must equal.</summary>
    public string Reference { get; private set; } = initialText;

    /// <summary>The next edit as an LSP range (0-based line/character, UTF-16) and its new text.</summary>
    public (int StartLine, int StartCharacter, int EndLine, int EndCharacter, string Text) Next()
    {
        var before = Reference;
        int start, end;
        string text;
        if (_history.Count > 0 && _random.Next(10) == 0)
        {
            text = _history[^1];
            _history.RemoveAt(_history.Count - 1);
            (start, end) = (0, before.Length);
        }
        else
        {
            start = _random.Next(before.Length + 1);
            int length = _random.Next(3) == 0 ? Math.Min(_random.Next(40), before.Length - start) : 0;
            // Never split a surrogate pair or a CRLF: clients edit whole code points, and an offset between
            // \r and \n has no line/character form.
            if (start > 0 && start < before.Length && char.IsLowSurrogate(before[start])) start--;
            if (start + length < before.Length && length > 0 && char.IsLowSurrogate(before[start + length])) length++;
            if (start > 0 && start < before.Length && before[start - 1] == '\r' && before[start] == '\n') start--;
            if (start + length > 0 && start + length < before.Length && before[start + length - 1] == '\r' && before[start + length] == '\n') length++;
            end = start + length;
            text = _random.Next(4) == 0 ? "" : Fragments[_random.Next(Fragments.Length)];
            _history.Add(before);
        }
        var (sl, sc) = Position(before, start);
        var (el, ec) = Position(before, end);
        Reference = before[..start] + text + before[end..];
        return (sl, sc, el, ec, text);
    }

    private static (int Line, int Character) Position(string text, int offset)
    {
        int line = 0, lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (text[i] == '\n') { line++; lineStart = i + 1; }
            else if (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')) { line++; lineStart = i + 1; }
        }
        return (line, offset - lineStart);
    }
}
