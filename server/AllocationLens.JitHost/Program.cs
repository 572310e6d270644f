using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AllocationLens.JitHost;

/// <summary>
/// allocation-lens-jit-host --assembly DLL --report JSON [--scope DOCUMENT:FROM-TO ...]
///
/// Started by the verification layer with DOTNET_TieredCompilation=0, DOTNET_TieredPGO=0,
/// DOTNET_JitDisasm=* and DOTNET_JitStdOutFile=FILE, on the runtime to judge. For each method whose
/// sequence points touch a scope (every method when none is given) and whose IL allocates, it reports
/// the allocating instructions with their source ranges and method-table handles, then asks the JIT
/// to compile the method with RuntimeHelpers.PrepareMethod. It never calls user code; loading and
/// compiling can still run static constructors and module initializers (docs/features.md).
/// The report is JSON Lines, flushed line by line, so a crash still leaves everything before it: a
/// header, then per method a {"preparing":…} line before the JIT is asked and the method's record
/// after. The listing is read by the parent after this process exits.
/// Exit codes: 0 report written; 2 usage; 3 the assembly or its PDB could not be read.
/// </summary>
public static class Program
{
    private readonly record struct Scope(string Document, int FromLine, int ToLine);

    public static int Main(string[] args)
    {
        string? assemblyPath = null, reportPath = null;
        var scopes = new List<Scope>();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--assembly": assemblyPath = Path.GetFullPath(args[i + 1]); break;
                case "--report": reportPath = args[i + 1]; break;
                case "--scope":
                    var s = args[i + 1];
                    int colon = s.LastIndexOf(':'), dash = s.LastIndexOf('-');
                    if (colon < 0 || dash < colon) { Console.Error.WriteLine($"bad --scope '{s}'"); return 2; }
                    scopes.Add(new Scope(Path.GetFullPath(s[..colon]), int.Parse(s[(colon + 1)..dash]), int.Parse(s[(dash + 1)..])));
                    break;
                default: Console.Error.WriteLine($"unknown argument '{args[i]}'"); return 2;
            }
        }
        if (assemblyPath is null || reportPath is null) { Console.Error.WriteLine("usage: --assembly DLL --report JSON [--scope FILE:FROM-TO]"); return 2; }

        Dictionary<int, SourceRange[]> points;
        Assembly assembly;
        try
        {
            points = SequencePoints.Read(assemblyPath);
            assembly = new HostLoadContext(assemblyPath).LoadFromAssemblyPath(assemblyPath);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"could not read {assemblyPath}: {e.Message}");
            return 3;
        }

        using var report = new ReportWriter(reportPath);
        report.Line(json =>
        {
            json.WriteString("runtime", Environment.Version.ToString());
            json.WriteString("framework", RuntimeInformation.FrameworkDescription);
            json.WriteString("architecture", RuntimeInformation.ProcessArchitecture.ToString());
            json.WriteString("os", RuntimeInformation.OSDescription);
        });
        var module = assembly.ManifestModule;
        foreach (var (token, ranges) in points.OrderBy(p => p.Key))
        {
            if (scopes.Count > 0 && !ranges.Any(r => scopes.Any(s => Touches(s, r)))) continue;
            MethodBase? method;
            try { method = module.ResolveMethod(token); }
            catch (Exception e) { report.Failure(token, $"0x{token:X8}", $"could not resolve: {FirstLine(e.Message)}"); continue; }
            if (method is null || method.IsAbstract) continue;

            // The instantiation first: the allocations' method tables depend on it (value types specialize).
            var instantiation = GenericInstantiation.Choose(method, out var failure, out bool used);
            List<IlAllocation> allocations;
            try { allocations = IlAllocations.Read(method, used ? instantiation ?? [] : []); }
            catch (Exception e) { report.Failure(token, Describe(method), $"could not read IL: {FirstLine(e.Message)}"); continue; }
            if (allocations.Count == 0) continue; // nothing to judge: no need to compile it

            string? reason = failure;
            if (instantiation is not null) reason = Prepare(report, token, method, instantiation);

            // `box T` left a no-op by a reference-type instantiation: compiled once more with a value type for T,
            // so the box is judged as value-type callers run it. Reported as a second record of the same method,
            // after the first, as the listing has the two compilations in that order.
            List<IlAllocation>? valueBoxes = null;
            Type[]? valueInstantiation = null;
            var boxedParameters = allocations.Where(a => a.TypeParameterBox).Select(a => a.TypeName).ToHashSet(StringComparer.Ordinal);
            if (reason is null && instantiation is not null && boxedParameters.Count > 0
                && GenericInstantiation.WithValueTypes(method, instantiation, boxedParameters) is { } withValues)
            {
                var boxOffsets = allocations.Where(a => a.TypeParameterBox).Select(a => a.IlOffset).ToHashSet();
                List<IlAllocation> specialized;
                try { specialized = IlAllocations.Read(method, withValues).Where(a => boxOffsets.Contains(a.IlOffset) && a.Kind == "box" && a.MethodTable is not null).ToList(); }
                catch (Exception) { specialized = []; }
                if (specialized.Count > 0 && Prepare(report, token, method, withValues) is null)
                {
                    valueBoxes = specialized;
                    valueInstantiation = withValues;
                    var judgedThere = specialized.Select(a => a.IlOffset).ToHashSet();
                    allocations = allocations.Where(a => !(a.TypeParameterBox && judgedThere.Contains(a.IlOffset))).ToList();
                }
            }
            report.Method(token, method, reason, instantiation, allocations, ranges);
            if (valueBoxes is not null) report.Method(token, method, null, valueInstantiation, valueBoxes, ranges);
        }
        return 0;
    }

    /// <summary>Asks the JIT to compile the method in one instantiation; the reason it could not, or null.</summary>
    private static string? Prepare(ReportWriter report, int token, MethodBase method, Type[] instantiation)
    {
        report.Line(json => { json.WriteNumber("preparing", token); json.WriteString("name", Describe(method)); });
        try
        {
            // .NET 9 and 10 skip new virtual slots (interface implementations such as an
            // iterator's MoveNext, or a generic wrapper's IDictionary<K,V>.Add) in PrepareMethod
            // until the method has an entry point; asking for it first makes them compile
            // (measured: no listing without it, for plain and generic types alike). So a generic
            // method is closed over its instantiation first, and that closed method is asked.
            var target = instantiation.Length == 0 ? method : Close(method, instantiation);
            if (target is not null)
            {
                _ = target.MethodHandle.GetFunctionPointer();
                RuntimeHelpers.PrepareMethod(target.MethodHandle);
            }
            else RuntimeHelpers.PrepareMethod(method.MethodHandle, instantiation.Select(t => t.TypeHandle).ToArray());
            return null;
        }
        catch (Exception e) { return $"{e.GetType().Name}: {FirstLine(e.Message)}"; }
    }

    /// <summary>
    /// The method of the closed type (and closed over the method's own type arguments), or null when the
    /// runtime will not close it; the caller then falls back to PrepareMethod with the instantiation.
    /// </summary>
    private static MethodBase? Close(MethodBase method, Type[] instantiation)
    {
        try
        {
            int typeCount = method.DeclaringType is { IsGenericTypeDefinition: true } t ? t.GetGenericArguments().Length : 0;
            var closed = method;
            if (typeCount > 0)
            {
                var type = method.DeclaringType!.MakeGenericType(instantiation[..typeCount]);
                closed = MethodBase.GetMethodFromHandle(method.MethodHandle, type.TypeHandle);
            }
            if (instantiation.Length > typeCount && closed is MethodInfo { IsGenericMethodDefinition: true } generic)
                closed = generic.MakeGenericMethod(instantiation[typeCount..]);
            return closed;
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or NotSupportedException or InvalidOperationException) { return null; }
    }

    private static bool Touches(Scope scope, SourceRange range) =>
        string.Equals(scope.Document, range.Document, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
        && range.StartLine <= scope.ToLine && range.EndLine >= scope.FromLine;

    internal static string Describe(MethodBase method) => $"{method.DeclaringType?.FullName}.{method.Name}";

    internal static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
