namespace Shapes;

// Calls into Shapes.cs: their hovers say what each call allocates (call summaries across files).
public static class Calls
{
    public static void Keep(double r) => Geometry.Remember(r);

    public static double Measure(double r) => Geometry.Area(r);
}
