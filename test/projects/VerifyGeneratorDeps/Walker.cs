using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace VerifyGeneratorDeps;

public static class Walker
{
    // Resolving this method needs Microsoft.CodeAnalysis: its parameter is a Roslyn type.
    public static List<string> Names(SyntaxNode node)
    {
        var names = new List<string>();
        foreach (var child in node.ChildNodes()) names.Add(child.GetType().Name);
        return names;
    }
}
