using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>
/// The AllocationSampled estimator, checked against a simulation of the runtime's sampling model (a coin
/// with p = 1/102,400 per byte, an object reported at its first winning byte): summed weights must
/// estimate the bytes and objects allocated, whatever the objects' sizes.
/// </summary>
public sealed class SampleWeightTests
{
    [Theory]
    [InlineData(24)]
    [InlineData(424)]
    [InlineData(85_000)]
    [InlineData(1_000_000)]
    public void Summed_weights_estimate_what_was_allocated(int size)
    {
        var random = new Random(size);
        long total = 400_000_000, objects = total / size;
        double bytes = 0, count = 0;
        // The per-byte Bernoulli process: the gap to the next winning byte is geometric.
        long next = Geometric(random);
        for (long i = 0; i < objects; i++)
        {
            if (next >= size) { next -= size; continue; }
            var weight = SampleWeight.Sampled(size);
            bytes += weight.Bytes;
            count += weight.Objects;
            // Trials stop at the sampled object's end; the next gap starts after it.
            next = Geometric(random);
        }
        Assert.InRange(bytes / total, 0.93, 1.07);
        Assert.InRange(count / objects, 0.93, 1.07);
    }

    [Fact]
    public void A_large_object_is_nearly_certain_to_be_sampled_and_weighs_about_its_size()
    {
        var weight = SampleWeight.Sampled(10_000_000);
        Assert.InRange(weight.Bytes, 10_000_000, 10_000_001);
        Assert.InRange(weight.Objects, 1, 1.0001);
        Assert.Equal(new SampleWeight(0, 0), SampleWeight.Sampled(0));
    }

    [Fact]
    public void A_tick_stands_for_the_bytes_since_the_previous_tick()
    {
        var weight = SampleWeight.Tick(102_400, 32);
        Assert.Equal(102_400, weight.Bytes);
        Assert.Equal(3200, weight.Objects);
    }

    private static long Geometric(Random random) =>
        (long)Math.Floor(Math.Log(1 - random.NextDouble()) / Math.Log(1 - SampleWeight.SamplingProbability));
}
