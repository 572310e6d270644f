namespace MeasureFixture;

/// <summary>
/// Writes what a workload allocated, as the runtime counted it on the test's thread, to
/// measure-expected/NAME.txt beside the build: "bytes objects" (objects: how many the workload made, or 0
/// when the framework decides). The tests of Measure read these files.
/// </summary>
public static class Expected
{
    public static void Record(string name, long bytes, long objects)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "measure-expected");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".txt"), $"{bytes} {objects}");
    }
}
