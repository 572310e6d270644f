// `box T` in generic code this assembly never instantiates with a value type: Verify compiles it once
// more with a value type for T, and its verdict must match what the code allocates when a value-type
// caller runs it. The test closes each Case_* over int (from outside, so the assembly itself uses no
// value type) and measures it. Not compiled into the test assembly: Verify builds it on its own.
namespace BoxOfT;

public static class Cases
{
    static object? s_obj;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static int Count(object o) => o is null ? 0 : 1;

    public static int Case_BoxStored<T>() { T value = default!; object o = value!; s_obj = o; return 1; }
    public static int Case_BoxComparedWithNull<T>() { T value = default!; object o = value!; return o == null ? 0 : 1; }
    public static int Case_BoxStoredWhenNotNull<T>() where T : notnull { T value = default!; if (value is not null) s_obj = value; return 1; }
    public static int Case_BoxPassedOn<T>() { T value = default!; return Count(value!); }
    public static int Case_BoxHashed<T>() where T : System.IComparable<T> { T value = default!; object o = value; return o.GetHashCode() & 0; }

    // Reference-type uses only: the assembly instantiates the cases with string and nothing else.
    public static int UsesWithReferenceTypes() =>
        Case_BoxStored<string>() + Case_BoxComparedWithNull<string>() + Case_BoxStoredWhenNotNull<string>() + Case_BoxPassedOn<string>() + Case_BoxHashed<string>();
}
