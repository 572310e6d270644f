using Xunit;

namespace AllocationLens.Verification.Tests;

/// <summary>Pairing the host's IL allocations with the helper calls left in the JIT's listing.</summary>
public class JitVerdictsTests
{
    private static JudgedAllocation Judge(string allocationJson, string code)
    {
        var report = HostReport.Parse($$"""
            {"runtime":"10.0.12"}
            {"token":1,"name":"Demo.C.M","type":"Demo.C","method":"M","prepared":true,"allocations":[{{allocationJson}}]}
            """);
        var listing = JitListing.Parse("; Assembly listing for method Demo.C:M():int (FullOpts)\n" + code);
        return Assert.Single(JitVerdicts.Judge(report, listing).Judged);
    }

    // `box int?`: the host names the boxed int (0x10) and the Nullable<int> (0x20) method tables.
    private const string BoxOfNullable = """{"il":7,"kind":"box","type":"System.Int32","methodTable":"0x10","nullableMethodTable":"0x20"}""";

    [Fact]
    public void A_nullable_box_left_to_the_BOX_NULLABLE_helper_is_heap()
    {
        // Measured on .NET 10.0.12 (Case_NullableWithValue): the helper's argument is Nullable<int>'s method table.
        var judged = Judge(BoxOfNullable, """
                   mov      rdi, 0x20
                   call     [CORINFO_HELP_BOX_NULLABLE]
            """);
        Assert.Equal("heap", judged.Kind);
    }

    [Fact]
    public void A_nullable_box_expanded_inline_is_heap_when_the_boxed_value_is_allocated()
    {
        var judged = Judge(BoxOfNullable, """
                   mov      rdi, 0x10
                   call     CORINFO_HELP_NEWSFAST
            """);
        Assert.Equal("heap", judged.Kind);
    }

    [Fact]
    public void A_nullable_box_with_no_allocator_left_is_stack()
    {
        var judged = Judge(BoxOfNullable, """
                   mov      rdi, 0x30
                   call     CORINFO_HELP_NEWSFAST
            """);
        Assert.Equal("stack", judged.Kind);
    }
}
