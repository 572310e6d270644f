namespace VerifyBudgets;

public class HeavyCtor
{
    public int V;
    public HeavyCtor() { for (int i = 0; i < 10; i++) V += i * i; }
}

public sealed class Point { public int X; public int Y; }

public static class Hot
{
    // The static model says stack: the object never escapes, and .NET 10 at Tier-1 with a profile inlines
    // the constructor and stack-allocates it (measured in the runtime corpus, Case_HeavyConstructor).
    // The JIT without a profile, which Verify asks, keeps the allocation: a verified budget counts it.
    public static int Heavy() { var h = new HeavyCtor(); return h.V; }

    // Stack for both judges: allocation-free, verified.
    public static int Local() { var p = new Point { X = 1, Y = 2 }; return p.X + p.Y; }

    // Not a hot method: returned, so heap for both judges (its SARIF result carries the JIT's verdict).
    public static object Escapes() => new Point();
}
