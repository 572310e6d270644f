namespace SlnxLib;

public sealed class Entry
{
    public string Name;
    public Entry(string name) { Name = name; }
}

public static class Registry
{
    private static Entry? s_last;

    public static Entry Register(string name) => s_last = new Entry(name);
}
