using Microsoft.CodeAnalysis;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Well-known framework calls that return a new object. Easy to extend: add a line. Keys are
/// "Namespace.Type.Member" (generic arity omitted). Each entry is also measured per runtime by a probe
/// (tools/AllocationLens.RuntimeProbe/CallProbes.cs, bytes per call with an ordinary argument, in
/// RuntimeFacts): a member the target's runtime measured allocating nothing returns a cached result there
/// and is not reported. Add a probe with each new line.
/// </summary>
internal static class AllocatingApis
{
    private static readonly Dictionary<string, string> Table = new(StringComparer.Ordinal)
    {
        ["System.String.Substring"] = "a new string",
        ["System.String.Split"] = "a new array of new strings",
        ["System.String.Replace"] = "a new string (unless nothing matches)",
        ["System.String.ToUpper"] = "a new string",
        ["System.String.ToLower"] = "a new string",
        ["System.String.ToUpperInvariant"] = "a new string",
        ["System.String.ToLowerInvariant"] = "a new string",
        ["System.String.Trim"] = "a new string (unless there is nothing to trim)",
        ["System.String.TrimStart"] = "a new string (unless there is nothing to trim)",
        ["System.String.TrimEnd"] = "a new string (unless there is nothing to trim)",
        ["System.String.PadLeft"] = "a new string",
        ["System.String.PadRight"] = "a new string",
        ["System.String.Insert"] = "a new string",
        ["System.String.Remove"] = "a new string",
        ["System.String.Join"] = "a new string",
        ["System.String.Concat"] = "a new string",
        ["System.String.Format"] = "a new string, with value-type arguments boxed",
        ["System.String.ToCharArray"] = "a new char array",
        ["System.String.Normalize"] = "a new string",
        ["System.String.Create"] = "a new string",
        ["System.Convert.ToString"] = "a new string",
        ["System.Text.StringBuilder.ToString"] = "a new string with the builder's contents",
        ["System.Array.Clone"] = "a new array",
        ["System.Object.MemberwiseClone"] = "a new object",
        ["System.Collections.Generic.List.ToArray"] = "a new array",
        ["System.Collections.Generic.List.GetRange"] = "a new list",
        ["System.Collections.Generic.List.ConvertAll"] = "a new list",
        ["System.Collections.Generic.List.FindAll"] = "a new list",
        ["System.Text.Encoding.GetBytes"] = "a new byte array",
        ["System.Text.Encoding.GetString"] = "a new string",
        ["System.BitConverter.GetBytes"] = "a new byte array",
        ["System.Convert.ToBase64String"] = "a new string",
        ["System.Convert.FromBase64String"] = "a new byte array",
        ["System.IO.Path.Combine"] = "a new string",
        ["System.IO.Path.Join"] = "a new string",
        ["System.IO.Path.GetFullPath"] = "a new string",
        ["System.IO.Path.GetFileName"] = "a new string (unless the path has no directory part)",
        ["System.IO.File.ReadAllText"] = "a new string",
        ["System.IO.File.ReadAllLines"] = "a new array of new strings",
        ["System.IO.File.ReadAllBytes"] = "a new byte array",
        ["System.Text.RegularExpressions.Regex.Split"] = "a new array",
        ["System.Text.RegularExpressions.Regex.Matches"] = "a new match collection",
        ["System.Text.RegularExpressions.Regex.Match"] = "a new Match object (unless there is no match)",
        ["System.Text.RegularExpressions.Regex.Replace"] = "a new string",
        ["System.Threading.Tasks.Task.Run"] = "a new Task and its work item",
        ["System.Threading.Tasks.Task.FromResult"] = "a new Task<T> (the runtime caches only true/false, null and -1..8)",
        ["System.Char.ToString"] = "a new string",
        ["System.Enum.GetValues"] = "a new array of the values",
        ["System.Enum.GetNames"] = "a new array of the names",
        ["System.Enum.GetValuesAsUnderlyingType"] = "a new array of the values",
        ["System.Type.GetMethods"] = "a new array of MethodInfo",
        ["System.Type.GetProperties"] = "a new array of PropertyInfo",
        ["System.Type.GetFields"] = "a new array of FieldInfo",
        ["System.Type.GetMembers"] = "a new array of MemberInfo",
        ["System.Type.GetConstructors"] = "a new array of ConstructorInfo",
        ["System.Type.GetEvents"] = "a new array of EventInfo",
        ["System.Type.GetInterfaces"] = "a new array of the interfaces",
        ["System.Type.GetNestedTypes"] = "a new array of the nested types",
        ["System.Type.GetGenericArguments"] = "a new array of the type arguments",
        ["System.Reflection.MemberInfo.GetCustomAttributes"] = "a new array of new attribute objects",
        ["System.Reflection.MethodBase.GetParameters"] = "a new array of ParameterInfo",
        ["System.Reflection.Assembly.GetTypes"] = "a new array of the types",
        ["System.Reflection.Assembly.GetCustomAttributes"] = "a new array of new attribute objects",
        ["System.Attribute.GetCustomAttributes"] = "a new array of new attribute objects",
        ["System.Attribute.GetCustomAttribute"] = "a new attribute object",
        ["System.Reflection.CustomAttributeExtensions.GetCustomAttributes"] = "new attribute objects in a new array",
        ["System.Reflection.CustomAttributeExtensions.GetCustomAttribute"] = "a new attribute object",
        ["System.Linq.Enumerable.ToList"] = "a new list",
        ["System.Linq.Enumerable.ToArray"] = "a new array",
        ["System.Linq.Enumerable.ToDictionary"] = "a new dictionary",
        ["System.Linq.Enumerable.ToHashSet"] = "a new hash set",
        ["System.Linq.Enumerable.ToLookup"] = "a new lookup",
    };

