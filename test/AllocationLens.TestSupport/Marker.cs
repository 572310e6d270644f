namespace AllocationLens.TestSupport;

/// <summary>What a marker comment expects at the place its locator finds.</summary>
public enum MarkerVerb
{
    Hint,
    NoHint,
    Hover,
    /// <summary><c>//@ calls("Format(", re"allocates on each call: 2 heap")</c>: the call summary of the call named there.</summary>
    Calls,
    /// <summary><c>//@ param("p)", re"escapes: stored")</c>: the escape fact of the parameter named there.</summary>
    Param,
}

/// <summary>
/// One expectation written in a fixture as <c>//@ hint("new Point", heap)</c>, <c>//@ nohint("local")</c>
/// or <c>//@ hover("new Point", re"returned from Make")</c>. The locator is found at or after the start of
/// the marker's line, so expectations never carry line or column numbers.
/// </summary>
public sealed record Marker(
    MarkerVerb Verb,
    string Locator,
    string? Expected,
    string Path,
    int MarkerLine,
    int Position)
{
    public override string ToString() => $"{Path}:{MarkerLine + 1}: {Verb.ToString().ToLowerInvariant()}(\"{Locator}\"{(Expected is null ? "" : ", " + Expected)})";
}
