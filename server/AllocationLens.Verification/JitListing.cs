using System.Globalization;
using System.Text.RegularExpressions;

namespace AllocationLens.Verification;

/// <summary>
/// One allocation helper call left in optimized code, with the method table it allocates when a constant says
/// so, and the call instruction's offset in the method's code when the listing has code bytes to count.
/// </summary>
public readonly record struct HelperCall(string Helper, long? MethodTable, int? NativeOffset = null);

/// <summary>One method's listing: the name the JIT printed and the allocation helpers it still calls.</summary>
/// <param name="CodeSize">"Total bytes of code", or 0 when the listing did not say.</param>
public sealed record ListedMethod(string TypeName, string MethodName, IReadOnlyList<HelperCall> Allocations, int CodeSize = 0)
{
    /// <summary>
    /// The runtime's map from native offsets to IL offsets for this compilation (sorted by native offset),
    /// when the JIT host's trace had it; null otherwise. What tells apart same-typed allocations of which
    /// only some remain (<see cref="IlOffsetMap"/>).
    /// </summary>
    public IlOffsetMap? IlMap { get; init; }
}

/// <summary>
/// Reads the JIT's disassembly (DOTNET_JitDisasm + DOTNET_JitStdOutFile) for what matters here: per
/// method, each call to a CORINFO_HELP_NEW* or CORINFO_HELP_BOX* helper and the method-table constant
/// in its first argument register. Constants are tracked through register moves in a linear scan
/// (the JIT hoists and shares handle constants); a call whose argument cannot be traced counts as
/// "unknown", which makes verdicts of that method's untraced sites unknown rather than `stack`. Whole-register
/// spills to frame slots (`[rbp-0x30]`) are tracked too: in long methods the JIT keeps a shared constant on
/// the stack and reloads it for each allocation (NodaTime's static pattern tables). A slot touched in any other
/// way, or whose address is taken, is dropped for the rest of the method: a callee could write through it.
/// x64 only: the argument register is rdi (System V) or rcx (Windows). With DOTNET_JitDisasmWithCodeBytes
/// each instruction starts with its bytes; counting them from the block's `offset=` gives each helper
/// call's native offset, which the runtime's IL map turns into the IL instruction it belongs to.
/// </summary>
public static partial class JitListing
{
    private const string Header = "; Assembly listing for method ";

    [GeneratedRegex(@"^\s*mov\s+(\w+),\s*(0x[0-9A-Fa-f]+|\w+)\s*(;.*)?$")]
    private static partial Regex Move();

    [GeneratedRegex(@"^\s*call\s+\[?(CORINFO_HELP_\w+)")]
    private static partial Regex HelperCallLine();

    [GeneratedRegex(@"^\s*call\s")]
    private static partial Regex AnyCall();

    [GeneratedRegex(@"^\s*[a-z0-9]+\s+(\w+)\s*,")]
    private static partial Regex WritesFirstOperand();

    /// <summary>A whole-register spill to a frame slot: `mov qword ptr [rbp-0x30], rax`.</summary>
    [GeneratedRegex(@"^\s*mov\s+[qgb]word ptr \[(r[bs]p(?:[+-]0x[0-9A-Fa-f]+)?)\],\s*(\w+)\s*(;.*)?$")]
    private static partial Regex SpillToSlot();

    /// <summary>A reload from a frame slot: `mov rdi, qword ptr [rbp-0x30]`.</summary>
    [GeneratedRegex(@"^\s*mov\s+(\w+),\s*[qgb]word ptr \[(r[bs]p(?:[+-]0x[0-9A-Fa-f]+)?)\]\s*(;.*)?$")]
    private static partial Regex ReloadFromSlot();

    /// <summary>Any other use of a frame slot (a partial write, an arithmetic update, its address taken): it is no longer tracked.</summary>
    [GeneratedRegex(@"\[(r[bs]p(?:[+-]0x[0-9A-Fa-f]+)?)\]")]
    private static partial Regex SlotOperand();

    [GeneratedRegex(@"^\w+:\s*;;\s*offset=0x([0-9A-Fa-f]+)")]
    private static partial Regex BlockLabel();

    /// <summary>The code bytes column (uppercase hex pairs) before an instruction's mnemonic (lowercase).</summary>
    [GeneratedRegex(@"^\s+((?:[0-9A-F]{2})+)\s+(?=[a-z])")]
    private static partial Regex CodeBytes();

    private const string TotalBytes = "; Total bytes of code ";

    private static readonly string[] Volatile = ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"];

