namespace FxApp;

public static class Program
{
    public static void Main() => System.Console.WriteLine(Lib.Shapes.Area(3));
}
