namespace Net8App;

/// <summary>Makes Net8App an app (OutputType Exe): it runs on .NET 8, so its files are judged for .NET 8. Allocates nothing.</summary>
public static class Program
{
    public static void Main() { }
}
