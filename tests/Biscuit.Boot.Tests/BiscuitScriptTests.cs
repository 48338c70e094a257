// The ./biscuit entry script refuses bad input with a clear message and exit status 2.
namespace Biscuit.Boot.Tests;

public class BiscuitScriptTests
{
    private static (int ExitCode, string Output) Biscuit(string args) =>
        Repository.Run(Path.Combine(Repository.Root, "biscuit"), args, TimeSpan.FromSeconds(30));

    [Fact]
    public void An_unknown_subcommand_is_named_and_exits_with_status_2()
    {
        var (code, output) = Biscuit("frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown subcommand 'frobnicate'", output);
        Assert.Contains("./biscuit run", output);   // the usage is shown
    }

    [Fact]
    public void A_bad_port_is_refused_before_anything_is_built()
    {
        var (code, output) = Biscuit("run --port eighty");
        Assert.Equal(2, code);
        Assert.Contains("--port needs a number", output);
    }

    [Fact]
    public void An_unknown_option_is_refused()
    {
        var (code, output) = Biscuit("test --bogus");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--bogus'", output);
    }
}
