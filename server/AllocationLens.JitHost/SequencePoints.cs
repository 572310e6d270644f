using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace AllocationLens.JitHost;

/// <summary>One PDB sequence point: the IL offset where a source range's code starts.</summary>
internal readonly record struct SourceRange(int IlOffset, string Document, int StartLine, int StartColumn, int EndLine, int EndColumn);

/// <summary>
/// The build's portable PDB (beside the assembly or embedded in it), read once: per method token, its
/// non-hidden sequence points in IL order. Compiler-generated methods (lambdas, local functions,
/// iterator and async MoveNext) carry the sequence points of the user code they came from, which is
/// how their allocations map back to source.
/// </summary>
internal static class SequencePoints
{
    public static Dictionary<int, SourceRange[]> Read(string assemblyPath)
    {
        using var peStream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(peStream);
        MetadataReaderProvider? provider = null;
        try
        {
            var embedded = pe.ReadDebugDirectory().FirstOrDefault(e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
            if (embedded.DataSize > 0) provider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded);
            else
            {
                var pdbPath = Path.ChangeExtension(assemblyPath, ".pdb");
                if (!File.Exists(pdbPath)) throw new FileNotFoundException($"no portable PDB beside {assemblyPath}");
                provider = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(pdbPath));
            }
            var pdb = provider.GetMetadataReader();
            var result = new Dictionary<int, SourceRange[]>();
            foreach (var handle in pdb.MethodDebugInformation)
            {
                var info = pdb.GetMethodDebugInformation(handle);
                if (info.SequencePointsBlob.IsNil) continue;
                var points = new List<SourceRange>();
                foreach (var sp in info.GetSequencePoints())
                {
                    if (sp.IsHidden) continue;
                    var document = pdb.GetString(pdb.GetDocument(sp.Document).Name);
                    points.Add(new SourceRange(sp.Offset, document, sp.StartLine, sp.StartColumn, sp.EndLine, sp.EndColumn));
                }
                if (points.Count > 0)
                    result[MetadataTokens.GetToken(handle.ToDefinitionHandle())] = points.ToArray();
            }
            return result;
        }
        finally { provider?.Dispose(); }
    }

    /// <summary>The sequence point an IL offset belongs to: the last one that starts at or before it.</summary>
    public static SourceRange? Containing(SourceRange[] points, int ilOffset)
    {
        SourceRange? best = null;
        foreach (var p in points)
            if (p.IlOffset <= ilOffset && (best is null || p.IlOffset >= best.Value.IlOffset)) best = p;
        return best;
    }
}
