// The three statements of Biscuit's native call numbers agree: the table in
// microkernel/Kernel/Syscalls/Syscalls.md (the specification), the C# bindings
// (lib/Biscuit.Lib/Kernel/SyscallNumbers.cs) and the C bindings (tests/guest/biscuit.h), and the
// kernel's dispatcher (microkernel/Kernel/Syscalls/NativeCalls.cs) has a case for each number.
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Biscuit.Lib.Kernel;

namespace Biscuit.Kernel.Tests;

public class SyscallTableTests
{
    private static string RepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("not found above the test's directory", relative);
    }

    // "| 0x817 | `process_create` | ..." rows of Syscalls.md.
    private static Dictionary<string, long> Specified()
    {
        var table = new Dictionary<string, long>();
        foreach (Match m in Regex.Matches(File.ReadAllText(RepositoryFile("microkernel/Kernel/Syscalls/Syscalls.md")),
                     @"^\| 0x([0-9A-Fa-f]+) \| `([a-z_0-9]+)` \|", RegexOptions.Multiline))
            table.Add(m.Groups[2].Value, long.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        return table;
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    [Fact]
    public void The_specification_lists_the_application_process_calls()
    {
        var spec = Specified();
        Assert.Equal(0x817, spec["process_create"]);
        Assert.Equal(0x818, spec["process_set_personality"]);
        Assert.Equal(0x819, spec["process_read"]);
        Assert.Equal(0x81A, spec["process_write"]);
        Assert.Equal(0x81B, spec["process_mmap"]);
        Assert.Equal(0x81C, spec["process_mprotect"]);
        Assert.Equal(0x81D, spec["process_start"]);
        Assert.Equal(0x81E, spec["ipc_reply_pending"]);
    }

    [Fact]
    public void The_specification_lists_process_fork_at_the_next_free_number() =>
        Assert.Equal(0x81F, Specified()["process_fork"]);

    [Fact]
    public void Every_specified_call_has_the_same_number_in_the_CSharp_bindings()
    {
        var fields = typeof(SyscallNumbers).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => f.Name, f => (long)f.GetRawConstantValue()!);
        foreach (var (name, number) in Specified())
        {
            Assert.True(fields.TryGetValue(Pascal(name), out long bound), $"SyscallNumbers has no {Pascal(name)} ({name})");
            Assert.Equal((name, number), (name, bound));
        }
        Assert.Equal(Specified().Count, fields.Count);
    }

    [Fact]
    public void Every_specified_call_has_the_same_number_in_the_C_bindings()
    {
        // enum { SYS_a = 0x800, SYS_b, ... }: a name without a value is the previous one plus one.
        string file = File.ReadAllText(RepositoryFile("tests/guest/biscuit.h"));
        int start = file.IndexOf("SYS_debug_write", StringComparison.Ordinal);
        string header = file[start..file.IndexOf("};", start, StringComparison.Ordinal)];
        var c = new Dictionary<string, long>();
        long next = 0;
        foreach (Match m in Regex.Matches(header, @"SYS_([a-z_0-9]+)(?:\s*=\s*0x([0-9A-Fa-f]+))?\s*[,}]"))
        {
            if (m.Groups[2].Success) next = long.Parse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            c[m.Groups[1].Value] = next++;
        }
        foreach (var (name, number) in Specified())
        {
            Assert.True(c.TryGetValue(name, out long bound), $"biscuit.h has no SYS_{name}");
            Assert.Equal((name, number), (name, bound));
        }
    }

    [Fact]
    public void The_kernels_dispatcher_has_a_case_for_every_specified_number()
    {
        string dispatcher = File.ReadAllText(RepositoryFile("microkernel/Kernel/Syscalls/NativeCalls.cs"));
        var cases = Regex.Matches(dispatcher, @"case 0x([0-9A-Fa-f]+):")
            .Select(m => long.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToHashSet();
        foreach (var (name, number) in Specified())
            Assert.True(cases.Contains(number), $"NativeCalls.cs has no case 0x{number:X} ({name})");
    }
}
