// Runtime-verification corpus: lambdas, closures, method groups and local functions.
using System;
using System.Collections.Generic;
using System.Linq;

namespace Corpus;

public static class DelegateCases
{
    static Func<int>? s_func;
    static int s_value = 3;

    public static int Case_NonCapturingLambdaInvoked() { Func<int> f = () => 42; return f(); } //@ hint("() => 42", stack)
    public static int Case_StaticLambda() { Func<int, int> f = static x => x + 1; return f(1); } //@ hint("static x => x + 1", stack)
    public static int Case_NonCapturingLambdaStored() { s_func = () => 5; return 0; } //@ hint("() => 5", stack)
    public static int Case_NonCapturingPassed() => Helpers.Run(() => 9); //@ hint("() => 9", stack)
    public static int Case_ClosureOverLocal() { int k = Sink.Int(); Func<int> f = () => k; return f(); } //@ hint("k = Sink.Int()", heap)
    public static int Case_ClosureUnusedBranch() { int k = Sink.Int(); if (Sink.Never) { Sink.Keep((Func<int>)(() => k)); } return k; } //@ hint("k = Sink.Int()", heap)
    public static int Case_ClosureInLoopBody() { int s = 0; for (int i = 0; i < 2; i++) { int j = i; s += Helpers.Run(() => j); } return s; } //@ hint("j = i", heap)
    public static int Case_CapturingDelegatePassed() { int k = Sink.Int(); return Helpers.Run(() => k + 1); } //@ hint("k = Sink.Int()", heap)
    public static int Case_ClosureOverParameter() { return Over(Sink.Int()); static int Over(int p) => Helpers.Run(() => p + 1); } //@ hint("int p", heap)
    public static int Case_ClosureNestedScopes() { int a = Sink.Int(); int s = 0; for (int i = 0; i < 2; i++) { int b = i; s += Helpers.Run(() => a + b); } return s; } //@ hint("a = Sink.Int()", heap)
    public static int Case_ClosureStored() { int k = Sink.Int(); s_func = () => k; return 0; } //@ hint("k = Sink.Int()", heap)
    public static int Case_StaticMethodGroupCached() { Func<int> f = Helpers.Seven; return f(); } //@ hint("Helpers.Seven", stack)
    public static int Case_StaticMethodGroupPassed() => Helpers.Run(Helpers.Seven); //@ hint("Helpers.Seven", stack)
    public static int Case_InstanceMethodGroupInvokedLocally() { Func<int> f = Instance.Shared.Get; return f(); } //@ hint("Instance.Shared.Get", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_InstanceMethodGroupStored() { s_func = Instance.Shared.Get; return 0; } //@ hint("Instance.Shared.Get", heap)
    public static int Case_InstanceMethodGroupPassed() => Helpers.Run(Instance.Shared.Get); //@ hint("Instance.Shared.Get", heap)
    public static int Case_InstanceMethodGroupInLoop() { int s = 0; for (int i = 0; i < 2; i++) { Func<int> f = Instance.Shared.Get; s += f(); } return s; } //@ hint("Instance.Shared.Get", heap)
    public static int Case_LocalFunctionDirectCall() { int k = Sink.Int(); int Add(int x) => x + k; return Add(2); } //@ nohint("k = Sink.Int()")
    public static int Case_StaticLocalFunction() { static int Twice(int x) => x * 2; return Twice(Sink.Int()); } //@ nohint("Twice(Sink")
    public static int Case_LocalFunctionToDelegate() { int k = Sink.Int(); int Get() => k; return Helpers.Run(Get); } //@ hint("k = Sink.Int()", heap)
    public static int Case_StaticLocalFunctionToDelegate() { static int Get() => 11; return Helpers.Run(Get); } //@ hint("Run(Get)", stack)
    // The source is empty, so the LINQ call itself allocates nothing on any runtime (over a List<T>, .NET 8
    // boxes the list's enumerator inside Count: CollectionCases.Case_LinqCountPredicateOverList); the lambda is cached.
    public static int Case_LinqLambdaNonCapturing() { return Enumerable.Empty<int>().Count(x => x > 1); } //@ hint("x => x > 1", stack)
    public static int Case_LinqLambdaCapturingLocal() { int min = Sink.Int(); return s_list.Count(x => x > min); } //@ hint("min = Sink.Int()", heap)
    public static int Case_LambdaCapturingStaticOnly() { Func<int> f = () => s_value; return f(); } //@ hint("() => s_value", stack)
    public static int Case_ActionCached() { Action a = () => s_value++; a(); return s_value; } //@ hint("() => s_value++", stack)
    public static int Case_DelegateNewExpression() { var f = new Func<int>(Instance.Shared.Get); Sink.Keep(f); return 0; } //@ hint("new Func<int>", heap)

    static readonly List<int> s_list = new() { 1, 2, 3 };
}
