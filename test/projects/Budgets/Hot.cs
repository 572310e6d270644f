using System;
using System.Collections.Generic;

namespace Shop;

// Matched by name: users need no package from us.
public sealed class HotPathAttribute : Attribute { public int MaxSites { get; set; } public int MaxBytes { get; set; } }
public sealed class NoAllocationAttribute : Attribute { }

public class Orders
{
    private object? _last;

    [HotPath]
    public int Total(int[] prices) { var list = new List<int>(prices); _last = list; return list.Count; }

    // Within its budget (one site allowed), but the site is a box: `--fail-on boxed` still fails.
    [HotPath(MaxSites = 1)]
    public object One(int x) => x;

    [NoAllocation]
    public int Clean(int x) { var span = (stackalloc int[4]); span[0] = x; return span[0]; }

    public int Cold() { _last = new object(); return 1; }

    // Hot through .allocationlens.json.
    public int Configured(int x) { _last = new int[x]; return x; }
}
