// Runtime-verification corpus: foreach enumerators, LINQ, iterators, async and collection growth.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Corpus;

public static class CollectionCases
{
    static readonly List<int> s_list = new() { 1, 2, 3 };
    static readonly int[] s_array = { 1, 2, 3 };
    static readonly Dictionary<int, int> s_dict = new() { [1] = 2 };
    static readonly IEnumerable<int> s_enumerable = new List<int> { 1, 2 };
    static readonly IList<int> s_ilist = new List<int> { 1, 2 };
    static readonly HashSet<int> s_set = new() { 1 };
    static readonly List<int> s_sized = new(64);
    static readonly IEnumerable<int> s_enumerableArray = new[] { 1, 2, 3 };
    static readonly IEnumerable<int> s_enumerableSet = new HashSet<int> { 1, 2 };

    public static int Case_ForeachList() { int s = 0; foreach (var x in s_list) s += x; return s; } //@ nohint("foreach")
    public static int Case_ForeachArray() { int s = 0; foreach (var x in s_array) s += x; return s; } //@ nohint("foreach")
    public static int Case_ForeachDictionary() { int s = 0; foreach (var kv in s_dict) s += kv.Value; return s; } //@ nohint("foreach")
    public static int Case_ForeachHashSet() { int s = 0; foreach (var x in s_set) s += x; return s; } //@ nohint("foreach")
    public static int Case_ForeachString() { int s = 0; foreach (var c in "abc") s += c; return s; } //@ nohint("foreach")
    public static int Case_ForeachSpan() { int s = 0; foreach (var x in s_array.AsSpan()) s += x; return s; } //@ nohint("foreach")
    public static int Case_ForeachIEnumerable() { int s = 0; foreach (var x in s_enumerable) s += x; return s; } //@ hint("foreach", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ForeachIList() { int s = 0; foreach (var x in s_ilist) s += x; return s; } //@ hint("foreach", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ForeachIEnumerableOverArray() { int s = 0; foreach (var x in s_enumerableArray) s += x; return s; } //@ hint("foreach", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ForeachIEnumerableOverHashSet() { int s = 0; foreach (var x in s_enumerableSet) s += x; return s; } //@ hint("foreach", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ForeachIEnumerablePolymorphic() { Sink.Flip = !Sink.Flip; IEnumerable<int> e = Sink.Flip ? s_list : s_set; int s = 0; foreach (var x in e) s += x; return s; } //@ hint("foreach", heap)
    public static int Case_ForeachIteratorMethod() { int s = 0; foreach (var x in Helpers.Range3()) s += x; return s; } //@ hint("Helpers.Range3()", heap)
    public static int Case_ForeachOverLinqResult() { int s = 0; foreach (var x in s_list.Where(v => v > 1)) s += x; return s; } //@ hint("Where(v", heap)
    public static int Case_ForIndexIList() { int s = 0; for (int i = 0; i < s_ilist.Count; i++) s += s_ilist[i]; return s; } //@ nohint("for (")
    public static int Case_LinqWhere() { return s_list.Where(x => x > 1).Count(); } //@ hint("Where(x", heap)
    public static int Case_LinqSelectToList() { return s_list.Select(x => x * 2).ToList().Count; } //@ hint("Select(x", heap)
    public static int Case_ToList() { return s_array.ToList().Count; } //@ hint("ToList().Count", heap)
    public static int Case_LinqSumOverArray() { return s_array.Sum(); } //@ nohint("Sum()")
    public static int Case_LinqCountOverList() { return s_list.Count(); } //@ nohint("Count()")
    public static int Case_LinqAnyOverList() { return s_list.Any() ? 1 : 0; } //@ nohint("Any()")
    public static int Case_LinqFirstOverList() { return s_list.First(); } //@ nohint("First()")
    public static int Case_LinqMaxOverArray() { return s_array.Max(); } //@ nohint("Max()")
    // LINQ aggregates with a predicate over a List<T> or an array: .NET 9 reads the source as a span; .NET 8
    // enumerates it through IEnumerable<T>, which boxes List<T>'s enumerator or allocates the array's. Over a
    // HashSet<T> every runtime boxes its enumerator, except that .NET 10 and 11 keep it off the heap inside Any
    // (measured 0 bytes) but not inside Count (40 bytes).
    public static int Case_LinqCountPredicateOverList() { return s_list.Count(x => x > 1); } //@ nohint("Count(x") on(net8.0: heap)
    public static int Case_LinqCountPredicateOverArray() { return s_array.Count(x => x > 1); } //@ nohint("Count(x") on(net8.0: heap)
    public static int Case_LinqAnyPredicateOverList() { return s_list.Any(x => x > 2) ? 1 : 0; } //@ nohint("Any(x") on(net8.0: heap)
    public static int Case_LinqAllPredicateOverArray() { return s_array.All(x => x > 0) ? 1 : 0; } //@ nohint("All(x") on(net8.0: heap)
    public static int Case_LinqFirstPredicateOverList() { return s_list.First(x => x > 1); } //@ nohint("First(x") on(net8.0: heap)
    public static int Case_LinqFirstOrDefaultPredicateOverArray() { return s_array.FirstOrDefault(x => x > 5); } //@ nohint("FirstOrDefault(x") on(net8.0: heap)
    public static int Case_LinqCountPredicateOverHashSet() { return s_set.Count(x => x > 1); } //@ hint("Count(x", heap)
    public static int Case_LinqAnyPredicateOverHashSet() { return s_set.Any(x => x > 5) ? 1 : 0; } //@ hint("Any(x", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_LinqOrderBy() { return s_array.OrderBy(x => -x).First(); } //@ hint("OrderBy(x", heap)
    public static int Case_IteratorCall() { var e = Helpers.Range3(); return e != null ? 1 : 0; } //@ hint("Helpers.Range3()", stack) on(net8.0: heap)
    public static int Case_AsyncCompletesSynchronously() { Helpers.NoAwaitAsync().GetAwaiter().GetResult(); return 0; } //@ hint("Helpers.NoAwaitAsync()", stack)
    public static int Case_AsyncCachedResult() { return Helpers.ReturnsSmallAsync().GetAwaiter().GetResult(); } //@ hint("Helpers.ReturnsSmallAsync()", stack)
    public static int Case_AsyncUncachedResult() { return Helpers.ReturnsLargeAsync().GetAwaiter().GetResult(); } //@ hint("Helpers.ReturnsLargeAsync()", heap)
    public static int Case_AsyncValueTaskSync() { return Helpers.ValueTaskAsync().GetAwaiter().GetResult(); } //@ hint("Helpers.ValueTaskAsync()", stack)
    public static int Case_AsyncSuspends() { return Helpers.YieldingAsync().GetAwaiter().GetResult(); } //@ hint("Helpers.YieldingAsync()", heap)
    public static int Case_ListGrowthInLoop() { var l = s_sized; l.Clear(); var m = new List<int>(); for (int i = 0; i < 8; i++) m.Add(i); return m.Count; } //@ hint("m.Add(i)", heap)
    public static int Case_ListNoGrowthWithCapacity() { var l = s_sized; l.Clear(); for (int i = 0; i < 8; i++) l.Add(i); return l.Count; } //@ nohint("l.Add(i)")
    public static int Case_ListIndexer() { return s_list[1]; } //@ nohint("s_list[1]")
    public static int Case_DictionaryTryGetValue() { return s_dict.TryGetValue(1, out var v) ? v : 0; } //@ nohint("TryGetValue")
    public static int Case_ListContains() { return s_list.Contains(2) ? 1 : 0; } //@ nohint("Contains")
    public static int Case_ArrayIndexOf() { return Array.IndexOf(s_array, 2); } //@ nohint("IndexOf")
}
