using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace AllocationLens.RuntimeProbe;

/// <summary>
/// Which framework calls return a new object and which a cached one, measured: bytes allocated on this
/// thread per call (GC.GetAllocatedBytesForCurrentThread over many calls, after a warm-up), with the
/// arguments given here. Keys are the engine's "Namespace.Type.Member" (generic arity omitted; Rules/AllocatingApis.cs).
/// A call that allocates nothing with an ordinary argument returns a cached result on this runtime.
/// A probe that throws here (an API the runtime lacks, or invariant globalization) writes no line.
/// </summary>
internal static class CallProbes
{
    private const int Calls = 64;

    private static readonly string s_text = "hello world";
    private static readonly string s_padded = "  hello  ";
    private static readonly string[] s_strings = ["a", "b", "c"];
    private static readonly int[] s_array = [1, 2, 3];
    private static readonly List<int> s_list = [1, 2, 3];
    private static readonly StringBuilder s_builder = new("hello");
    private static readonly Regex s_regex = new("l+");
    private static readonly ConcurrentDictionary<int, int> s_concurrent = new() { [1] = 1, [2] = 2 };
    private static readonly MethodInfo s_method = typeof(string).GetMethod(nameof(string.Substring), [typeof(int), typeof(int)])!;
    private static readonly Assembly s_assembly = typeof(LinkedList<>).Assembly; // a framework assembly: the same in Debug and Release probes
    private static readonly byte[] s_bytes = [104, 105];
    private static readonly string s_base64 = Convert.ToBase64String([1, 2, 3, 4]);
    private static readonly char s_char = 'x';
    private static readonly char s_wideChar = '\u0416';

