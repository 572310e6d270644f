namespace Lib;

public sealed class Circle
{
    public Circle(double r) { R = r; }
    public double R { get; }
}

public static class Shapes
{
    private static Circle s_last = new Circle(0);

    // Never leaves the method: stack on .NET 9 and later, heap on .NET 8 and .NET Framework.
    public static double Area(double r)
    {
        var c = new Circle(r);
        return 3.14 * c.R * c.R;
    }

    // Escapes to a static field: heap everywhere.
    public static void Remember(double r) => s_last = new Circle(r);
}