    public static List<ListedMethod> Parse(string listing, bool windowsAbi = false)
    {
        var argument = windowsAbi ? "rcx" : "rdi";
        var methods = new List<ListedMethod>();
        string? typeName = null, methodName = null;
        var calls = new List<HelperCall>();
        var registers = new Dictionary<string, long>(StringComparer.Ordinal); // registers and frame slots
        var untrackable = new HashSet<string>(StringComparer.Ordinal); // frame slots whose address was taken
        int codeSize = 0;
        // The next instruction's native offset while code bytes are counted; null until a block label sets it.
        int? offset = null;

        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(Header, StringComparison.Ordinal))
            {
                if (typeName is not null) methods.Add(new ListedMethod(typeName, methodName!, calls, codeSize));
                (typeName, methodName) = SplitName(line[Header.Length..]);
                calls = [];
                registers.Clear();
                untrackable.Clear();
                codeSize = 0;
                offset = null;
                continue;
            }
            if (typeName is null || line.Length == 0) continue;
            if (line[0] == ';')
            {
                if (line.StartsWith(TotalBytes, StringComparison.Ordinal) && int.TryParse(line.AsSpan(TotalBytes.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                    codeSize = size;
                continue;
            }
            if (BlockLabel().Match(line) is { Success: true } label)
            {
                offset = int.Parse(label.Groups[1].ValueSpan, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                continue;
            }
            // With code bytes, the instruction's offset is where it starts; the bytes are dropped so the rest reads as without them.
            int? at = null;
            if (CodeBytes().Match(line) is { Success: true } bytes)
            {
                at = offset;
                if (offset is { } o) offset = o + bytes.Groups[1].Length / 2;
                line = "       " + line[bytes.Length..];
            }
            else offset = null; // an instruction whose length is unknown: later offsets in this block cannot be counted

            if (HelperCallLine().Match(line) is { Success: true } helper)
            {
                var name = helper.Groups[1].Value;
                if (IsAllocationHelper(name))
                    calls.Add(new HelperCall(name, registers.TryGetValue(argument, out var mt) ? mt : null, at));
                foreach (var r in Volatile) registers.Remove(r);
                continue;
            }
            if (AnyCall().IsMatch(line)) { foreach (var r in Volatile) registers.Remove(r); continue; }
            if (SpillToSlot().Match(line) is { Success: true } spill)
            {
                var slot = "[" + spill.Groups[1].Value + "]";
                if (!untrackable.Contains(slot) && registers.TryGetValue(Canonical(spill.Groups[2].Value), out var spilled)) registers[slot] = spilled;
                else registers.Remove(slot);
                continue;
            }
            if (ReloadFromSlot().Match(line) is { Success: true } reload)
            {
                var target = Canonical(reload.Groups[1].Value);
                if (registers.TryGetValue("[" + reload.Groups[2].Value + "]", out var reloaded)) registers[target] = reloaded;
                else registers.Remove(target);
                continue;
            }
            if (SlotOperand().Match(line) is { Success: true } touched)
            {
                var slot = "[" + touched.Groups[1].Value + "]";
                registers.Remove(slot);
                if (line.TrimStart().StartsWith("lea", StringComparison.Ordinal)) untrackable.Add(slot);
            }
            if (Move().Match(line) is { Success: true } move)
            {
                var target = Canonical(move.Groups[1].Value);
                var source = move.Groups[2].Value;
                if (source.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(source.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var constant))
                    registers[target] = constant;
                else if (registers.TryGetValue(Canonical(source), out var copied)) registers[target] = copied;
                else registers.Remove(target);
                continue;
            }
            if (WritesFirstOperand().Match(line) is { Success: true } write) registers.Remove(Canonical(write.Groups[1].Value));
        }
        if (typeName is not null) methods.Add(new ListedMethod(typeName, methodName!, calls, codeSize));
        return methods;
    }

    /// <summary>Object, array and box allocators; not the write barriers or casts that share the prefix.</summary>
    public static bool IsAllocationHelper(string helper) =>
        helper.StartsWith("CORINFO_HELP_NEW", StringComparison.Ordinal) && !helper.StartsWith("CORINFO_HELP_NEWFAST_MAXSIZE", StringComparison.Ordinal)
        || helper.StartsWith("CORINFO_HELP_BOX", StringComparison.Ordinal);

    /// <summary>"Demo.G`1[System.__Canon]:Make():System.Object:this (FullOpts)" → ("Demo.G", "Make").</summary>
    internal static (string Type, string Method) SplitName(string header)
    {
        var paren = header.IndexOf('(');
        var qualified = paren < 0 ? header : header[..paren];
        qualified = StripGenerics(qualified);
        var colon = qualified.LastIndexOf(':');
        return colon < 0 ? ("", qualified.Trim()) : (NormalizeType(qualified[..colon]), qualified[(colon + 1)..].Trim());
    }

    /// <summary>A type name without generic arity or arguments: "Demo.G`1" and "Demo.G`1[System.__Canon]" → "Demo.G".</summary>
    public static string NormalizeType(string name)
    {
        name = StripGenerics(name);
        return Regex.Replace(name, "`\\d+", "");
    }

    private static string StripGenerics(string text)
    {
        if (text.IndexOf('[') < 0) return text;
        var builder = new System.Text.StringBuilder(text.Length);
        int depth = 0;
        foreach (var c in text)
        {
            if (c == '[') depth++;
            else if (c == ']') depth = Math.Max(0, depth - 1);
            else if (depth == 0) builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>eax/ax/al name the same register as rax: one key for all widths.</summary>
    private static string Canonical(string register) => register switch
    {
        "eax" or "ax" or "al" => "rax", "ecx" or "cx" or "cl" => "rcx", "edx" or "dx" or "dl" => "rdx",
        "esi" or "si" or "sil" => "rsi", "edi" or "di" or "dil" => "rdi", "ebx" or "bx" or "bl" => "rbx",
        _ when register.Length > 1 && register[0] == 'r' && char.IsDigit(register[1]) => register.TrimEnd('d', 'w', 'b'),
        _ => register,
    };
}
