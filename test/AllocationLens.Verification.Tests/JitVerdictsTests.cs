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

    // `new List<T>()` in shared code: the host names no method table (a run-time lookup).
    private const string LookupAllocation = """{"il":3,"kind":"object","type":"System.Collections.Generic.List`1[T]"}""";

    [Fact]
    public void A_lookup_allocation_whose_untraced_allocator_call_remains_is_heap()
    {
        var judged = Judge(LookupAllocation, """
                   mov      rdi, qword ptr [rbx+0x18]
                   call     CORINFO_HELP_NEWSFAST
            """);
        Assert.Equal("heap", judged.Kind);
    }

    [Fact]
    public void A_lookup_allocation_with_no_allocator_call_left_is_stack()
    {
        var judged = Judge(LookupAllocation, """
                   mov      rdi, rbx
                   call     [Demo.C:Other():this]
            """);
        Assert.Equal("stack", judged.Kind);
    }

    [Fact]
    public void A_lookup_allocation_is_not_called_stack_while_a_call_no_instruction_claims_remains()
    {
        // A constant the host could not name may be this very allocation (a specialized instantiation).
        var judged = Judge(LookupAllocation, """
                   mov      rdi, 0x40
                   call     CORINFO_HELP_NEWSFAST
            """);
        Assert.Null(judged.Kind);
        Assert.Contains("run-time lookup", judged.Note);
    }

    [Fact]
    public void Every_allocation_of_a_method_the_JIT_could_not_compile_says_why()
    {
        var report = HostReport.Parse("""
            {"runtime":"10.0.12"}
            {"token":1,"name":"Demo.C.M","type":"Demo.C","method":"M","prepared":false,"reason":"no type argument satisfies the constraints of T","allocations":[{"il":1,"kind":"object","type":"Demo.P","methodTable":"0x10"},{"il":9,"kind":"delegate","type":"System.Action","cached":true}]}
            """);
        var (judged, unprepared) = JitVerdicts.Judge(report, []);
        Assert.Single(unprepared);
        Assert.Equal("the JIT could not compile M: no type argument satisfies the constraints of T", judged[0].Note);
        // A cached delegate's verdict needs no JIT: it is claimed, with no reason to give.
        Assert.Null(judged[1].Note);
        Assert.All(judged, j => Assert.Null(j.Kind));
    }

    /// <summary>Three `new P` (IL 0, 13 and 28) of which the listing keeps two; the IL map places them.</summary>
    /// <param name="points">Where the method's statements start in IL (its sequence points).</param>
    private static List<JudgedAllocation> JudgeSameTyped(string points, params (int Native, int Il)[] map)
    {
        var report = HostReport.Parse($$"""
            {"runtime":"10.0.12"}
            {"token":1,"name":"Demo.C.M","type":"Demo.C","method":"M","prepared":true,"points":[{{points}}],"allocations":[{"il":0,"kind":"object","type":"Demo.P","methodTable":"0x10"},{"il":13,"kind":"object","type":"Demo.P","methodTable":"0x10"},{"il":28,"kind":"object","type":"Demo.P","methodTable":"0x10"}]}
            """);
        var listing = JitListing.Parse("""
            ; Assembly listing for method Demo.C:M():int (FullOpts)
            G_M000_IG02:                ;; offset=0x0000
                   48BF1000000000000000 mov      rdi, 0x10
                   E8841A567E           call     CORINFO_HELP_NEWSFAST
                   48BF1000000000000000 mov      rdi, 0x10
                   E8841A567E           call     CORINFO_HELP_NEWSFAST
            ; Total bytes of code 30
            """).Select(m => m with { IlMap = new IlOffsetMap(map) }).ToList();
        return JitVerdicts.Judge(report, listing).Judged;
    }

    [Fact]
    public void Same_typed_allocations_are_told_apart_by_the_statement_each_remaining_call_was_compiled_from()
    {
        // The calls (at 0x0A and 0x19) sit in the code of IL 13's and IL 28's statements: the first `new P` is gone.
        var judged = JudgeSameTyped("0,13,28,43", (0, -2), (0x0A, 13), (0x19, 28), (0x1E, -3));
        Assert.Equal(["stack", "heap", "heap"], judged.Select(j => j.Kind));
    }

    [Fact]
    public void A_call_the_map_places_in_a_statement_with_several_of_them_leaves_those_unjudged()
    {
        // `Use(new P(), new P()); s = new P();`: the first call's code follows IL 0, whose statement holds two `new P`.
        var judged = JudgeSameTyped("0,28,43", (0, 0), (0x19, 28), (0x1E, -3));
        Assert.Equal([null, null, "heap"], judged.Select(j => j.Kind));
        Assert.Contains("statements holding several", judged[0].Note);
    }

    [Fact]
    public void A_call_in_the_prolog_or_unmapped_code_leaves_counting_to_say_what_it_can()
    {
        var judged = JudgeSameTyped("0,13,28,43", (0, -2), (0x19, 28), (0x1E, -3));
        Assert.All(judged, j => Assert.Null(j.Kind));
    }
}
