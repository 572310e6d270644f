// Generic methods with constraints no simple stand-in satisfies, never instantiated in this assembly:
// Verify must find type arguments that satisfy them (so the methods are compiled and judged), and the
// verdicts must match what the shared code allocates when a reference-type caller runs it. The test
// closes each Case_* over reference types that satisfy the same constraints and measures it. Not compiled
// into the test assembly: Verify builds it on its own.
using System;
using System.Collections.Generic;

namespace Constrained;

public sealed class Pair
{
    public int X, Y;
    public Pair(int x, int y) { X = x; Y = y; }
}

public abstract class Bucket<TResult> { public TResult? Value; }
public interface IValidator<T> { bool Check(T value); }

public static class Holder<TProperty>
{
    static object? s_obj;

    // The method's constraint names its type's parameter.
    public static int Case_MethodConstraintNamesTypeParameter<TValidator>() where TValidator : IValidator<TProperty> { var p = new Pair(1, 2); s_obj = p; return p.X; }
}

public static class Cases
{
    static object? s_obj;

    // A base-type constraint over another parameter: no argument works while the other one is unplaced.
    public static int Case_BaseOverAnotherParameter<TResult, TBucket>() where TBucket : Bucket<TResult> { var p = new Pair(1, 2); return p.X + p.Y; }
    // Self-referential.
    public static int Case_SelfReferential<T>() where T : IComparable<T> { var p = new Pair(3, 4); s_obj = p; return p.Y; }
    // A bare type-parameter constraint, with a lookup allocation over it.
    public static int Case_BareParameter<TBase, TDerived>() where TDerived : class, TBase { var list = new List<TDerived>(); s_obj = list; return list.Count; }
}
