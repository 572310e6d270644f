using AllocationLens.Analysis;
using AllocationLens.Verification;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>One site's JIT verdicts, pinned to where the site was when the JIT judged it.</summary>
internal sealed record VerifiedSite(TextSpan Span, string Category, TextSpan Member, SiteJit Jit);

/// <summary>
/// What "Verify with JIT" found, per open document. An edit drops the verified state of the members
/// it touched, and only theirs: entries of members after the edit move with the text, entries of the
/// touched members go (the JIT judged code that no longer exists). Lookups match a fresh site by
/// start offset and category, so a site the engine now reports differently is simply unverified.
/// </summary>
internal sealed class VerifiedSites
{
    private readonly Dictionary<string, List<VerifiedSite>> _byDocument = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _runtimes = new(StringComparer.Ordinal);

    public void Record(string uri, IReadOnlyList<VerifiedSite> sites, TextSpan scope, IReadOnlyList<string> runtimes)
    {
        lock (_byDocument)
        {
            if (!_byDocument.TryGetValue(uri, out var list)) _byDocument[uri] = list = [];
            list.RemoveAll(s => scope.IntersectsWith(s.Span) || scope.Contains(s.Span));
            list.AddRange(sites);
            _runtimes[uri] = runtimes;
        }
    }

    public bool HasAny(string uri) { lock (_byDocument) return _byDocument.TryGetValue(uri, out var l) && l.Count > 0; }

    public IReadOnlyList<string> RuntimesOf(string uri) { lock (_byDocument) return _runtimes.GetValueOrDefault(uri) ?? []; }

    public SiteJit? Lookup(string uri, AllocationSite site)
    {
        lock (_byDocument)
        {
            if (!_byDocument.TryGetValue(uri, out var list)) return null;
            foreach (var s in list)
                if (s.Span.Start == site.Where.Span.Start && s.Category == site.Category) return s.Jit;
            return null;
        }
    }

    /// <summary>Applies an edit: the changed region of the old text and how much longer the new text is.</summary>
    public void OnEdit(string uri, SourceText before, SourceText after)
    {
        lock (_byDocument)
        {
            if (!_byDocument.TryGetValue(uri, out var list) || list.Count == 0) return;
            var (changed, delta) = ChangedRegion(before, after);
            for (int i = list.Count - 1; i >= 0; i--)
            {
                var s = list[i];
                if (changed.Start <= s.Member.End && changed.End >= s.Member.Start) list.RemoveAt(i); // the edit touched this member
                else if (s.Member.Start >= changed.End)
                    list[i] = s with { Span = new TextSpan(s.Span.Start + delta, s.Span.Length), Member = new TextSpan(s.Member.Start + delta, s.Member.Length) };
            }
        }
    }

    public void Forget(string uri) { lock (_byDocument) { _byDocument.Remove(uri); _runtimes.Remove(uri); } }

    /// <summary>The old text's span that differs (common prefix and suffix removed), and the length change.</summary>
    internal static (TextSpan Changed, int Delta) ChangedRegion(SourceText before, SourceText after)
    {
        int prefix = 0, max = Math.Min(before.Length, after.Length);
        while (prefix < max && before[prefix] == after[prefix]) prefix++;
        int suffix = 0;
        while (suffix < max - prefix && before[before.Length - 1 - suffix] == after[after.Length - 1 - suffix]) suffix++;
        return (TextSpan.FromBounds(prefix, before.Length - suffix), after.Length - before.Length);
    }
}
