using System;
using System.Collections.Generic;

namespace Cold;

// Matched by name: users need no package from us.
public sealed class HotPathAttribute : Attribute { }

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

    public static int Keyword(string s) => Keywords.TryGetValue(s, out var v) ? v : -1;
}
