namespace AllocationLens.Analysis;

/// <summary>The one word a user sees after an allocation-looking expression.</summary>
public enum AllocationKind
{
    /// <summary>A new object on the GC heap.</summary>
    Heap,
    /// <summary>A heap object that is the box of a value type.</summary>
    Boxed,
    /// <summary>Looks like an allocation, but no GC heap object is created per call in steady state.</summary>
    Stack,
}
