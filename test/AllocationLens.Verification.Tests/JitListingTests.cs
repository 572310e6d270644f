using Xunit;
using AllocationLens.Verification;

namespace AllocationLens.Verification.Tests;

/// <summary>The listing parser on text in the JIT's own format (headers and instructions as .NET 8-11 print them).</summary>
public class JitListingTests
{
    private const string Listing = """
        ; Assembly listing for method Demo.C:Twice():int (FullOpts)
        ; FullOpts code
        G_M000_IG02:                ;; offset=0x0000
               mov      rbx, 0x7F3BC89A44A8      ; Demo.Point
               mov      rdi, rbx
               call     CORINFO_HELP_NEWSFAST
               mov      rdi, rbx
               call     CORINFO_HELP_NEWSFAST
               call     [Demo.C:Use(System.Object)]
               mov      rdi, rax
               call     CORINFO_HELP_NEWSFAST
               mov      rdi, 0x7F3BC89DABD0
               mov      esi, 4
               call     CORINFO_HELP_NEWARR_1_VC
               mov      rdi, 0x7F3BC89DACE8
               call     CORINFO_HELP_ASSIGN_REF
        ; Total bytes of code 60
        ; Assembly listing for method Demo.G`1[System.__Canon]:Make[System.__Canon]():System.Object:this (FullOpts)
               mov      rax, 0x7F3BC89A44A8
               mov      qword ptr [rbp-0x18], rax
               ret
        """;

    [Fact]
    public void Helper_calls_carry_the_method_table_traced_through_register_moves()
    {
        var methods = JitListing.Parse(Listing);
        Assert.Equal(2, methods.Count);
        Assert.Equal(("Demo.C", "Twice"), (methods[0].TypeName, methods[0].MethodName));
        var calls = methods[0].Allocations;
        // rbx is callee-saved: it still names the type after the first helper call.
        Assert.Equal(0x7F3BC89A44A8, calls[0].MethodTable);
        Assert.Equal(0x7F3BC89A44A8, calls[1].MethodTable);
        // rax after an ordinary call is an unknown value: the helper's type is untraced, not guessed.
        Assert.Null(calls[2].MethodTable);
        Assert.Equal(("CORINFO_HELP_NEWARR_1_VC", (long?)0x7F3BC89DABD0), (calls[3].Helper, calls[3].MethodTable));
        Assert.Equal(4, calls.Count); // the write barrier is not an allocator
    }

    [Fact]
    public void A_method_table_stored_to_the_stack_is_not_an_allocation()
    {
        var generic = JitListing.Parse(Listing)[1];
        Assert.Equal(("Demo.G", "Make"), (generic.TypeName, generic.MethodName));
        Assert.Empty(generic.Allocations);
    }

    [Theory]
    [InlineData("Demo.G`1", "Demo.G")]
    [InlineData("Demo.G`1+Inner[System.__Canon]", "Demo.G+Inner")]
    [InlineData("Demo.C+<Iter>d__9", "Demo.C+<Iter>d__9")]
    public void Type_names_from_reflection_and_from_the_JIT_normalize_alike(string name, string expected) =>
        Assert.Equal(expected, JitListing.NormalizeType(name));

    [Theory]
    [InlineData("net8.0", 8)]
    [InlineData("net10.0-windows", 10)]
    [InlineData("netcoreapp3.1", 3)]
    [InlineData("netstandard2.0", 0)]
    [InlineData("net48", 0)]
    public void Target_majors(string tfm, int major) => Assert.Equal(major, JitVerifier.TargetMajor(tfm));

    [Fact]
    public void With_code_bytes_each_helper_call_has_its_native_offset_and_the_method_its_size()
    {
        // As DOTNET_JitDisasmWithCodeBytes prints it (.NET 10.0.12, two `new P` of which one remains).
        var methods = JitListing.Parse("""
            ; Assembly listing for method Demo.C:M(int):System.Object (FullOpts)
            G_M000_IG01:                ;; offset=0x0000
                   4157                 push     r15
                   53                   push     rbx
                   8BDF                 mov      ebx, edi

            G_M000_IG02:                ;; offset=0x0005
                   49BF9826FDE4EF7F0000 mov      r15, 0x7FEFE4FD2698
                   498BFF               mov      rdi, r15
                   E8841A567E           call     CORINFO_HELP_NEWSFAST
                   4C8BF0               mov      r14, rax
                   498BFF               mov      rdi, r15
                   E86E1A567E           call     CORINFO_HELP_NEWSFAST
            ; Total bytes of code 81
            """);
        var method = Assert.Single(methods);
        Assert.Equal(81, method.CodeSize);
        Assert.Equal([(0x7FEFE4FD2698L, 0x12), (0x7FEFE4FD2698L, 0x1D)], method.Allocations.Select(c => (c.MethodTable!.Value, c.NativeOffset!.Value)));
    }

    [Fact]
    public void A_method_table_spilled_to_a_frame_slot_is_traced_through_its_reloads_until_the_slot_escapes()
    {
        // As in NodaTime's static pattern tables (.NET 10.0.12): the constant is kept on the stack across calls.
        var calls = Assert.Single(JitListing.Parse("""
            ; Assembly listing for method Demo.C:.cctor() (FullOpts)
                   mov      rax, 0x7FE68F0B0D50
                   mov      qword ptr [rbp-0x30], rax
                   mov      rdi, rax
                   call     CORINFO_HELP_NEWSFAST
                   call     [Demo.C:Add(System.Object):this]
                   mov      rdi, qword ptr [rbp-0x30]
                   call     CORINFO_HELP_NEWSFAST
                   lea      rsi, [rbp-0x30]
                   call     [Demo.C:Fill(byref)]
                   mov      rdi, qword ptr [rbp-0x30]
                   call     CORINFO_HELP_NEWSFAST
            """)).Allocations;
        Assert.Equal([0x7FE68F0B0D50, 0x7FE68F0B0D50, null], calls.Select(c => c.MethodTable));
    }
}
