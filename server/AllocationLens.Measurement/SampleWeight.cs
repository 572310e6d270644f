namespace AllocationLens.Measurement;

/// <summary>
/// What one allocation event stands for, as an unbiased estimate.
/// <para>
/// <c>AllocationSampled</c> (.NET 10+): the runtime flips a coin with p = 1/102,400 for every allocated
/// byte and reports an object as soon as one of its bytes wins, so an object of s bytes is reported with
/// probability 1 − (1 − p)^s. Weighting each report by the inverse of that probability (the runtime's
/// design document, "Randomized Allocation Sampling", estimation approach 1) gives unbiased estimates:
/// s / (1 − (1 − p)^s) bytes and 1 / (1 − (1 − p)^s) objects per sample, summed over samples.
/// </para>
/// <para>
/// <c>AllocationTick</c> (.NET 8 and 9): emitted about every 100 KB with the bytes allocated since the
/// previous tick (of any type, on that heap), charged to the object that crossed the threshold. The
/// estimate is that amount, and that amount divided by the object's size as objects. It is not a random
/// sample (fixed stride), so periodic allocation patterns can bias it; the output says which was used.
/// </para>
/// </summary>
public readonly record struct SampleWeight(double Bytes, double Objects)
{
    public const double SamplingProbability = 1.0 / 102_400;

    public static SampleWeight Sampled(long objectSize)
    {
        if (objectSize <= 0) return new SampleWeight(0, 0);
        // For the smallest objects (s = 24) the probability is about 2.3e-4: the subtraction loses no more
        // than about 1e-12 of it, far below the sampling error.
        double probability = 1 - Math.Pow(1 - SamplingProbability, objectSize);
        return new SampleWeight(objectSize / probability, 1 / probability);
    }

    public static SampleWeight Tick(long allocationAmount, long objectSize) =>
        new(allocationAmount, objectSize > 0 ? (double)allocationAmount / objectSize : 0);
}
