namespace OrderPipeline;

public sealed record Order(int Id, string Customer, decimal Amount, OrderStatus Status);

public enum OrderStatus { Pending, Paid, Shipped }

public readonly struct Money(decimal amount, string currency)
{
    public decimal Amount { get; } = amount;
    public string Currency { get; } = currency;
}

public sealed class LineTotal
{
    public decimal Net;
    public decimal Tax;
    public LineTotal(decimal net, decimal tax) { Net = net; Tax = tax; }
    public decimal Gross => Net + Tax;
}
