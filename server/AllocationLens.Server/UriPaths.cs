namespace AllocationLens.Server;

/// <summary>Converts between LSP document URIs and file-system paths.</summary>
public static class UriPaths
{
    public static string ToPath(string uri)
    {
        if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile) return parsed.LocalPath;
        return uri;
    }

    public static string ToUri(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;
}
