// Several allocations of one type in one method, of which the JIT keeps only some: the JIT's verdict on
// each must match the bytes the method allocates per call. Each Case_<Unit>_* allocates only the type
// its Unit_<Unit> method allocates once per call, so its bytes per call are that unit times the number
// of sites the JIT judged heap. Not compiled into the test assembly: Verify builds it on its own.
namespace SameTyped;

public sealed class P
{
    public int X, Y;
    public P(int x, int y) { X = x; Y = y; }
}

public static class Cases
{
    static object? s_obj;
    static int s_n = 3;

    public static object Unit_P() => new P(0, 0);
    public static object Unit_Box() { object o = s_n; return o; }

    public static int Case_P_FirstStaysSecondEscapes() { var a = new P(1, 2); var b = new P(3, 4); s_obj = b; return a.X; }
    public static int Case_P_FirstEscapesSecondStays() { var a = new P(1, 2); s_obj = a; var b = new P(3, 4); return b.Y; }
    public static int Case_P_MiddleOfThreeEscapes() { var a = new P(1, 2); var b = new P(3, 4); var c = new P(5, 6); s_obj = b; return a.X + c.Y; }
    public static int Case_P_EscapesInABranch() { int n = s_n; var a = new P(n, 2); if (n > 0) { var b = new P(n, 4); s_obj = b; } return a.X; }
    public static int Case_P_TwoEscapeOneStays() { var a = new P(1, 2); s_obj = a; var b = new P(3, 4); var c = new P(5, 6); s_obj = c; return b.X; }
    public static int Case_Box_SecondEscapes() { int n = s_n; object a = n; object b = n + 1; s_obj = b; return (int)a; }
    public static int Case_Box_FirstEscapes() { int n = s_n; object a = n; s_obj = a; object b = n + 1; return (int)b; }
}
