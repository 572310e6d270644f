using System.Reflection;

namespace AllocationLens.JitHost;

/// <summary>
/// Picks type arguments a generic method or a method of a generic type can be compiled with. First the
/// ones its own assembly instantiates it with, when it does: the JIT specializes code for value types,
/// and an arbitrary `int` can fold away what a real instantiation keeps (found on Newtonsoft.Json:
/// `GetFlagsValues<T>() where T : struct` compiled for `int` made `Enum.GetUnderlyingType` a throw and
/// its loop's box vanished, while its callers pass an enum). Otherwise defaults: the JIT compiles one
/// shared body for all reference types, so `object` (or the constraint itself) stands for every reference
/// instantiation; value-type-constrained parameters get `int`.
/// </summary>
internal static class GenericInstantiation
{
    /// <summary>Type arguments for the declaring type, then the method; null when none satisfy the constraints.</summary>
    /// <param name="used">True when the assembly itself instantiates the method so; false for stand-ins, whose
    /// specialized code speaks for no real caller (its allocations are then read as shared code's).</param>
    public static Type[]? Choose(MethodBase method, out string? failure, out bool used)
    {
        failure = null;
        used = true;
        var typeParams = method.DeclaringType is { IsGenericTypeDefinition: true } t ? t.GetGenericArguments() : [];
        var methodParams = method is MethodInfo { IsGenericMethodDefinition: true } mi ? mi.GetGenericArguments() : [];
        if (typeParams.Length + methodParams.Length == 0) return [];
        if (UsedInstantiation(method, typeParams.Length, methodParams.Length) is { } instantiation) return instantiation;
        used = false;

        var typeArgs = new Type[typeParams.Length];
        for (int i = 0; i < typeParams.Length; i++) typeArgs[i] = typeof(object);
        var methodArgs = new Type[methodParams.Length];
        for (int i = 0; i < methodParams.Length; i++) methodArgs[i] = typeof(object);

        // One parameter at a time, keeping the others at the first candidate that worked. A check covers
        // every parameter at once, so a parameter can only be placed once the others' constraints hold:
        // `LessThan<T, TProperty> where TProperty : IComparable<TProperty>` fails for every T while
        // TProperty is still `object`. Passes repeat while one places a parameter the one before could not.
        string? unplaced = null;
        for (int pass = 0; pass < typeParams.Length + methodParams.Length; pass++)
        {
            unplaced = null;
            bool placed = false;
            for (int i = 0; i < typeParams.Length; i++)
            {
                if (Pick(typeParams[i], typeArgs, i, args => method.DeclaringType!.MakeGenericType(args), Substitute)) placed = true;
                else unplaced ??= typeParams[i].Name;
            }
            // A method's constraints can name its type's parameters (`SetValidator<TValidator> where TValidator :
            // IValidator<TProperty>`): they are checked on the method of the type closed so far, never on the open one.
            for (int i = 0; i < methodParams.Length; i++)
            {
                if (Pick(methodParams[i], methodArgs, i, args => OnClosedType(method, typeArgs).MakeGenericMethod(args), Substitute)) placed = true;
                else unplaced ??= methodParams[i].Name;
            }
            if (unplaced is null || !placed) break;
        }
        if (unplaced is not null) { failure = $"no type argument satisfies the constraints of {unplaced}"; return null; }
        return [.. typeArgs, .. methodArgs];

        // A constraint over parameters (`TBucket : ParseBucket<TResult>`, `TDerived : TProperty`, `T : IComparable<T>`)
        // closed over the arguments chosen so far: itself a candidate, and often the only one (an abstract base or an
        // interface is a valid type argument); null when the closed constraint is itself invalid.
        Type? Substitute(Type constraint)
        {
            try { return Close(constraint, typeArgs, methodArgs); }
            catch (Exception e) when (e is ArgumentException or TypeLoadException or NotSupportedException or IndexOutOfRangeException) { return null; }
        }
    }

    private static Type Close(Type type, Type[] typeArgs, Type[] methodArgs)
    {
        if (type.IsGenericParameter) return type.DeclaringMethod is null ? typeArgs[type.GenericParameterPosition] : methodArgs[type.GenericParameterPosition];
        if (type.IsArray) return type.GetArrayRank() == 1 && type.IsSZArray
            ? Close(type.GetElementType()!, typeArgs, methodArgs).MakeArrayType()
            : Close(type.GetElementType()!, typeArgs, methodArgs).MakeArrayType(type.GetArrayRank());
        if (type.IsGenericType && type.ContainsGenericParameters)
            return type.GetGenericTypeDefinition().MakeGenericType(type.GetGenericArguments().Select(a => Close(a, typeArgs, methodArgs)).ToArray());
        return type;
    }

