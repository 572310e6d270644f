using MeasureFixture;

// Every workload once, on this thread, as the test host would run them.
var workloads = new Workloads();
workloads.Objects();
workloads.Boxes();
workloads.Arrays();
workloads.Strings();
workloads.Closures();
workloads.Linq();
workloads.FrameworkCall();
workloads.Quiet();
Console.WriteLine($"MeasureConsole: done on .NET {Environment.Version}");
