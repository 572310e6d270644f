using System.Collections.ObjectModel;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace AllocationLens.RuntimeProbe;

/// <summary>
/// Which framework members keep an object local once the JIT has inlined them, read from the JIT itself.
/// Each probe allocates one object (of <see cref="ProbeAttribute.Allocated"/>), hands it to the members it
/// names (receiver -1, or argument ordinal) and uses it only locally. The generator starts this process
/// with DOTNET_TieredCompilation=0, DOTNET_TieredPGO=0 and DOTNET_JitDisasm=Inline_* and reads the listing:
/// when the allocation helper for that method table is gone, every member named kept the object local on
/// this runtime (inlined, nothing escapes); when it is kept, none of them is claimed. On .NET 8, which
/// stack-allocates nothing, every probe keeps its helper. A second process measures the same probes in
/// steady state (<see cref="MeasureSteadyState"/>): Dynamic PGO inlines more than the unprofiled JIT.
/// </summary>
internal static class InliningProbes
{
    /// <summary>Compiles every probe (the listing is read by the generator) and writes one `probe` line each.</summary>
    public static IEnumerable<string> Run()
    {
        foreach (var (method, probe) in Probes())
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle);
            yield return $"probe\t{method.Name}\t{probe.Allocated.TypeHandle.Value.ToInt64()}\t{string.Join(" ", probe.Members)}";
        }
    }

    /// <summary>
    /// Steady state, the way the runtime tier measures (tiering and Dynamic PGO on, this process started
    /// without any DOTNET_ setting): each probe is called through a raw function pointer (so no guarded
    /// devirtualization inlines it into the loop) in rounds with pauses until the JIT is quiescent, then
    /// its bytes per call are measured. Writes one `steady` line per probe.
    /// </summary>
    public static unsafe List<string> MeasureSteadyState()
    {
        var probes = Probes().Select(p => (p.Method.Name, Pointer: p.Method.MethodHandle.GetFunctionPointer())).ToList();
        long compiled = -1;
        for (int round = 0, quiet = 0; round < 40 && quiet < 3; round++)
        {
            foreach (var (_, pointer) in probes)
            {
                var call = (delegate*<int>)pointer;
                for (int i = 0; i < 100; i++) call();
            }
            Thread.Sleep(150);
            long now = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }
        var lines = new List<string>();
        foreach (var (name, pointer) in probes)
        {
            var call = (delegate*<int>)pointer;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 400; i++) call();
            lines.Add($"steady\t{name}\t{(GC.GetAllocatedBytesForCurrentThread() - before) / 400}");
        }
        return lines;
    }

    private static IEnumerable<(MethodInfo Method, ProbeAttribute Probe)> Probes() =>
        typeof(InliningProbes).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Select(m => (Method: m, Probe: m.GetCustomAttribute<ProbeAttribute>()!))
            .Where(p => p.Probe is not null)
            .OrderBy(p => p.Method.Name, StringComparer.Ordinal);

    [AttributeUsage(AttributeTargets.Method)]
    private sealed class ProbeAttribute(Type allocated, params string[] members) : Attribute
    {
        public Type Allocated { get; } = allocated;
        /// <summary>"Namespace.Type`Arity.Member:ordinal", the engine's member key (KnownFrameworkMembers.Key).</summary>
        public string[] Members { get; } = members;
    }

    private sealed class Holder { public int X; }

    private static object? s_other = new();
    private static readonly List<int> s_list = [1, 2, 3];

    [Probe(typeof(Holder), "System.Object..ctor:-1", "System.Object.GetType:-1")]
    private static int Inline_ObjectGetType() { var h = new Holder(); h.X = 1; return h.GetType() == typeof(Holder) ? h.X : 0; }

    [Probe(typeof(Holder), "System.Object.ReferenceEquals:0")]
    private static int Inline_ReferenceEqualsFirst() { var h = new Holder(); h.X = 1; return ReferenceEquals(h, s_other) ? 0 : h.X; }

    [Probe(typeof(Holder), "System.Object.ReferenceEquals:1")]
    private static int Inline_ReferenceEqualsSecond() { var h = new Holder(); h.X = 1; return ReferenceEquals(s_other, h) ? 0 : h.X; }

    [Probe(typeof(Holder), "System.Object.Equals:0")]
    private static int Inline_StaticEqualsFirst() { var h = new Holder(); h.X = 1; return Equals(h, s_other) ? 0 : h.X; }

    [Probe(typeof(Holder), "System.Object.Equals:1")]
    private static int Inline_StaticEqualsSecond() { var h = new Holder(); h.X = 1; return Equals(s_other, h) ? 0 : h.X; }

    [Probe(typeof(Queue<int>), "System.Collections.Generic.Queue`1..ctor:-1", "System.Collections.Generic.Queue`1.get_Count:-1")]
    private static int Inline_QueueCount() { var q = new Queue<int>(); return q.Count; }

    [Probe(typeof(Stack<int>), "System.Collections.Generic.Stack`1..ctor:-1", "System.Collections.Generic.Stack`1.get_Count:-1")]
    private static int Inline_StackCount() { var s = new Stack<int>(); return s.Count; }

    [Probe(typeof(CancellationTokenSource), "System.Threading.CancellationTokenSource..ctor:-1", "System.Threading.CancellationTokenSource.get_IsCancellationRequested:-1")]
    private static int Inline_CancellationTokenSource() { var c = new CancellationTokenSource(); return c.IsCancellationRequested ? 1 : 0; }

    [Probe(typeof(List<int>), "System.Collections.Generic.List`1..ctor:-1", "System.Collections.Generic.List`1.get_Count:-1", "System.Collections.Generic.List`1.get_Capacity:-1")]
    private static int Inline_ListCount() { var l = new List<int>(); return l.Count + l.Capacity; }

    [Probe(typeof(List<int>), "System.Collections.Generic.List`1..ctor:-1", "System.Collections.Generic.List`1.get_Count:-1", "System.Collections.Generic.List`1.get_Item:-1")]
    private static int Inline_ListItem() { var l = new List<int>(); return l.Count > 0 ? l[0] : 0; }

    // The enumerator's box is the object handed to its members (through IEnumerator<int>, devirtualized).
    [Probe(typeof(List<int>.Enumerator), "System.Collections.Generic.List`1+Enumerator.MoveNext:-1",
        "System.Collections.Generic.List`1+Enumerator.get_Current:-1", "System.Collections.Generic.List`1+Enumerator.Dispose:-1")]
    private static int Inline_ListEnumeratorBoxed() { IEnumerator<int> e = s_list.GetEnumerator(); int s = 0; while (e.MoveNext()) s += e.Current; e.Dispose(); return s; }

    [Probe(typeof(Dictionary<int, int>), "System.Collections.Generic.Dictionary`2..ctor:-1", "System.Collections.Generic.Dictionary`2.get_Count:-1")]
    private static int Inline_DictionaryCount() { var d = new Dictionary<int, int>(); return d.Count; }

    [Probe(typeof(HashSet<int>), "System.Collections.Generic.HashSet`1..ctor:-1", "System.Collections.Generic.HashSet`1.get_Count:-1")]
    private static int Inline_HashSetCount() { var h = new HashSet<int>(); return h.Count; }

    [Probe(typeof(StringBuilder), "System.Text.StringBuilder..ctor:-1", "System.Text.StringBuilder.get_Length:-1")]
    private static int Inline_StringBuilderLength() { var b = new StringBuilder(); return b.Length; }

    [Probe(typeof(Tuple<int>), "System.Tuple`1..ctor:-1", "System.Tuple`1.get_Item1:-1")]
    private static int Inline_Tuple1() { var t = new Tuple<int>(1); return t.Item1; }

    [Probe(typeof(Tuple<int, int>), "System.Tuple`2..ctor:-1", "System.Tuple`2.get_Item1:-1", "System.Tuple`2.get_Item2:-1")]
    private static int Inline_Tuple2() { var t = new Tuple<int, int>(1, 2); return t.Item1 + t.Item2; }

    [Probe(typeof(Tuple<int, int, int>), "System.Tuple`3..ctor:-1", "System.Tuple`3.get_Item1:-1", "System.Tuple`3.get_Item2:-1", "System.Tuple`3.get_Item3:-1")]
    private static int Inline_Tuple3() { var t = new Tuple<int, int, int>(1, 2, 3); return t.Item1 + t.Item2 + t.Item3; }

    [Probe(typeof(Tuple<int, int, int, int>), "System.Tuple`4..ctor:-1")]
    private static int Inline_Tuple4() { var t = new Tuple<int, int, int, int>(1, 2, 3, 4); return t.Item4; }

    [Probe(typeof(ReadOnlyCollection<int>), "System.Collections.ObjectModel.ReadOnlyCollection`1.get_Count:-1")]
    private static int Inline_ReadOnlyCollectionCount() { var r = s_list.AsReadOnly(); return r.Count; }

    [Probe(typeof(int[]), "System.Array.get_Length:-1")]
    private static int Inline_ArrayLength() { var a = new int[4]; a[0] = 1; return a.Length + a[0]; }

    [Probe(typeof(int[]), "System.Array.Fill:0")]
    private static int Inline_ArrayFill() { var a = new int[4]; Array.Fill(a, 1); return a[0]; }

    [Probe(typeof(int[]), "System.Span`1..ctor:0", "System.Span`1.Fill:-1", "System.Span`1.get_Item:-1", "System.Span`1.get_Length:-1")]
    private static int Inline_Span() { var a = new int[4]; var s = new Span<int>(a); s.Fill(1); return s[0] + s.Length; }

    [Probe(typeof(int[]), "System.ReadOnlySpan`1..ctor:0", "System.ReadOnlySpan`1.get_Item:-1", "System.ReadOnlySpan`1.get_Length:-1")]
    private static int Inline_ReadOnlySpan() { var a = new int[4]; a[1] = 2; var s = new ReadOnlySpan<int>(a); return s[1] + s.Length; }

#if NET9_0_OR_GREATER
    [Probe(typeof(Lock), "System.Threading.Lock..ctor:-1", "System.Threading.Lock.get_IsHeldByCurrentThread:-1")]
    private static int Inline_Lock() { var l = new Lock(); return l.IsHeldByCurrentThread ? 1 : 0; }
#endif
}
