namespace AllocationLens.Analysis;

/// <summary>Why a site is cold by construction: it runs only on an error path, or once per process.</summary>
public enum ColdReason
{
    /// <summary>Part of what a `throw` throws: evaluated only when it throws.</summary>
    Throw,
    /// <summary>In a block every path of which ends in a throw: runs only on the way to it.</summary>
    ThrowPath,
    /// <summary>In a `catch` block or filter: runs only when an exception was caught.</summary>
    Catch,
    /// <summary>An argument of a call to a `[DoesNotReturn]` method, or the body of one: a throw helper.</summary>
    DoesNotReturn,
    /// <summary>An argument of a `[Conditional]` call the build keeps (Debug.Assert in a DEBUG build).</summary>
    DebugOnly,
    /// <summary>A static field or property initializer: runs once per type, per process.</summary>
    StaticInitializer,
    /// <summary>A static constructor: runs once per type, per process.</summary>
    StaticConstructor,
    /// <summary>A `[ModuleInitializer]` method: runs once, when the module loads.</summary>
    ModuleInitializer,
}

/// <summary>A cold site's reason and the sentence that says it ("built only to be thrown").</summary>
public sealed record ColdPath(ColdReason Reason, string Text)
{
    /// <summary>Static and module initializers run once; every other reason is an error or debug path.</summary>
    public bool RunsOnce => Reason is ColdReason.StaticInitializer or ColdReason.StaticConstructor or ColdReason.ModuleInitializer;

    /// <summary>The word a hint adds after its kind: `heap · cold`, `heap · once`.</summary>
    public string Word => RunsOnce ? "once" : "cold";

    /// <summary>The reason as the JSON and SARIF output spell it: "throw", "throw-path", "static-initializer", ...</summary>
    public string Id => Reason switch
    {
        ColdReason.Throw => "throw",
        ColdReason.ThrowPath => "throw-path",
        ColdReason.Catch => "catch",
        ColdReason.DoesNotReturn => "does-not-return",
        ColdReason.DebugOnly => "debug-only",
        ColdReason.StaticInitializer => "static-initializer",
        ColdReason.StaticConstructor => "static-constructor",
        _ => "module-initializer",
    };

    /// <summary>Whether a site runs only on the way to a throw (a throw helper then applies).</summary>
    public bool Throws => Reason is ColdReason.Throw or ColdReason.ThrowPath or ColdReason.DoesNotReturn;
}