    /// <summary>The generic method definition on its declaring type closed over <paramref name="typeArgs"/> (the method itself when the type is not generic).</summary>
    private static MethodInfo OnClosedType(MethodBase method, Type[] typeArgs) =>
        typeArgs.Length == 0 ? (MethodInfo)method
            : (MethodInfo)MethodBase.GetMethodFromHandle(method.MethodHandle, method.DeclaringType!.MakeGenericType(typeArgs).TypeHandle)!;

    /// <summary>
    /// Type arguments the method's own module instantiates it (or its declaring type) with, closed over
    /// concrete types, preferring one with a value type (where specialization matters); null when none.
    /// </summary>
    private static Type[]? UsedInstantiation(MethodBase method, int typeParams, int methodParams)
    {
        var instantiations = Instantiations.GetOrAdd(method.Module, Read);
        Type[]? typeArgs = null, methodArgs = null;
        if (typeParams > 0)
            typeArgs = Prefer(instantiations.Types.Where(i => i.Definition == method.DeclaringType).Select(i => i.Arguments));
        if (methodParams > 0)
            methodArgs = Prefer(instantiations.Methods.Where(i => i.Definition.MetadataToken == method.MetadataToken && i.Definition.Module == method.Module).Select(i => i.Arguments));
        if ((typeParams > 0 && typeArgs is null) || (methodParams > 0 && methodArgs is null)) return null;
        Type[] all = [.. typeArgs ?? [], .. methodArgs ?? []];
        // The constraints hold for an instantiation the compiler accepted; make sure the runtime agrees.
        return Satisfies(method, all, typeParams) ? all : null;
    }

    /// <summary>
    /// For `box T` where the chosen instantiation gives T a reference type (a no-op box in the shared code
    /// judged): the same instantiation with a value type for each boxed parameter that admits one, so the
    /// box is compiled as the real box value-type callers pay for. Value types the module itself uses as
    /// type arguments come first, then common framework ones, then the module's own structs; null when no
    /// value type satisfies the constraints.
    /// </summary>
    /// <param name="boxedParameters">The names of the boxed type parameters (as IL reading names them).</param>
    public static Type[]? WithValueTypes(MethodBase method, Type[] instantiation, IReadOnlyCollection<string> boxedParameters)
    {
        var typeParams = method.DeclaringType is { IsGenericTypeDefinition: true } t ? t.GetGenericArguments() : [];
        var methodParams = method is MethodInfo { IsGenericMethodDefinition: true } mi ? mi.GetGenericArguments() : [];
        var parameters = typeParams.Concat(methodParams).ToArray();
        if (parameters.Length != instantiation.Length) return null;
        var args = (Type[])instantiation.Clone();
        bool replaced = false;
        for (int i = 0; i < parameters.Length; i++)
        {
            if (!boxedParameters.Contains(parameters[i].Name) || args[i].IsValueType) continue;
            if ((parameters[i].GenericParameterAttributes & GenericParameterAttributes.ReferenceTypeConstraint) != 0) continue;
            var previous = args[i];
            foreach (var candidate in ValueTypeCandidates(method.Module))
            {
                args[i] = candidate;
                if (Satisfies(method, args, typeParams.Length)) { replaced = true; break; }
                args[i] = previous;
            }
        }
        return replaced ? args : null;
    }

    private static IEnumerable<Type> ValueTypeCandidates(Module module)
    {
        var instantiations = Instantiations.GetOrAdd(module, Read);
        var used = instantiations.Types.SelectMany(i => i.Arguments).Concat(instantiations.Methods.SelectMany(i => i.Arguments))
            // Not a generic struct: over reference types its code is shared too (`KeyValuePair<__Canon, __Canon>`), and
            // the box then takes its type from a run-time lookup that no constant in the listing names.
            .Where(a => a.IsValueType && !a.IsGenericType && !a.IsByRefLike);
        Type[] common = [typeof(int), typeof(long), typeof(double), typeof(bool), typeof(char), typeof(byte), typeof(decimal), typeof(Guid), typeof(DateTime), typeof(TimeSpan)];
        // Last, the module's own structs: an interface constraint (`TEmitter : IEventEmitter`) often has no framework struct.
        Type[] own;
        try { own = module.GetTypes(); }
        catch (ReflectionTypeLoadException e) { own = e.Types.OfType<Type>().ToArray(); }
        return used.Concat(common).Concat(own.Where(t => t.IsValueType && !t.IsGenericType && !t.IsByRefLike).Take(500)).Distinct();
    }

