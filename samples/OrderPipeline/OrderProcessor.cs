using System.Text;

namespace OrderPipeline;

public sealed class OrderProcessor
{
    private readonly List<Order> _orders = new();
    private LineTotal? _lastTotal;
    private readonly StringBuilder _report = new(1024);

    public void Add(Order order) => _orders.Add(order);

    // Stays on the stack on .NET 10: the LineTotal never leaves this method.
    public decimal GrossOf(Order order)
    {
        var total = new LineTotal(order.Amount, order.Amount * 0.2m);
        return total.Gross;
    }

    // Heap: the object is stored in a field, so it outlives the call.
    public decimal Remember(Order order)
    {
        var total = new LineTotal(order.Amount, 0m);
        _lastTotal = total;
        return total.Net;
    }

    // Heap on every call: returned to the caller.
    public static LineTotal Make(decimal net) => new LineTotal(net, net * 0.2m);

    // Boxed: the decimal is converted to object for Console.WriteLine(string, object).
    public static void Log(decimal amount) => Console.WriteLine("amount: {0}", amount);

    // A closure over `min` is allocated when the method starts, and the lambda's delegate with it.
    public int CountLarge(decimal min) => _orders.Count(o => o.Amount > min);

    // Cached: a non-capturing lambda is created once.
    public int CountPaid() => _orders.Count(o => o.Status == OrderStatus.Paid);

    // A new string per call, and the enum's ToString boxes it first.
    public string Describe(Order order) => $"#{order.Id} {order.Customer}: " + order.Status.ToString();

    // No allocation: the handler writes into the StringBuilder.
    public void AppendLine(Order order) => _report.Append($"{order.Id};{order.Amount}\n");

    // The list grows while it fills: give it a capacity.
    public List<int> Ids()
    {
        var ids = new List<int>();
        foreach (var order in _orders) ids.Add(order.Id);
        return ids;
    }

    // The enumerator of an IEnumerable<T> parameter is a heap object (its concrete type is unknown here).
    public static decimal Sum(IEnumerable<Order> orders)
    {
        decimal sum = 0;
        foreach (var order in orders) sum += order.Amount;
        return sum;
    }

    // Small constant-length array kept local: .NET 10 puts it on the stack.
    public static int Checksum(int id)
    {
        var digits = new int[4];
        for (int i = 0; i < digits.Length; i++) digits[i] = (id >> (i * 8)) & 0xFF;
        return digits[0] ^ digits[1] ^ digits[2] ^ digits[3];
    }

    // Allocated in a loop: never stack-allocated, whatever the escape analysis says.
    public decimal TotalTax()
    {
        decimal tax = 0;
        foreach (var order in _orders)
        {
            var line = new LineTotal(order.Amount, order.Amount * 0.2m);
            tax += line.Tax;
        }
        return tax;
    }
}
