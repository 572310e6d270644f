// Runtime-verification corpus: field and property initializers run inside the constructor, so they count
// in the size of the constructor the JIT would inline (found on RestSharp, RestClient.cs:185:
// `new RestClientOptions()`, an empty constructor body after many property initializers). The initializers
// here allocate nothing in steady state (constants, static reads, cached lambdas), so bytes per call are
// the object's own.
using System;
using System.Text;

namespace Corpus;

public sealed class FewInitializers { public int A { get; set; } = 1; public int B = 2; }

public sealed class ManyInitializers
{
    static readonly string s_name = "defaults";
    public int Timeout { get; set; } = 100;
    public int Retries { get; set; } = 3;
    public int MaxRedirects { get; set; } = 50;
    public bool Follow { get; set; } = true;
    public bool FailOnError { get; set; } = true;
    public bool ThrowOnError { get; set; } = false;
    public bool? Expect100 { get; set; } = null;
    public string? UserAgent { get; set; } = s_name;
    public string? BaseHost { get; set; } = "localhost";
    public Encoding Encoding { get; set; } = Encoding.UTF8;
    public Func<string, string> Encode { get; set; } = s => s.Trim();
    public Func<string, Encoding, string> EncodeQuery { get; set; } = (s, e) => s + e.WebName;
    public Func<int, bool> IsSuccess { get; set; } = code => code >= 200 && code < 300;
    public long MaxLength { get; set; } = 1 << 20;
    public double Backoff { get; set; } = 1.5;
    public char Separator { get; set; } = ',';
    public int Port { get; set; } = 8080;
    public ManyInitializers() { }
}

public sealed class ManyInitializersImplicitConstructor
{
    static readonly string s_name = "defaults";
    public int Timeout { get; set; } = 100;
    public int Retries { get; set; } = 3;
    public int MaxRedirects { get; set; } = 50;
    public bool Follow { get; set; } = true;
    public bool FailOnError { get; set; } = true;
    public bool ThrowOnError { get; set; } = false;
    public bool? Expect100 { get; set; } = null;
    public string? UserAgent { get; set; } = s_name;
    public string? BaseHost { get; set; } = "localhost";
    public Encoding Encoding { get; set; } = Encoding.UTF8;
    public Func<string, string> Encode { get; set; } = s => s.Trim();
    public Func<string, Encoding, string> EncodeQuery { get; set; } = (s, e) => s + e.WebName;
    public Func<int, bool> IsSuccess { get; set; } = code => code >= 200 && code < 300;
    public long MaxLength { get; set; } = 1 << 20;
    public double Backoff { get; set; } = 1.5;
    public char Separator { get; set; } = ',';
    public int Port { get; set; } = 8080;
}

public sealed class LambdaInitializers
{
    public int A { get; set; } = 1;
    public Func<string, string> F { get; set; } = s => s;
    public Func<int, bool> G { get; set; } = c => c > 2;
}

public static class InitializerCases
{
    public static int Case_FewInitializers() { var o = new FewInitializers(); return o.A + o.B; } //@ hint("new FewInitializers", stack) on(net8.0: heap)
    public static int Case_ManyInitializers() { var o = new ManyInitializers(); return o.Timeout; } //@ hint("new ManyInitializers", heap)
    public static int Case_LambdaInitializers() { var o = new LambdaInitializers(); return o.A; } //@ hint("new LambdaInitializers", heap)
    public static int Case_ManyInitializersImplicitConstructor() { var o = new ManyInitializersImplicitConstructor(); return o.Port; } //@ hint("new ManyInitializersImplicitConstructor", heap)
}
