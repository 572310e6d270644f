// Cases for the differential harness (HarnessTests), judged by the real JIT: each class of wrong verdict
// the harness found on real libraries, written from the C# and JIT semantics. Class 1: delegates in a
// static constructor and in static initializers are never cached (the compiler emits a `newobj` there).
using System;
using System.Runtime.CompilerServices;

namespace HarnessNet10;

public static class StaticConstructors
{
    static Func<int>? s_lambda;
    static Func<int>? s_group;
    static Func<int> s_initialized = () => 2;
    static Func<int> Initialized { get; } = () => 3;
    static int Seven() => 7;

    static StaticConstructors()
    {
        s_lambda = () => 1;
        s_group = Seven;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Sum() => s_lambda!() + s_group!() + s_initialized() + Initialized();

    public static int Cached() { s_lambda = () => 5; return s_lambda(); }
}
