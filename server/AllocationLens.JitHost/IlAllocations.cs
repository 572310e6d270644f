using System.Reflection;
using System.Reflection.Emit;

namespace AllocationLens.JitHost;

/// <summary>
/// One IL instruction that asks for a GC heap object: newobj of a class or delegate, newarr, or box
/// of a value type. <see cref="MethodTable"/> is the handle the JIT embeds as a constant when it
/// keeps the allocation; null when the type depends on a shared generic parameter (the JIT then looks
/// it up at run time and no constant identifies it).
/// </summary>
/// <see cref="NullableMethodTable"/> is set for a box of <c>Nullable&lt;T&gt;</c>: the JIT either expands it
/// inline (allocating a boxed T, <see cref="MethodTable"/>) or calls CORINFO_HELP_BOX_NULLABLE, whose
/// argument is the method table of <c>Nullable&lt;T&gt;</c> itself.
internal sealed record IlAllocation(int IlOffset, string Kind, string TypeName, long? MethodTable, bool CachedDelegate, long? NullableMethodTable = null)
{
    /// <summary>
    /// A closure's display class: its instance fields, which the compiler names after the captured
    /// variables (`<>4__this` for `this`, `CS$<>8__locals1` for the enclosing scope's class). How a
    /// closure site, whose span is a variable's declaration and not the `newobj`, finds its allocation.
    /// </summary>
    public IReadOnlyList<string>? CapturedFields { get; init; }

    /// <summary>`box T` of a bare type parameter the code is shared over: a no-op for a reference type, a real box for a value type.</summary>
    public bool TypeParameterBox { get; init; }
}

/// <summary>Finds the allocating instructions of a method body by decoding its IL.</summary>
internal static class IlAllocations
{
    private static readonly OpCode[] OneByte = new OpCode[0x100];
    private static readonly OpCode[] TwoByte = new OpCode[0x100];

    static IlAllocations()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            var value = (ushort)op.Value;
            if (value < 0x100) OneByte[value] = op;
            else if ((value & 0xFF00) == 0xFE00) TwoByte[value & 0xFF] = op;
        }
    }

    /// <param name="instantiation">The type arguments the method is compiled with (declaring type's, then its own), or empty.</param>
    public static List<IlAllocation> Read(MethodBase method, Type[] instantiation)
    {
        var found = new List<IlAllocation>();
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return found;
        var module = method.Module;
        // Resolve against the generic definitions, so a type that depends on T stays open and is
        // recognised as a run-time lookup in shared code. A parameter compiled with a value type is
        // the exception: the JIT specializes the code for it, so `new List<T>()` with T = int embeds
        // List<int>'s method table as a constant, and `box T` is a real box of int.
        Type[]? openTypeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericTypeDefinition().GetGenericArguments() : null;
        Type[]? openMethodArgs = method.IsGenericMethod ? ((MethodInfo)method).GetGenericMethodDefinition().GetGenericArguments() : null;
        var typeArgs = Specialize(openTypeArgs, instantiation, 0);
        var methodArgs = Specialize(openMethodArgs, instantiation, openTypeArgs?.Length ?? 0);
        // Part specialized, part open can break a constraint that ties the two (`TBucket : ParseBucket<TResult>`
        // with TResult = LocalDate and TBucket open): such an instruction is read against the open definitions.
        T? ResolveInInstantiation<T>(Func<Type[]?, Type[]?, T?> resolve) where T : class =>
            Resolve(() => resolve(typeArgs, methodArgs)) ?? (ReferenceEquals(typeArgs, openTypeArgs) && ReferenceEquals(methodArgs, openMethodArgs)
                ? null : Resolve(() => resolve(openTypeArgs, openMethodArgs)));

        int pc = 0;
        while (pc < il.Length)
        {
            int start = pc;
            OpCode op;
            if (il[pc] == 0xFE) { op = TwoByte[il[pc + 1]]; pc += 2; }
            else { op = OneByte[il[pc]]; pc += 1; }
            int operandStart = pc;
            pc += OperandSize(op, il, pc);
            if (op.OperandType != OperandType.InlineMethod && op.OperandType != OperandType.InlineType) continue;
            int token = BitConverter.ToInt32(il, operandStart);

            if (op == OpCodes.Newobj)
            {
                if (ResolveInInstantiation((ta, ma) => module.ResolveMethod(token, ta, ma)) is not { DeclaringType: { } type }) continue;
                if (type.IsValueType) continue;
                bool isDelegate = typeof(Delegate).IsAssignableFrom(type);
                string kind = type.IsArray ? "array" : isDelegate ? "delegate" : "object";
                // The cached-delegate pattern (`newobj; dup; stsfld cache`) runs once per process: the
                // static verdict for it is `stack` (no allocation per call), which the JIT cannot judge.
                bool cached = isDelegate && pc + 1 < il.Length && il[pc] == 0x25 && il[pc + 1] == 0x80;
                found.Add(new IlAllocation(start, kind, Name(type), Handle(type), cached)
                {
                    CapturedFields = type.Name.Contains("<>c__DisplayClass", StringComparison.Ordinal)
                        ? type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).Select(f => f.Name).ToList()
                        : null,
                });
            }
            else if (op == OpCodes.Newarr)
            {
                if (ResolveInInstantiation((ta, ma) => module.ResolveType(token, ta, ma)) is not { } element) continue;
                var array = element.ContainsGenericParameters ? null : element.MakeArrayType();
                found.Add(new IlAllocation(start, "array", Name(element) + "[]", array is null ? null : Handle(array), false));
            }
            else if (op == OpCodes.Box)
            {
                if (ResolveInInstantiation((ta, ma) => module.ResolveType(token, ta, ma)) is not { } boxed) continue;
                if (boxed.IsGenericParameter || boxed.ContainsGenericParameters)
                {
                    // box T: a no-op for reference types, a real box for value types; shared code cannot say.
                    // A box of a generic struct (`box S<T>`) is a real box through a run-time lookup.
                    found.Add(new IlAllocation(start, "box", Name(boxed), null, false) { TypeParameterBox = boxed.IsGenericParameter });
                    continue;
                }
                if (!boxed.IsValueType) continue;
                var underlying = Nullable.GetUnderlyingType(boxed); // a boxed int?, when not null, is a boxed int
                found.Add(underlying is null
                    ? new IlAllocation(start, "box", Name(boxed), Handle(boxed), false)
                    : new IlAllocation(start, "box", Name(underlying), Handle(underlying), false, Handle(boxed)));
            }
        }
        return found;
    }

    /// <summary>The parameters with each one the instantiation gives a value type replaced by that type (its code is specialized); the same array when none is.</summary>
    private static Type[]? Specialize(Type[]? parameters, Type[] instantiation, int offset)
    {
        if (parameters is null || instantiation.Length < offset + parameters.Length) return parameters;
        Type[]? specialized = null;
        for (int i = 0; i < parameters.Length; i++)
            if (instantiation[offset + i] is { IsValueType: true } valueType) (specialized ??= (Type[])parameters.Clone())[i] = valueType;
        return specialized ?? parameters;
    }

    private static long? Handle(Type type) => type.ContainsGenericParameters ? null : type.TypeHandle.Value.ToInt64();

    private static string Name(Type type) => type.ToString();

    private static T? Resolve<T>(Func<T?> resolve) where T : class
    {
        try { return resolve(); }
        catch (Exception) { return null; } // a reference the loader cannot satisfy: reported as unresolved by the method's preparation
    }

    private static int OperandSize(OpCode op, byte[] il, int pc) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pc),
        _ => 4,
    };
}
