using System;
using System.Collections.Generic;

namespace Cold;

// Matched by name: users need no package from us.
public sealed class HotPathAttribute : Attribute { public bool CountCold { get; set; } }

public static class Parser
{
    // Built once per process.
    static readonly Dictionary<string, int> Keywords = new() { ["true"] = 1, ["false"] = 0 };

    // Allocation-free on its normal path: only the throw allocates, and only when it throws.
    [HotPath]
    public static int Digit(char c)
    {
        if (c < '0' || c > '9') throw new FormatException("not a digit: " + c);
        return c - '0';
    }

    // The same shape, with a budget that counts cold sites too.
    [HotPath(CountCold = true)]
    public static int Letter(char c)
    {
        if (c < 'a' || c > 'z') throw new FormatException("not a letter: " + c);
        return c - 'a';
    }

    // Hot through .allocationlens.json, whose entry counts cold sites too.
    public static void Check(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
    }

    // On the normal path: not cold.
    public static string Describe(int n) => "n=" + n;

    public static int Keyword(string s) => Keywords.TryGetValue(s, out var v) ? v : -1;
}
