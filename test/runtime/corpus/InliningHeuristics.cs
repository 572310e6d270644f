// Runtime-verification corpus: the JIT's discretionary inlining of small constructors and methods.
// Shapes found on real libraries (Markdig's AlertBlockRenderer, FluentValidation's PropertyChain): a
// callee over the always-inline size whose body is not "mostly loads and stores" (a branch, a delegate
// cache, a call beyond the base constructor). Without a profile (Verify with JIT's settings) .NET 10
// does not inline them and the object escapes as `this`; in steady state, with Dynamic PGO, .NET 10
// and 11 inline them and allocate nothing, while .NET 9 still allocates for some. These labels are the
// steady state (measured), which is what the engine judges.
using System;
using System.Collections.Generic;

namespace Corpus;

public sealed class CopiesStaticDelegate
{
    static readonly Action<string> s_default = static k => { };
    public CopiesStaticDelegate() { Callback = s_default; }
    public Action<string>? Callback { get; set; }
}

public sealed class CachesMethodGroup
{
    public CachesMethodGroup() { Callback = Default; }
    public Action<string>? Callback { get; set; }
    public static void Default(string k) { }
}

public sealed class CachesLazily
{
    static Action<string>? s_cache;
    public CachesLazily() { Callback = s_cache ??= Default; }
    public Action<string>? Callback { get; set; }
    public static void Default(string k) { }
}

public sealed class PicksFallback
{
    static Action<string>? s_cache;
    static readonly Action<string> s_fallback = static k => { };
    public PicksFallback() { Callback = s_cache ?? s_fallback; }
    public Action<string>? Callback { get; set; }
}

public sealed class StoresTwoArguments
{
    readonly int _a;
    readonly string _b;
    readonly object? _c;
    public StoresTwoArguments(int a, string b) { _a = a; _b = b; _c = null; }
    public int A => _a;
}

public sealed class Tally
{
    int _count;
    public Tally() { }
    public Tally(Tally parent)
    {
        if (parent != null && parent._count > 0) _count = parent._count + Sink.Int();
    }
    public Tally(int start) { _count = Sink.Int() + start; Sink.Keep(null); }
    public int Count => _count;
    public void Add(string name)
    {
        if (!string.IsNullOrEmpty(name)) _count++;
    }
    public string Describe()
    {
        switch (_count)
        {
            case 0: return string.Empty;
            case 1: return "one";
            default: return Sink.Str();
        }
    }
}

public static class InliningHeuristicsCases
{
    static readonly Tally s_tally = new();

    public static int Case_CtorCopiesStaticDelegate() { var o = new CopiesStaticDelegate(); o.Callback = null; return 0; } //@ hint("new CopiesStaticDelegate", stack) on(net8.0: heap)
    public static int Case_CtorCachesMethodGroup() { var o = new CachesMethodGroup(); o.Callback = null; return 0; } //@ hint("new CachesMethodGroup", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CtorCachesLazily() { var o = new CachesLazily(); o.Callback = null; return 0; } //@ hint("new CachesLazily", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CtorPicksFallback() { var o = new PicksFallback(); o.Callback = null; return 0; } //@ hint("new PicksFallback", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CtorStoresArguments() { var o = new StoresTwoArguments(Sink.Int(), "b"); return o.A; } //@ hint("new StoresTwoArguments", stack) on(net8.0: heap)
    public static int Case_SmallMethodWithBranch() { var t = new Tally(); t.Add("a"); return t.Count; } //@ hint("new Tally", stack) on(net8.0: heap)
    public static int Case_MethodWithTwoCaseSwitch() { var t = new Tally(); return t.Describe().Length; } //@ hint("new Tally", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CtorWithBranchOnArgument() { var t = new Tally(s_tally); return t.Count; } //@ hint("new Tally", stack) on(net8.0: heap)
    public static int Case_CtorWithTwoCalls() { var t = new Tally(Sink.Int()); return t.Count; } //@ hint("new Tally", stack) on(net8.0: heap)
}
