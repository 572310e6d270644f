namespace PinnedSdk;

public static class Pinned
{
    public static object? Last;
    public static void Keep() => Last = new object();
}
