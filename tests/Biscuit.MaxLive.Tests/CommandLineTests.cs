// The maxlive command line: analyze writes the JSON table and the generated C#, explain prints a
// derivation; bad input gets a clear message and exit code 2, analysis errors exit code 1 with
// one MSBuild-format error line each (so an Exec task fails the build).
using static Biscuit.MaxLive.Tests.SizeRules;

namespace Biscuit.MaxLive.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("maxlive-cli-").FullName;
    private static string GoodAssembly => typeof(GoodServer.Handlers).Assembly.Location;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var code = Program.Run(args, output, errors);
        return (code, output.ToString(), errors.ToString());
    }

    [Fact]
    public void Analyze_writes_a_json_table_and_a_csharp_budget_class()
    {
        var table = Path.Combine(_dir, "good.json");
        var source = Path.Combine(_dir, "Budgets.cs");
        var (code, output, _) = Run("analyze", GoodAssembly, "--server", "good", "--out", table, "--cs", source, "--namespace", "Good.Budgets", "--class", "Table");
        Assert.Equal(0, code);
        Assert.Contains($"maxlive: good Ping = {Array(1, 32)} B", output);
        var generated = File.ReadAllText(source);
        Assert.Contains("namespace Good.Budgets;", generated);
        Assert.Contains("public static class Table", generated);
        Assert.Contains($"public const long Ping = {Array(1, 32)};", generated);
        Assert.Contains($"case \"Remember\": bytes = {Array(8, 8)}; return true;", generated);
        Assert.Contains("\"server\": \"good\"", File.ReadAllText(table));
    }

    [Fact]
    public void Explain_prints_the_derivation_from_the_table()
    {
        var table = Path.Combine(_dir, "good.json");
        Assert.Equal(0, Run("analyze", GoodAssembly, "--server", "good", "--out", table).Code);
        var (code, output, _) = Run("explain", "good", "Ping", "--table", table);
        Assert.Equal(0, code);
        Assert.Contains($"good Ping: {Array(1, 32)} B, handler GoodServer.Handlers::Ping()", output);
        Assert.Contains("new System.Byte[32] (56 B) = 56 B -> stack-only", output);
        Assert.Contains("worst stack path: Ping", output);
    }

    [Fact]
    public void Analysis_errors_exit_1_with_msbuild_format_messages_and_no_generated_source()
    {
        var table = Path.Combine(_dir, "basic.json");
        var source = Path.Combine(_dir, "Stale.cs");
        File.WriteAllText(source, "// a stale table from an earlier build");
        var (code, _, errors) = Run("analyze", FixtureAnalysis.AssemblyPath, "--server", "basic", "--out", table, "--cs", source);
        Assert.Equal(1, code);
        Assert.Contains("maxlive : error ML0001: basic: request UnboundedLoop: MaxLiveFixtures.Loops::UnboundedLoop(int) at IL_", errors);
        Assert.False(File.Exists(source));
        var (explainCode, explained, _) = Run("explain", "basic", "UnboundedLoop", "--table", table);
        Assert.Equal(1, explainCode);
        Assert.Contains("no budget (errors)", explained);
        Assert.Contains("error: MaxLiveFixtures.Loops::UnboundedLoop(int) at IL_", explained);
    }

    [Theory]
    [InlineData(new string[0], "no command")]
    [InlineData(new[] { "frobnicate" }, "unknown command \"frobnicate\"")]
    [InlineData(new[] { "analyze" }, "no assemblies given")]
    [InlineData(new[] { "analyze", "x.dll", "--out", "t.json" }, "--server NAME is required")]
    [InlineData(new[] { "analyze", "x.dll", "--server", "s" }, "--out table.json is required")]
    [InlineData(new[] { "analyze", "x.dll", "--server" }, "--server needs a value")]
    [InlineData(new[] { "analyze", "x.dll", "--bogus", "1" }, "unknown option --bogus")]
    [InlineData(new[] { "explain", "only-server" }, "explain needs a server name and a request name")]
    public void Bad_command_lines_exit_2_with_usage(string[] args, string message)
    {
        var (code, _, errors) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, errors);
        Assert.Contains("usage: maxlive analyze", errors);
    }

    [Fact]
    public void A_missing_assembly_is_a_clear_error()
    {
        var (code, _, errors) = Run("analyze", Path.Combine(_dir, "missing.dll"), "--server", "s", "--out", Path.Combine(_dir, "t.json"));
        Assert.Equal(2, code);
        Assert.Contains("assembly not found", errors);
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_a_clear_error()
    {
        var notAssembly = Path.Combine(_dir, "notes.dll");
        File.WriteAllText(notAssembly, "this is not a PE file");
        var (code, _, errors) = Run("analyze", notAssembly, "--server", "s", "--out", Path.Combine(_dir, "t.json"));
        Assert.Equal(2, code);
        Assert.Contains("notes.dll: not a readable .NET assembly", errors);
    }

    [Fact]
    public void An_assembly_without_request_handlers_is_an_error()
    {
        var annotations = typeof(Biscuit.Annotations.RequestHandlerAttribute).Assembly.Location;
        var (code, _, errors) = Run("analyze", annotations, "--server", "s", "--out", Path.Combine(_dir, "t.json"));
        Assert.Equal(1, code);
        Assert.Contains("no method carries [RequestHandler", errors);
    }

    [Fact]
    public void Explain_reports_a_missing_table_an_unknown_request_and_a_corrupt_table()
    {
        var (missingCode, _, missing) = Run("explain", "good", "Ping", "--table", Path.Combine(_dir, "none.json"));
        Assert.Equal(2, missingCode);
        Assert.Contains("budget table not found", missing);

        var table = Path.Combine(_dir, "good.json");
        Run("analyze", GoodAssembly, "--server", "good", "--out", table);
        var (unknownCode, _, unknown) = Run("explain", "good", "Write", "--table", table);
        Assert.Equal(2, unknownCode);
        Assert.Contains("server good has no request \"Write\" (it has: Ping, Remember)", unknown);
        var (wrongCode, _, wrong) = Run("explain", "fs", "Ping", "--table", table);
        Assert.Equal(2, wrongCode);
        Assert.Contains("the table is for server \"good\"", wrong);

        File.WriteAllText(table, "{ not json");
        var (corruptCode, _, corrupt) = Run("explain", "good", "Ping", "--table", table);
        Assert.Equal(2, corruptCode);
        Assert.Contains("not a maxlive budget table", corrupt);
    }
}
