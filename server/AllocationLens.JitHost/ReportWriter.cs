using System.Reflection;
using System.Text.Json;

namespace AllocationLens.JitHost;

/// <summary>Writes the host's report as JSON Lines, flushing each line so a crash loses nothing before it.</summary>
internal sealed class ReportWriter(string path) : IDisposable
{
    private readonly FileStream _stream = File.Create(path);
    private readonly MemoryStream _buffer = new();

    public void Line(Action<Utf8JsonWriter> body)
    {
        _buffer.SetLength(0);
        using (var json = new Utf8JsonWriter(_buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        _buffer.WriteByte((byte)'\n');
        _stream.Write(_buffer.GetBuffer(), 0, (int)_buffer.Length);
        _stream.Flush(flushToDisk: false);
    }

    public void Failure(int token, string name, string reason) => Line(json =>
    {
        json.WriteNumber("token", token);
        json.WriteString("name", name);
        json.WriteBoolean("prepared", false);
        json.WriteString("reason", reason);
    });

    public void Method(int token, MethodBase method, string? reason, Type[]? instantiation, List<IlAllocation> allocations, SourceRange[] ranges) => Line(json =>
    {
        json.WriteNumber("token", token);
        json.WriteString("name", Program.Describe(method));
        json.WriteString("type", method.DeclaringType?.FullName ?? "");
        json.WriteString("method", method.Name);
        json.WriteBoolean("prepared", reason is null);
        if (reason is not null) json.WriteString("reason", reason);
        if (instantiation is { Length: > 0 })
        {
            json.WriteStartArray("instantiation");
            foreach (var t in instantiation) json.WriteStringValue(t.ToString());
            json.WriteEndArray();
        }
        // Where statements start in IL: with the runtime's IL map, they bound the IL a helper call can belong to.
        json.WriteStartArray("points");
        foreach (var offset in ranges.Select(r => r.IlOffset).Distinct().Order()) json.WriteNumberValue(offset);
        json.WriteEndArray();
        json.WriteStartArray("allocations");
        foreach (var a in allocations)
        {
            json.WriteStartObject();
            json.WriteNumber("il", a.IlOffset);
            json.WriteString("kind", a.Kind);
            json.WriteString("type", a.TypeName);
            if (a.MethodTable is { } mt) json.WriteString("methodTable", $"0x{mt:X}");
            if (a.NullableMethodTable is { } nmt) json.WriteString("nullableMethodTable", $"0x{nmt:X}");
            if (a.CachedDelegate) json.WriteBoolean("cached", true);
            if (a.TypeParameterBox) json.WriteBoolean("typeParameter", true);
            if (a.CapturedFields is { } fields)
            {
                json.WriteStartArray("fields");
                foreach (var f in fields) json.WriteStringValue(f);
                json.WriteEndArray();
            }
            // A method's display class is allocated before its first sequence point (at IL 0, ahead of
            // the `{`): it takes the method's first range, where the scope it belongs to is entered.
            if ((SequencePoints.Containing(ranges, a.IlOffset) ?? (a.CapturedFields is not null && ranges.Length > 0 ? ranges[0] : null)) is { } r)
            {
                json.WriteString("document", r.Document);
                json.WriteNumber("line", r.StartLine);
                json.WriteNumber("column", r.StartColumn);
                json.WriteNumber("endLine", r.EndLine);
                json.WriteNumber("endColumn", r.EndColumn);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    });

    public void Dispose() => _stream.Dispose();
}
