using System;
using System.Collections.Generic;

namespace VerifyNet8;

public sealed class Point { public int X; public int Y; }

public interface IUnimplemented { int Value { get; } }

public class Cases
{
    private object? _kept;

    // .NET 8 keeps it on the heap; .NET 9 and later stack-allocate it (it never escapes).
    public int LocalObject() { var p = new Point { X = 1, Y = 2 }; return p.X + p.Y; }

    // Escapes through the return value: the heap on every runtime.
    public object Escapes() => new Point();

    // Stored into a field: the heap on every runtime.
    public void Stored() { _kept = new Point(); }

    // A small local array: .NET 10 and later stack-allocate it, .NET 8 and 9 do not.
    public int LocalArray() { var a = new int[4]; a[0] = 3; return a[0] + a.Length; }

    // Iterator: the object lives in the compiler-generated MoveNext, a new virtual slot.
    public IEnumerable<object> Iterate() { yield return new Point(); }

    // A lambda's body is its own compiler-generated method.
    public Func<object> Factory() => () => new Point();

    // No type argument satisfies the constraints: this method cannot be compiled, and says why.
    public int Unpreparable<T>() where T : struct, IUnimplemented => new T().Value + new int[1].Length;
}

// A generic type's interface implementation (a new virtual slot) in shared code: T is a reference
// type here, so List<T> is allocated through a run-time lookup that no constant names.
public interface ISink<T> { object Put(T item); }

public sealed class Sink<T> : ISink<T>
{
    public object Put(T item) => new List<T> { item };
}

// A value-type instantiation this assembly uses: the JIT specializes Box<int>, where `box T` is a box of int.
public static class Boxes
{
    public static object Box<T>(T value) where T : struct => value;

    public static object UsesBox() => Box(42);
}

public static class Enums
{
    // An enum's ToString boxes inside the runtime's call: the IL holds no box instruction for the JIT to judge.
    public static string Day(DayOfWeek day) => day.ToString();
}

public static class Constrained
{
    // Only TValue is constrained, but a check covers both parameters: T can be placed only once TValue is.
    public static object Pair<T, TValue>(T owner, TValue value) where TValue : IComparable<TValue>, IComparable => new List<TValue> { value };
}
