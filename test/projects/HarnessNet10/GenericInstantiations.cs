// Class 2 (found on Newtonsoft.Json's EnumUtils.GetFlagsValues): a generic method constrained to `struct`
// that reads its enum's underlying type. Compiled for an arbitrary `int`, `Enum.GetUnderlyingType` folds to
// a throw and the loop's box disappears from the listing; this assembly calls it with an enum, which the
// JIT host must use, so the box the callers pay for is judged.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace HarnessNet10;

public static class FlagValues
{
    public static List<T> Of<T>(T value) where T : struct
    {
        var underlying = Enum.GetUnderlyingType(value.GetType());
        var selected = new List<T>();
        ulong bits = Convert.ToUInt64(value, CultureInfo.InvariantCulture);
        for (int bit = 0; bit < 64; bit++)
        {
            ulong v = bits & (1UL << bit);
            if (v != 0) selected.Add((T)Convert.ChangeType(v, underlying, CultureInfo.InvariantCulture));
        }
        return selected;
    }

    public static int Count() => Of(AttributeTargets.Class | AttributeTargets.Method).Count;
}
