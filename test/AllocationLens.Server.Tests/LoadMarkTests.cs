using AllocationLens.Server;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>While a load runs, requests judge their members on one core: the load holds the others.</summary>
public sealed class LoadMarkTests
{
    [Fact]
    public void A_load_mark_holds_until_its_last_holder_lets_go_and_letting_go_twice_counts_once()
    {
        var host = new AnalysisHost(new ServerLog());
        Assert.False(host.LoadInProgress);
        var first = host.LoadRunning();
        var second = host.LoadRunning();
        first.Dispose();
        first.Dispose();
        Assert.True(host.LoadInProgress);
        second.Dispose();
        Assert.False(host.LoadInProgress);
    }
}
