using System.Text;

namespace AllocationLens.Bench;

/// <summary>Generates realistic C# files of a given size: classes with methods full of allocation sites.</summary>
public static class CorpusGenerator
{
    public static string File(int lines, int seed = 1)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        sb.AppendLine("using System; using System.Collections.Generic; using System.Linq; using System.Text;");
        sb.AppendLine("namespace Generated;");
        int c = 0;
        while (CountLines(sb) < lines)
        {
            sb.AppendLine($"public sealed class Item{c} {{ public int A; public string Name = \"\"; public Item{c}(int a) {{ A = a; }} }}");
            sb.AppendLine($"public static class Service{c}");
            sb.AppendLine("{");
            sb.AppendLine($"    static object? s_last;");
            for (int m = 0; m < 8; m++)
            {
                sb.AppendLine($"    public static int Method{m}(int n, IEnumerable<int> values)");
                sb.AppendLine("    {");
                sb.AppendLine($"        var item = new Item{c}(n);");
                sb.AppendLine("        int total = item.A;");
                sb.AppendLine("        var list = new List<int>();");
                sb.AppendLine("        for (int i = 0; i < n; i++) { list.Add(i); total += new Item" + c + "(i).A; }");
                sb.AppendLine("        foreach (var v in values) total += v;");
                sb.AppendLine(random.Next(2) == 0 ? "        s_last = item;" : "        object boxed = total; s_last = boxed;");
                sb.AppendLine("        Func<int, int> f = x => x + n;");
                sb.AppendLine("        string text = \"n=\" + n + $\" total={total}\";");
                sb.AppendLine("        return f(total) + text.Length + list.Where(x => x > 1).Count();");
                sb.AppendLine("    }");
            }
            sb.AppendLine("}");
            c++;
        }
        return sb.ToString();
    }

    private static int CountLines(StringBuilder sb)
    {
        int n = 0;
        foreach (var chunk in sb.GetChunks())
            foreach (var ch in chunk.Span) if (ch == '\n') n++;
        return n;
    }
}
