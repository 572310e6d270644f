// Calls with params arrays nested in one statement (one sequence point), some of them with no params
// argument (`Array.Empty`, no allocation): each non-empty array must get its own allocation's verdict,
// and the empty ones none. Not compiled into the test assembly: Verify builds it on its own.
namespace ParamsInOneStatement;

public sealed class Node
{
    public readonly string Name;
    public readonly Node[] Children;
    public Node(string name, Node[] children) { Name = name; Children = children; }
}

public static class Cases
{
    static Node Make(string name, params Node[] children) => new Node(name, children);

    public static Node Case_Tree() =>
        Make("root",
            Make("empty"),
            Make("pair", Make("a"), Make("b")),
            Make("also-empty"),
            Make("one", Make("c")));
}
