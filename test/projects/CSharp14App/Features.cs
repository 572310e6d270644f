using System.Collections.Generic;
using System;

namespace CSharp14;

public sealed class Holder
{
    public object? Last;
}

public sealed class Pair
{
    public int A, B;
    public Pair(int a, int b) { A = a; B = b; }
}

public sealed class Cache
{
    // The `field` keyword: the list is stored into the compiler's backing field.
    public List<int> Items => field ??= new List<int>();

    public List<int> Copy { get; set => field = new List<int>(value); }
}

public static class HolderExtensions
{
    // An extension block: its members are static methods taking the receiver.
    extension(Holder holder)
    {
        public void Remember() => holder.Last = new object();

        public int SumOf(int a, int b)
        {
            var pair = new Pair(a, b);
            return pair.A + pair.B;
        }
    }

    extension(int n)
    {
        public object AsObject => n;
    }
}

public sealed class Tally
{
    private object? _last;
    public int Count;

    // A user-defined compound assignment operator (instance, void-returning).
    public void operator +=(int value)
    {
        Count += value;
        _last = value;
    }
}

public static class Uses
{
    // Null-conditional assignment: the right side runs only when holder is not null.
    public static void Store(Holder? holder) => holder?.Last = new Pair(1, 2);

    public static int Add(Tally tally, int n)
    {
        tally += n;
        return tally.Count;
    }

    // Implicit span conversion: the array converts to ReadOnlySpan<int> for MemoryExtensions.Contains
    // (C# 13 bound this call to Enumerable.Contains).
    public static int CountHits(int[] values, int a, int b)
    {
        int hits = 0;
        foreach (var v in values)
            if (new[] { a, b }.Contains(v)) hits++;
        return hits;
    }
}