    private static bool Satisfies(MethodBase method, Type[] args, int typeCount)
    {
        try
        {
            var type = typeCount > 0 ? method.DeclaringType!.MakeGenericType(args[..typeCount]) : method.DeclaringType;
            if (args.Length > typeCount && method is MethodInfo info)
            {
                var onType = typeCount > 0 ? (MethodInfo)MethodBase.GetMethodFromHandle(info.MethodHandle, type!.TypeHandle)! : info;
                onType.MakeGenericMethod(args[typeCount..]);
            }
            return true;
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or NotSupportedException) { return false; }
    }

    private static Type[]? Prefer(IEnumerable<Type[]> candidates)
    {
        Type[]? first = null;
        foreach (var args in candidates)
        {
            if (args.Any(a => a.IsValueType)) return args;
            first ??= args;
        }
        return first;
    }

    private sealed record ModuleInstantiations(List<(Type Definition, Type[] Arguments)> Types, List<(MethodInfo Definition, Type[] Arguments)> Methods);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Module, ModuleInstantiations> Instantiations = new();

    /// <summary>Every closed generic type (TypeSpec table) and generic method instantiation (MethodSpec table) of a module.</summary>
    private static ModuleInstantiations Read(Module module)
    {
        var types = new List<(Type, Type[])>();
        var methods = new List<(MethodInfo, Type[])>();
        const int TypeSpec = 0x1B000000, MethodSpec = 0x2B000000, MaxRows = 0x00FFFFFF;
        for (int row = 1; row < MaxRows; row++)
        {
            Type? type;
            try { type = module.ResolveType(TypeSpec | row); }
            catch (ArgumentOutOfRangeException) { break; }
            catch (Exception) { continue; } // a spec over a generic parameter, or an unloadable type
            if (type is { IsConstructedGenericType: true, ContainsGenericParameters: false })
                types.Add((type.GetGenericTypeDefinition(), type.GetGenericArguments()));
        }
        for (int row = 1; row < MaxRows; row++)
        {
            MethodBase? method;
            try { method = module.ResolveMethod(MethodSpec | row); }
            catch (ArgumentOutOfRangeException) { break; }
            catch (Exception) { continue; }
            if (method is MethodInfo { IsGenericMethod: true, ContainsGenericParameters: false } info)
                methods.Add((info.GetGenericMethodDefinition(), info.GetGenericArguments()));
        }
        return new ModuleInstantiations(types, methods);
    }

    private static bool Pick(Type parameter, Type[] args, int index, Func<Type[], object> make, Func<Type, Type?> substitute)
    {
        foreach (var candidate in Candidates(parameter, substitute))
        {
            args[index] = candidate;
            try { make(args); return true; }
            catch (ArgumentException) { }
            catch (TypeLoadException) { }
            catch (NotSupportedException) { }
        }
        return false;
    }

    private static IEnumerable<Type> Candidates(Type parameter, Func<Type, Type?> substitute)
    {
        var attributes = parameter.GenericParameterAttributes;
        bool valueType = (attributes & GenericParameterAttributes.NotNullableValueTypeConstraint) != 0;
        if (!valueType) yield return typeof(object);
        foreach (var constraint in parameter.GetGenericParameterConstraints())
        {
            if (constraint == typeof(ValueType)) continue;
            if (!constraint.ContainsGenericParameters) yield return constraint;
            else if (substitute(constraint) is { ContainsGenericParameters: false } closed && closed != typeof(ValueType)) yield return closed;
        }
        // A reference type before a value type: its code is the shared code every reference instantiation
        // runs (`IComparable<T>` is met by string as by int, and int would specialize what no caller runs).
        if (!valueType) yield return typeof(string);
        yield return typeof(int);
        yield return typeof(long);
        yield return typeof(double);
        // Types of the same assembly that implement the constraints (first few; the search is cheap).
        int tried = 0;
        Type[] types;
        try { types = parameter.Assembly.GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t is not null).ToArray()!; }
        foreach (var type in types)
        {
            if (type.IsAbstract && !type.IsInterface || type.ContainsGenericParameters) continue;
            if (++tried > 200) yield break;
            yield return type;
        }
    }
}
