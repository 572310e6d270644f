using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis;

/// <summary>A place in a source file: the character span plus its 0-based line/character form.</summary>
public readonly record struct SourceSpan(string Path, TextSpan Span, LinePositionSpan Lines)
{
    public int Line => Lines.Start.Line;
    public override string ToString() => $"{Path}:{Lines.Start.Line + 1}:{Lines.Start.Character + 1}";
}
