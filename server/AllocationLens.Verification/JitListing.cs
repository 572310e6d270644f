using System.Globalization;
using System.Text.RegularExpressions;

namespace AllocationLens.Verification;

/// <summary>One allocation helper call left in optimized code, with the method table it allocates when a constant says so.</summary>
public readonly record struct HelperCall(string Helper, long? MethodTable);

/// <summary>One method's listing: the name the JIT printed and the allocation helpers it still calls.</summary>
public sealed record ListedMethod(string TypeName, string MethodName, IReadOnlyList<HelperCall> Allocations);

/// <summary>
/// Reads the JIT's disassembly (DOTNET_JitDisasm + DOTNET_JitStdOutFile) for what matters here: per
/// method, each call to a CORINFO_HELP_NEW* or CORINFO_HELP_BOX* helper and the method-table constant
/// in its first argument register. Constants are tracked through register moves in a linear scan
/// (the JIT hoists and shares handle constants); a call whose argument cannot be traced counts as
/// "unknown", which makes verdicts of that method's untraced sites unknown rather than `stack`.
/// x64 only: the argument register is rdi (System V) or rcx (Windows).
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

    private static readonly string[] Volatile = ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"];

    public static List<ListedMethod> Parse(string listing, bool windowsAbi = false)
    {
        var argument = windowsAbi ? "rcx" : "rdi";
        var methods = new List<ListedMethod>();
        string? typeName = null, methodName = null;
        var calls = new List<HelperCall>();
        var registers = new Dictionary<string, long>(StringComparer.Ordinal);

        foreach (var raw in listing.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith(Header, StringComparison.Ordinal))
            {
                if (typeName is not null) methods.Add(new ListedMethod(typeName, methodName!, calls));
                (typeName, methodName) = SplitName(line[Header.Length..]);
                calls = [];
                registers.Clear();
                continue;
            }
            if (typeName is null || line.Length == 0 || line[0] == ';') continue;

            if (HelperCallLine().Match(line) is { Success: true } helper)
            {
                var name = helper.Groups[1].Value;
                if (IsAllocationHelper(name))
                    calls.Add(new HelperCall(name, registers.TryGetValue(argument, out var mt) ? mt : null));
                foreach (var r in Volatile) registers.Remove(r);
                continue;
            }
            if (AnyCall().IsMatch(line)) { foreach (var r in Volatile) registers.Remove(r); continue; }
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
        if (typeName is not null) methods.Add(new ListedMethod(typeName, methodName!, calls));
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
