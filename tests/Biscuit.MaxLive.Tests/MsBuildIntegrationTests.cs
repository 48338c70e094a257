// The MSBuild integration (tools/maxlive/Biscuit.MaxLive/build/Biscuit.MaxLive.targets), on the
// fixture servers: a good server program compiles its generated budget table in and prints it;
// a server library with an unbounded allocating loop fails its build with maxlive's message.
// Both builds run in one class so they never run concurrently (they share the tool's output).
using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using static Biscuit.MaxLive.Tests.SizeRules;

namespace Biscuit.MaxLive.Tests;

public class MsBuildIntegrationTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Biscuit.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Biscuit.sln) above " + AppContext.BaseDirectory);
    }

    private static (int Code, string Output) Dotnet(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // The test host runs inside `dotnet test`; its MSBuild settings must not leak into the nested build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The configuration this test assembly was built in (its references, the tool included, exist in it).</summary>
    private static string Configuration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name is "Release" ? "Release" : "Debug";

    // The projects the fixtures reference were built with this test project, in the same
    // configuration: only the fixture project itself is compiled (keeps the test fast).
    private static (int Code, string Output) Build(string project) =>
        Dotnet(Path.GetDirectoryName(project)!, "build", project, "-c", Configuration, "-p:BuildProjectReferences=false",
            "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:minimal");

    [Fact]
    public void A_server_build_embeds_its_budget_table_and_an_unbounded_loop_fails_the_build()
    {
        var root = RepositoryRoot();

        var good = Path.Combine(root, "tests/MaxLiveFixtures/GoodServer/GoodServer.csproj");
        var (goodCode, goodOutput) = Build(good);
        Assert.True(goodCode == 0, goodOutput);
        var program = Path.Combine(root, $"tests/MaxLiveFixtures/GoodServer/bin/{Configuration}/net10.0/GoodServer.dll");
        var (runCode, printed) = Dotnet(root, program);
        Assert.Equal(0, runCode);
        Assert.Contains($"Ping={Array(1, 32)}", printed);
        Assert.Contains($"Remember={Array(8, 8)}", printed);
        Assert.Contains($"lookup Ping={Array(1, 32)}", printed);
        Assert.True(File.Exists(Path.Combine(root, $"tests/MaxLiveFixtures/GoodServer/bin/{Configuration}/net10.0/good.maxlive.json")));

        var bad = Path.Combine(root, "tests/MaxLiveFixtures/BadServer.Logic/BadServer.Logic.csproj");
        var (badCode, badOutput) = Build(bad);
        Assert.NotEqual(0, badCode);
        var offset = NewarrOffsetInBadServer(Path.Combine(root, $"tests/MaxLiveFixtures/BadServer.Logic/obj/{Configuration}/net10.0/BadServer.Logic.dll"));
        Assert.Contains($"error ML0001: bad: request List: BadServer.Handlers::List(int) at {offset}: allocation in a loop without a bound", badOutput);
    }

    /// <summary>The offset of `newarr System.Byte` in BadServer's List handler, read with System.Reflection.</summary>
    private static string NewarrOffsetInBadServer(string assemblyPath)
    {
        var context = new AssemblyLoadContext("bad-server", isCollectible: true);
        try
        {
            using var stream = File.OpenRead(assemblyPath);
            var assembly = context.LoadFromStream(stream);
            var method = assembly.GetType("BadServer.Handlers")!.GetMethod("List")!;
            var il = method.GetMethodBody()!.GetILAsByteArray()!;
            for (int i = 0; i + 5 <= il.Length; i++)
            {
                if (il[i] != FixtureAnalysis.Newarr) continue;
                try { if (method.Module.ResolveType(BitConverter.ToInt32(il, i + 1)) == typeof(byte)) return $"IL_{i:x4}"; }
                catch (ArgumentException) { }
            }
            throw new InvalidOperationException("no newarr System.Byte in BadServer.Handlers.List");
        }
        finally { context.Unload(); }
    }
}
