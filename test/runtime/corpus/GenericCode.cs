// Runtime-verification corpus: generic code the JIT compiles specialized (a value-type argument) or
// shared (a reference-type argument, where the type comes from a run-time lookup).
using System.Collections.Generic;

namespace Corpus;

public static class GenericCodeCases
{
    // Box<int> is specialized: `box T` is a box of int, returned to the caller.
    public static object Case_BoxOfTypeParameterReturned() { return Box(Sink.Int()); static object Box<T>(T value) => value; } //@ hint("value; }", boxed)

    // Make<string> runs the shared code of every reference type: List<T> comes from a run-time lookup, and is returned.
    public static object Case_SharedGenericListReturned() { return Make<string>(); static object Make<T>() => new List<T>(); } //@ hint("new List<T>()", heap)
}
