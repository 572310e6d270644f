using System.Collections.Generic;

namespace Shapes;

public static class Buffers
{
    public static List<Circle> Rings(int rings, int perRing)
    {
        var all = new List<Circle>(rings * perRing);
        for (int i = 0; i < rings; i++)
        {
            for (int j = 0; j < perRing; j++)
                all.Add(new Circle(i + j / 10.0));
        }
        return all;
    }
}
