using System.Globalization;
using System.Text.Json;

namespace AllocationLens.Verification;

/// <summary>
/// One allocating IL instruction, as the JIT host reported it (lines and columns 1-based, from the PDB).
/// A box of <c>Nullable&lt;T&gt;</c> has two method tables: T's, when the JIT expands the box inline, and
/// <see cref="NullableMethodTable"/>, the argument of CORINFO_HELP_BOX_NULLABLE when it does not.
/// </summary>
public sealed record IlAllocation(int IlOffset, string Kind, string TypeName, long? MethodTable, bool Cached,
    string? Document, int Line, int Column, int EndLine, int EndColumn, long? NullableMethodTable = null)
{
    /// <summary>A closure's display class: the names of its fields (the captured variables); null for anything else.</summary>
    public IReadOnlyList<string>? CapturedFields { get; init; }

    /// <summary>`box T` of a bare type parameter in shared code: an allocation only when T is a value type.</summary>
    public bool TypeParameterBox { get; init; }

    /// <summary>True when a helper call allocating <paramref name="methodTable"/> can be this instruction's.</summary>
    public bool Allocates(long? methodTable) => methodTable is { } mt && (mt == MethodTable || mt == NullableMethodTable);
}

/// <summary>One method the host handled: prepared (compiled) or not, and why not.</summary>
public sealed record HostMethod(int Token, string Name, string TypeName, string MethodName, bool Prepared, string? Reason, IReadOnlyList<IlAllocation> Allocations)
{
    /// <summary>The IL offsets where the method's PDB sequence points start, ascending: where a statement's IL begins.</summary>
    public IReadOnlyList<int> SequencePoints { get; init; } = [];
}

/// <summary>The host's JSON Lines report. A method the host started compiling but never reported is where it crashed.</summary>
public sealed record HostReport(string RuntimeVersion, IReadOnlyList<HostMethod> Methods, string? CrashedIn)
{
    public static HostReport Parse(string text)
    {
        string runtime = "";
        var methods = new List<HostMethod>();
        string? preparing = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            JsonElement root;
            try { root = JsonDocument.Parse(line).RootElement; }
            catch (JsonException) { break; } // a line cut short by a crash
            if (root.TryGetProperty("runtime", out var r)) { runtime = r.GetString() ?? ""; continue; }
            if (root.TryGetProperty("preparing", out _)) { preparing = root.GetProperty("name").GetString(); continue; }
            preparing = null;
            var allocations = new List<IlAllocation>();
            if (root.TryGetProperty("allocations", out var list))
                foreach (var a in list.EnumerateArray())
                    allocations.Add(new IlAllocation(
                        a.GetProperty("il").GetInt32(), a.GetProperty("kind").GetString()!, a.GetProperty("type").GetString()!,
                        a.TryGetProperty("methodTable", out var mt) ? Hex(mt.GetString()!) : null,
                        a.TryGetProperty("cached", out var c) && c.GetBoolean(),
                        a.TryGetProperty("document", out var d) ? d.GetString() : null,
                        Int(a, "line"), Int(a, "column"), Int(a, "endLine"), Int(a, "endColumn"),
                        a.TryGetProperty("nullableMethodTable", out var nmt) ? Hex(nmt.GetString()!) : null)
                    {
                        CapturedFields = a.TryGetProperty("fields", out var fields) ? fields.EnumerateArray().Select(f => f.GetString() ?? "").ToList() : null,
                        TypeParameterBox = a.TryGetProperty("typeParameter", out var tp) && tp.GetBoolean(),
                    });
            methods.Add(new HostMethod(
                root.GetProperty("token").GetInt32(), root.GetProperty("name").GetString() ?? "",
                root.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "", root.TryGetProperty("method", out var m) ? m.GetString() ?? "" : "",
                root.GetProperty("prepared").GetBoolean(), root.TryGetProperty("reason", out var why) ? why.GetString() : null, allocations)
            {
                SequencePoints = root.TryGetProperty("points", out var points) ? points.EnumerateArray().Select(p => p.GetInt32()).ToList() : [],
            });
        }
        return new HostReport(runtime, methods, preparing);
    }

    private static long Hex(string text) => long.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetInt32() : 0;
}
