namespace Shapes;

public sealed class Circle
{
    public double Radius;
    public Circle(double radius) { Radius = radius; }
}

public static class Geometry
{
    private static Circle? s_last;

    public static double Area(double r)
    {
        var c = new Circle(r);
        return c.Radius * c.Radius * 3.14159;
    }

    public static void Remember(double r) { s_last = new Circle(r); }

    public static object Boxed(int n) => n;
}