    /// <summary>Properties whose getter returns a new snapshot on every read.</summary>
    private static readonly Dictionary<string, string> Properties = new(StringComparer.Ordinal)
    {
        ["System.Collections.Concurrent.ConcurrentDictionary.Keys"] = "a new snapshot of the keys (a ReadOnlyCollection over a new List) on every read",
        ["System.Collections.Concurrent.ConcurrentDictionary.Values"] = "a new snapshot of the values (a ReadOnlyCollection over a new List) on every read",
    };

    public static string? DescribeProperty(IPropertySymbol property, FrameworkFacts? facts = null)
    {
        var type = property.ContainingType?.OriginalDefinition;
        if (type is null) return null;
        var key = $"{type.ContainingNamespace?.ToDisplayString()}.{type.Name}.{property.Name}";
        return Properties.TryGetValue(key, out var what) && !MeasuredCached(key, facts) ? what : null;
    }

    /// <summary>True when the target's runtime measured this call allocating nothing (a cached result there).</summary>
    private static bool MeasuredCached(string key, FrameworkFacts? facts) => facts?.BytesPerCall(key) == 0;

    /// <summary>LINQ operators that return a lazy iterator object (and keep their delegates).</summary>
    private static readonly HashSet<string> LazyLinq = new(StringComparer.Ordinal)
    {
        "Where", "Select", "SelectMany", "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending", "Order", "OrderDescending",
        "GroupBy", "GroupJoin", "Join", "Skip", "SkipWhile", "SkipLast", "Take", "TakeWhile", "TakeLast", "Distinct", "DistinctBy",
        "Union", "UnionBy", "Intersect", "IntersectBy", "Except", "ExceptBy", "Concat", "Zip", "Reverse", "Cast", "OfType",
        "Append", "Prepend", "Chunk", "DefaultIfEmpty", "Index", "CountBy", "AggregateBy", "Range", "Repeat",
    };

    public static string? Describe(IMethodSymbol method, FrameworkFacts? facts = null)
    {
        var type = method.ContainingType?.OriginalDefinition;
        if (type is null) return null;
        string ns = type.ContainingNamespace?.ToDisplayString() ?? "";
        if (ns == "System.Linq" && type.Name is "Enumerable" && LazyLinq.Contains(method.Name))
            return $"a new LINQ iterator for `{method.Name}` (and an enumerator when it is enumerated)";
        var key = $"{ns}.{type.Name}.{method.Name}";
        return Table.TryGetValue(key, out var what) && !MeasuredCached(key, facts) ? what : null;
    }
}
