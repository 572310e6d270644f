namespace AllocationLens.Verification;

/// <summary>
/// The runtime's map from a compiled method's native code back to its IL (the MethodILToNativeMap event),
/// sorted by native offset. Release JITs record an entry where each IL statement's code starts (the
/// stack-empty points the runtime asks for) and around calls; code with no entry before it belongs to the
/// entry before it. Prolog, epilog and unmapped code have negative IL offsets (-2, -3, -1).
/// </summary>
public sealed class IlOffsetMap
{
    private readonly (int Native, int Il)[] _entries;
    private readonly int[] _ilStarts;

    public IlOffsetMap(IEnumerable<(int Native, int Il)> entries)
    {
        _entries = entries.OrderBy(e => e.Native).ToArray();
        _ilStarts = _entries.Where(e => e.Il >= 0).Select(e => e.Il).Distinct().Order().ToArray();
    }

    /// <summary>The IL offsets where mapped code starts, ascending and distinct.</summary>
    public IReadOnlyList<int> IlStarts => _ilStarts;

    /// <summary>
    /// The IL offsets the code at <paramref name="nativeOffset"/> may have been compiled from: those of the last
    /// entries at or before it. Several entries share a native offset when statements before the code left none
    /// of their own (an allocation moved to the stack, a dead store), and the code may be any of theirs. Empty
    /// in a prolog, an epilog or unmapped code.
    /// </summary>
    public IReadOnlyList<int> IlOffsetsAt(int nativeOffset)
    {
        int last = -1;
        for (int i = 0; i < _entries.Length && _entries[i].Native <= nativeOffset; i++) last = i;
        if (last < 0) return [];
        var offsets = new List<int>();
        for (int i = last; i >= 0 && _entries[i].Native == _entries[last].Native; i--)
        {
            if (_entries[i].Il < 0) return [];
            offsets.Add(_entries[i].Il);
        }
        return offsets;
    }
}
