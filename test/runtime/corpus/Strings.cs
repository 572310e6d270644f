// Runtime-verification corpus: strings, concatenation, interpolation and well-known string APIs.
using System;
using System.Text;

namespace Corpus;

public static class StringCases
{
    static readonly StringBuilder s_builder = new(256);
    static string s_text = "hello world";
    const string Name = "lens";

    public static int Case_ConstantConcat() { const string a = "x"; return (a + "y").Length; } //@ hint("a + \"y\"", stack)
    public static int Case_Concat() { string s = Sink.Str(); return (s + "!").Length; } //@ hint("s + \"!\"", heap)
    public static int Case_ConcatThree() { string s = Sink.Str(); return (s + "-" + s).Length; } //@ hint("s + \"-\" + s", heap)
    public static int Case_ConcatInt() { return ("n=" + Sink.Int()).Length; } //@ hint("\"n=\" + Sink.Int()", heap)
    public static int Case_ConcatEmptyString() { string s = Sink.Str(); return (s + "").Length; } //@ hint("s + \"\"", stack)
    public static int Case_Interpolation() { int x = Sink.Int(); return $"x={x}".Length; } //@ hint("$\"x={x}\"", heap)
    public static int Case_ConstantInterpolation() { string s = $"{Name}!"; return s.Length; } //@ hint("$\"{Name}!\"", stack)
    public static int Case_InterpolationIntoBuilder() { s_builder.Clear(); s_builder.Append($"v={Sink.Int()}"); return s_builder.Length; } //@ hint("$\"v=", stack)
    public static int Case_FormattableString() { FormattableString f = $"{Sink.Int()}"; Sink.Keep(f); return 0; } //@ hint("$\"{Sink", heap)
    public static int Case_IntToString() { return Sink.Large().ToString().Length; } //@ hint("ToString().Length", heap)
    public static int Case_StringToString() { return Sink.Str().ToString().Length; } //@ nohint("ToString().Length")
    public static int Case_Substring() { return s_text.Substring(1, 3).Length; } //@ hint("Substring(1, 3)", heap)
    public static int Case_Replace() { return s_text.Replace("o", "0").Length; } //@ hint("Replace(\"o\"", heap)
    public static int Case_ToUpper() { return s_text.ToUpperInvariant().Length; } //@ hint("ToUpperInvariant()", heap)
    public static int Case_Join() { return string.Join(",", "a", "b").Length; } //@ hint("string.Join", heap)
    public static int Case_StringConcatMethod() { return string.Concat(s_text, "x").Length; } //@ hint("string.Concat", heap)
    public static int Case_BuilderToString() { s_builder.Clear(); s_builder.Append('a'); return s_builder.ToString().Length; } //@ hint("ToString().Length", heap)
    public static int Case_NewString() { return new string('a', 3).Length; } //@ hint("new string", heap)
    public static int Case_AsSpanNoAlloc() { return s_text.AsSpan(1, 3).Length; } //@ nohint("AsSpan")
    public static int Case_StringEquals() { return string.Equals(s_text, "x", StringComparison.Ordinal) ? 1 : 0; } //@ nohint("string.Equals")
    public static int Case_ConcatInLoop() { string s = ""; for (int i = 0; i < 3; i++) s += "a"; return s.Length; } //@ hint("s += \"a\"", heap)
    public static int Case_Trim() { return "  x  ".Trim().Length; } //@ hint("Trim().Length", heap)
    public static int Case_CharToString() { return Sink.Str()[0].ToString().Length; } //@ hint("ToString().Length", heap)
}
