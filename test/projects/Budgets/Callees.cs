using System;
using System.Collections.Generic;

namespace Shop.Callees;

public sealed class HotPathAttribute : Attribute { public int MaxSites { get; set; } public int MaxBytes { get; set; } }

public sealed class Item { public int Price; }

public static class Helpers
{
    private static object? s_last;
    public static void Remember(int price) { s_last = new Item { Price = price }; }
    public static int Twice(int price) => price * 2;
}

public static class Checkout
{
    // Allocates nothing itself, but the helper it calls does, on each call: over its budget.
    [HotPath]
    public static int Pay(int price) { Helpers.Remember(price); return price; }

    // Calls only a helper that allocates nothing: within its budget.
    [HotPath]
    public static int Quote(int price) => Helpers.Twice(price);
}
