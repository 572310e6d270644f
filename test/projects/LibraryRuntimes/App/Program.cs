namespace App;

public static class Program
{
    public static void Main() => System.Console.WriteLine(Lib.Shapes.Area(2));
}
