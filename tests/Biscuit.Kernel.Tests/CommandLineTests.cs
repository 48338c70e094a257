// Specification of the kernel command line (microkernel/Kernel/Boot/CommandLine.cs).
using System.Text;
using Biscuit.Kernel.Boot;

namespace Biscuit.Kernel.Tests;

public unsafe class CommandLineTests
{
    private static (CommandLine options, string[] unknown) Parse(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        fixed (byte* p = bytes)
        {
            var options = CommandLine.Parse(p, bytes.Length);
            var unknown = new string[options.UnknownCount];
            for (int i = 0; i < unknown.Length; i++)
                unknown[i] = text.Substring(options.UnknownStart(i), options.UnknownLength(i));
            return (options, unknown);
        }
    }

    [Fact]
    public void The_first_word_is_the_kernel_file_name_not_an_option()
    {
        var (o, unknown) = Parse("/path/to/kernel.bin");
        Assert.Empty(unknown);
        Assert.False(o.ExitAfterReady);
        Assert.Equal(DeliberateFault.None, o.Fault);
    }

    [Theory]
    [InlineData("fault=null", DeliberateFault.NullDereference)]
    [InlineData("fault=gp", DeliberateFault.GeneralProtection)]
    [InlineData("fault=ud", DeliberateFault.InvalidOpcode)]
    [InlineData("fault=divide", DeliberateFault.DivideError)]
    [InlineData("fault=stack", DeliberateFault.StackOverflow)]
    public void Fault_options_select_the_deliberate_fault(string option, DeliberateFault expected)
    {
        var (o, unknown) = Parse("kernel.bin  exit=ready " + option);
        Assert.Empty(unknown);
        Assert.True(o.ExitAfterReady);
        Assert.Equal(expected, o.Fault);
    }

    [Fact]
    public void Unknown_options_are_reported_by_position_and_do_not_stop_parsing()
    {
        var (o, unknown) = Parse("kernel.bin quiet fault=bogus exit=ready EXIT=ready");
        Assert.Equal(new[] { "quiet", "fault=bogus", "EXIT=ready" }, unknown);
        Assert.True(o.ExitAfterReady);
    }

    [Fact]
    public void At_most_a_fixed_number_of_unknown_options_are_remembered()
    {
        var text = "kernel.bin" + string.Concat(Enumerable.Range(0, 20).Select(i => $" x{i}"));
        var (o, unknown) = Parse(text);
        Assert.Equal(CommandLine.MaxUnknown, unknown.Length);
        Assert.Equal("x0", unknown[0]);
    }
}
