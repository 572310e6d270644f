using System.Reflection;

namespace AllocationLens.JitHost;

/// <summary>
/// Picks type arguments a generic method or a method of a generic type can be compiled with. The JIT
/// compiles one shared body for all reference types, so `object` (or the constraint itself) stands for
/// every reference instantiation; value-type-constrained parameters get `int`.
/// </summary>
internal static class GenericInstantiation
{
    /// <summary>Type arguments for the declaring type, then the method; null when none satisfy the constraints.</summary>
    public static Type[]? Choose(MethodBase method, out string? failure)
    {
        failure = null;
        var typeParams = method.DeclaringType is { IsGenericTypeDefinition: true } t ? t.GetGenericArguments() : [];
        var methodParams = method is MethodInfo { IsGenericMethodDefinition: true } mi ? mi.GetGenericArguments() : [];
        if (typeParams.Length + methodParams.Length == 0) return [];

        var typeArgs = new Type[typeParams.Length];
        for (int i = 0; i < typeParams.Length; i++) typeArgs[i] = typeof(object);
        var methodArgs = new Type[methodParams.Length];
        for (int i = 0; i < methodParams.Length; i++) methodArgs[i] = typeof(object);

        // One parameter at a time, keeping the others at the first candidate that worked.
        for (int i = 0; i < typeParams.Length; i++)
            if (!Pick(typeParams[i], typeArgs, i, args => method.DeclaringType!.MakeGenericType(args)))
            { failure = $"no type argument satisfies the constraints of {typeParams[i].Name}"; return null; }
        for (int i = 0; i < methodParams.Length; i++)
            if (!Pick(methodParams[i], methodArgs, i, args => ((MethodInfo)method).MakeGenericMethod(args)))
            { failure = $"no type argument satisfies the constraints of {methodParams[i].Name}"; return null; }
        return [.. typeArgs, .. methodArgs];
    }

    private static bool Pick(Type parameter, Type[] args, int index, Func<Type[], object> make)
    {
        foreach (var candidate in Candidates(parameter))
        {
            args[index] = candidate;
            try { make(args); return true; }
            catch (ArgumentException) { }
            catch (TypeLoadException) { }
            catch (NotSupportedException) { }
        }
        return false;
    }

    private static IEnumerable<Type> Candidates(Type parameter)
    {
        var attributes = parameter.GenericParameterAttributes;
        bool valueType = (attributes & GenericParameterAttributes.NotNullableValueTypeConstraint) != 0;
        if (!valueType) yield return typeof(object);
        foreach (var constraint in parameter.GetGenericParameterConstraints())
            if (!constraint.ContainsGenericParameters && constraint != typeof(ValueType)) yield return constraint;
        yield return typeof(int);
        yield return typeof(string);
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
