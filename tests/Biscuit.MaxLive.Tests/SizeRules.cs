// The size model of tools/maxlive/README.md, written again independently with System.Reflection,
// so that expected budgets are derived from the documented rules and not from the tool's output:
//   object = 16 + per class level round8(sum of its instance field sizes), at least 24;
//   array  = round8(24 + n * element size), at least 24;  string = round8(22 + 2n);
//   box    = round8(16 + value size), at least 24; an [InlineArray(n)] struct is n times its field.
using System.Reflection;

namespace Biscuit.MaxLive.Tests;

public static class SizeRules
{
    public static long RoundUp8(long value) => (value + 7) / 8 * 8;

    public static long Object(Type type)
    {
        long fields = 0;
        for (var level = type; level != null && level != typeof(object); level = level.BaseType)
        {
            long own = level.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Sum(f => Inline(f.FieldType));
            fields += RoundUp8(own);
        }
        return Math.Max(24, 16 + fields);
    }

    public static long Array(long elementSize, long length) => Math.Max(24, RoundUp8(24 + length * elementSize));

    public static long String(long length) => RoundUp8(16 + 4 + 2 * (length + 1));

    public static long Box(Type valueType) => Math.Max(24, RoundUp8(16 + Inline(valueType)));

    /// <summary>Bytes a value of this type takes inside an object or array.</summary>
    public static long Inline(Type type)
    {
        if (!type.IsValueType) return 8;
        if (type == typeof(bool) || type == typeof(byte) || type == typeof(sbyte)) return 1;
        if (type == typeof(char) || type == typeof(short) || type == typeof(ushort)) return 2;
        if (type == typeof(int) || type == typeof(uint) || type == typeof(float)) return 4;
        if (type == typeof(long) || type == typeof(ulong) || type == typeof(double) || type == typeof(nint) || type == typeof(nuint)) return 8;
        if (type.IsEnum) return Inline(Enum.GetUnderlyingType(type));
        if (type.GetCustomAttribute<System.Runtime.CompilerServices.InlineArrayAttribute>() is { } inline)
            return inline.Length * Inline(type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Single().FieldType);
        // A struct: declaration order, natural alignment, padded to its largest alignment.
        long size = 0, align = 1;
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).OrderBy(f => f.MetadataToken))
        {
            var fieldSize = Inline(field.FieldType);
            var fieldAlign = field.FieldType.IsValueType && !field.FieldType.IsPrimitive && !field.FieldType.IsEnum ? AlignOf(field.FieldType) : Math.Min(fieldSize, 8);
            align = Math.Max(align, fieldAlign);
            size = (size + fieldAlign - 1) / fieldAlign * fieldAlign + fieldSize;
        }
        return size == 0 ? 1 : (size + align - 1) / align * align;
    }

    private static long AlignOf(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(f => f.FieldType.IsValueType && !f.FieldType.IsPrimitive && !f.FieldType.IsEnum ? AlignOf(f.FieldType) : Math.Min(Inline(f.FieldType), 8))
            .DefaultIfEmpty(1).Max();

    /// <summary>Arrays allocated growing a List/Queue/Stack from empty to n elements: capacities 4, 8, 16, ...</summary>
    public static long DoublingGrowth(long elementSize, long n)
    {
        long total = 0;
        for (long capacity = 0; capacity < n;)
        {
            capacity = capacity == 0 ? 4 : capacity * 2;
            total += Array(elementSize, capacity);
        }
        return total;
    }
}