    private static readonly (string Key, Func<object?> Call)[] Probes =
    [
        ("System.String.Substring", () => s_text.Substring(1, 3)),
        ("System.String.Split", () => "a,b".Split(',')),
        ("System.String.Replace", () => s_text.Replace('l', 'L')),
        ("System.String.ToUpper", () => s_text.ToUpper()),
        ("System.String.ToLower", () => "HELLO".ToLower()),
        ("System.String.ToUpperInvariant", () => s_text.ToUpperInvariant()),
        ("System.String.ToLowerInvariant", () => "HELLO".ToLowerInvariant()),
        ("System.String.Trim", () => s_padded.Trim()),
        ("System.String.TrimStart", () => s_padded.TrimStart()),
        ("System.String.TrimEnd", () => s_padded.TrimEnd()),
        ("System.String.PadLeft", () => s_text.PadLeft(20)),
        ("System.String.PadRight", () => s_text.PadRight(20)),
        ("System.String.Insert", () => s_text.Insert(1, "x")),
        ("System.String.Remove", () => s_text.Remove(1)),
        ("System.String.Join", () => string.Join(",", s_strings)),
        ("System.String.Concat", () => string.Concat(s_text, s_text)),
        ("System.String.Format", () => string.Format("<{0}>", s_text)),
        ("System.String.ToCharArray", () => s_text.ToCharArray()),
        ("System.String.Create", () => string.Create(3, 'a', static (span, c) => span.Fill(c))),
        ("System.Convert.ToString", () => Convert.ToString(12345)),
        ("System.Text.StringBuilder.ToString", () => s_builder.ToString()),
        ("System.Array.Clone", () => s_array.Clone()),
        ("System.Collections.Generic.List.ToArray", () => s_list.ToArray()),
        ("System.Collections.Generic.List.GetRange", () => s_list.GetRange(0, 2)),
        ("System.Collections.Generic.List.ConvertAll", () => s_list.ConvertAll(static x => x)),
        ("System.Collections.Generic.List.FindAll", () => s_list.FindAll(static x => true)),
        ("System.Text.Encoding.GetBytes", () => Encoding.UTF8.GetBytes(s_text)),
        ("System.Text.Encoding.GetString", () => Encoding.UTF8.GetString(s_bytes)),
        ("System.BitConverter.GetBytes", () => BitConverter.GetBytes(42)),
        ("System.Convert.ToBase64String", () => Convert.ToBase64String(s_bytes)),
        ("System.Convert.FromBase64String", () => Convert.FromBase64String(s_base64)),
        ("System.IO.Path.Combine", () => Path.Combine("a", "b")),
        ("System.IO.Path.Join", () => Path.Join("a", "b")),
        ("System.IO.Path.GetFullPath", () => Path.GetFullPath("/a/../b")),
        ("System.IO.Path.GetFileName", () => Path.GetFileName("/a/b")),
        ("System.Text.RegularExpressions.Regex.Split", () => s_regex.Split(s_text)),
        ("System.Text.RegularExpressions.Regex.Matches", () => s_regex.Matches(s_text)),
        ("System.Text.RegularExpressions.Regex.Match", () => s_regex.Match(s_text)),
        ("System.Text.RegularExpressions.Regex.Replace", () => s_regex.Replace(s_text, "L")),
        ("System.Threading.Tasks.Task.FromResult", () => Task.FromResult(12345)),
        ("System.Char.ToString", () => s_char.ToString()),
        ("System.Char.ToString(non-ASCII)", () => s_wideChar.ToString()),
        ("System.Enum.GetValues", () => Enum.GetValues(typeof(DayOfWeek))),
        ("System.Enum.GetNames", () => Enum.GetNames(typeof(DayOfWeek))),
        ("System.Enum.GetValuesAsUnderlyingType", () => Enum.GetValuesAsUnderlyingType(typeof(DayOfWeek))),
        ("System.Type.GetMethods", () => typeof(Version).GetMethods()),
        ("System.Type.GetProperties", () => typeof(Version).GetProperties()),
        ("System.Type.GetFields", () => typeof(Version).GetFields(BindingFlags.Instance | BindingFlags.NonPublic)),
        ("System.Type.GetMembers", () => typeof(Version).GetMembers()),
        ("System.Type.GetConstructors", () => typeof(Version).GetConstructors()),
        ("System.Type.GetEvents", () => typeof(AppDomain).GetEvents()),
        ("System.Type.GetInterfaces", () => typeof(Version).GetInterfaces()),
        ("System.Type.GetNestedTypes", () => typeof(Environment).GetNestedTypes()),
        ("System.Type.GetGenericArguments", () => typeof(List<int>).GetGenericArguments()),
        ("System.Reflection.MemberInfo.GetCustomAttributes", () => typeof(ObsoleteAttribute).GetCustomAttributes(false)),
        ("System.Reflection.MethodBase.GetParameters", () => s_method.GetParameters()),
        ("System.Reflection.Assembly.GetTypes", () => s_assembly.GetTypes()),
        ("System.Reflection.Assembly.GetCustomAttributes", () => s_assembly.GetCustomAttributes(false)),
        ("System.Attribute.GetCustomAttributes", () => Attribute.GetCustomAttributes(typeof(ObsoleteAttribute))),
        ("System.Attribute.GetCustomAttribute", () => Attribute.GetCustomAttribute(typeof(ObsoleteAttribute), typeof(AttributeUsageAttribute))),
        ("System.Reflection.CustomAttributeExtensions.GetCustomAttributes", () => typeof(ObsoleteAttribute).GetCustomAttributes<AttributeUsageAttribute>()),
        ("System.Reflection.CustomAttributeExtensions.GetCustomAttribute", () => typeof(ObsoleteAttribute).GetCustomAttribute<AttributeUsageAttribute>()),
        ("System.Linq.Enumerable.ToList", () => s_array.ToList()),
        ("System.Linq.Enumerable.ToArray", () => s_list.ToArray<int>()),
        ("System.Linq.Enumerable.ToDictionary", () => s_array.ToDictionary(static x => x)),
        ("System.Linq.Enumerable.ToHashSet", () => s_array.ToHashSet()),
        ("System.Linq.Enumerable.ToLookup", () => s_array.ToLookup(static x => x)),
        ("System.Collections.Concurrent.ConcurrentDictionary.Keys", () => s_concurrent.Keys),
        ("System.Collections.Concurrent.ConcurrentDictionary.Values", () => s_concurrent.Values),
        // Calls that look like allocations but return cached objects: the engine claims no site for them.
        ("System.Array.Empty", () => Array.Empty<int>()),
        ("System.Linq.Enumerable.Empty", () => Enumerable.Empty<int>()),
        ("System.Threading.Tasks.Task.CompletedTask", () => Task.CompletedTask),
        ("System.Threading.Tasks.Task.FromResult(true)", () => Task.FromResult(true)),
        ("System.String.Concat(empty)", () => string.Concat(s_text, "")),
        ("System.String.Substring(whole)", () => s_text.Substring(0)),
        ("System.String.Replace(no match)", () => s_text.Replace('z', 'Z')),
        ("System.String.Trim(nothing to trim)", () => s_text.Trim()),
        ("System.Collections.Generic.EqualityComparer.Default", () => EqualityComparer<string>.Default),
    ];

    public static IEnumerable<string> Measure()
    {
        foreach (var (key, call) in Probes)
        {
            long? bytes = BytesPerCall(call);
            if (bytes is not null) yield return $"call\t{key}\t{bytes}";
        }
    }

    private static long? BytesPerCall(Func<object?> call)
    {
        try
        {
            for (int i = 0; i < Calls; i++) GC.KeepAlive(call());
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Calls; i++) GC.KeepAlive(call());
            return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }
}
