// Runtime-verification corpus: a call inside an inlined callee (found on Polly
// RegistryPipelineComponentBuilder.cs:34). The tier measures Tier-1 code with Dynamic PGO, where a hot
// call site inlines both levels; `analyze --verify` (no PGO) declined the larger nested constructor on
// .NET 10.0.12 (test/fixtures/realcode/nestedinlining.cs), and the engine follows the no-PGO JIT there;
// that case is not here because the tier's PGO measurement says stack (a safe disagreement).
using System;

namespace Corpus;

public sealed class NestedSmallHolder { public int X; public NestedSmallHolder(Point p) { X = p.X; } }
public sealed class NestedMidHolder
{
    public int A, B, C, D, E, F, G, H;
    public NestedMidHolder(Point p) { A = p.X; B = p.Y; C = p.X + p.Y; D = p.X * 2; E = p.Y * 3; F = p.X - p.Y; G = p.Sum(); H = A + B + C; }
}

public static class NestedInliningHelpers
{
    public static int ViaSmall(Point p) => new NestedSmallHolder(p).X;
    public static int ViaMid(Point p) => new NestedMidHolder(p).H;
}

public static class NestedInliningCases
{
    public static int Case_SmallConstructorInsideInlinee() { var p = new Point(1, 2); return NestedInliningHelpers.ViaSmall(p); } //@ hint("new Point", stack) on(net8.0: heap)
}
