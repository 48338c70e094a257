// maxlive's command line:
//   maxlive analyze <assembly.dll...> --server NAME --out table.json [--cs Budgets.cs]
//                   [--namespace N] [--class C]
//   maxlive explain NAME REQUEST [--table table.json]
// Exit codes: 0 success; 1 analysis errors (each printed in MSBuild's canonical error format, so
// an MSBuild Exec fails the build with the message); 2 bad command line or unreadable input;
// 3 an internal error of maxlive (reported the same way, never as a bare crash).
using Biscuit.MaxLive.Analysis;
using Biscuit.MaxLive.Metadata;
using Biscuit.MaxLive.Output;

namespace Biscuit.MaxLive;

public static class Program
{
    public const string Usage = """
        usage: maxlive analyze <assembly.dll...> --server NAME --out table.json [--cs Budgets.cs] [--namespace N] [--class C]
               maxlive explain NAME REQUEST [--table table.json]
        """;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter errors)
    {
        try
        {
            return args.FirstOrDefault() switch
            {
                "analyze" => Analyze(args[1..], output, errors),
                "explain" => Explain(args[1..], output, errors),
                _ => UsageError(errors, args.Length == 0 ? "no command" : $"unknown command \"{args[0]}\""),
            };
        }
        catch (MaxLiveException e)
        {
            errors.WriteLine($"maxlive : error ML0002: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            errors.WriteLine($"maxlive : error ML0002: {e.Message}");
            return 2;
        }
        catch (Exception e)
        {
            // A defect of maxlive itself: still a clear, build-failing message rather than a crash dump.
            errors.WriteLine($"maxlive : error ML0003: internal error, please report: {e.GetType().Name}: {e.Message}");
            errors.WriteLine(e.StackTrace);
            return 3;
        }
    }

    private static int UsageError(TextWriter errors, string message)
    {
        errors.WriteLine($"maxlive : error ML0000: {message}");
        errors.WriteLine(Usage);
        return 2;
    }

    private static int Analyze(string[] args, TextWriter output, TextWriter errors)
    {
        var assemblies = new List<string>();
        var options = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length) return UsageError(errors, $"{args[i]} needs a value");
                if (args[i] is not ("--server" or "--out" or "--cs" or "--namespace" or "--class"))
                    return UsageError(errors, $"unknown option {args[i]}");
                options[args[i]] = args[++i];
            }
            else assemblies.Add(args[i]);
        }
        if (assemblies.Count == 0) return UsageError(errors, "no assemblies given");
        if (!options.TryGetValue("--server", out var server)) return UsageError(errors, "--server NAME is required");
        if (!options.TryGetValue("--out", out var outPath)) return UsageError(errors, "--out table.json is required");

        var result = Analyzer.Analyze(assemblies, server);
        BudgetTable.Write(result, outPath);
        var csPath = options.GetValueOrDefault("--cs");
        if (!result.Ok)
        {
            if (csPath != null && File.Exists(csPath)) File.Delete(csPath); // never leave a stale table behind
            foreach (var error in result.AllErrors)
                errors.WriteLine($"maxlive : error ML0001: {server}: {error}");
            errors.WriteLine($"maxlive: {server}: analysis failed; see `maxlive explain {server} <Request> --table {outPath}`");
            return 1;
        }
        if (csPath != null)
            File.WriteAllText(csPath, CSharpTable.Generate(result, options.GetValueOrDefault("--namespace", "Biscuit.Generated"),
                options.GetValueOrDefault("--class", "MaxLiveBudgets")));
        foreach (var r in result.Requests)
            output.WriteLine($"maxlive: {server} {r.Request} = {r.Bytes} B");
        return 0;
    }

    private static int Explain(string[] args, TextWriter output, TextWriter errors)
    {
        var positional = new List<string>();
        string? table = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--table")
            {
                if (i + 1 >= args.Length) return UsageError(errors, "--table needs a value");
                table = args[++i];
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) return UsageError(errors, $"unknown option {args[i]}");
            else positional.Add(args[i]);
        }
        if (positional.Count != 2) return UsageError(errors, "explain needs a server name and a request name");
        var (server, request) = (positional[0], positional[1]);
        var result = BudgetTable.Read(table ?? $"{server}.maxlive.json");
        if (result.Server != server)
            throw new MaxLiveException($"the table is for server \"{result.Server}\", not \"{server}\"");
        var budget = result.Requests.FirstOrDefault(r => r.Request == request)
            ?? throw new MaxLiveException($"server {server} has no request \"{request}\" (it has: {string.Join(", ", result.Requests.Select(r => r.Request))})");
        output.WriteLine($"{server} {request}: {(budget.Ok ? $"{budget.Bytes} B" : "no budget (errors)")}, handler {budget.Handler}");
        foreach (var error in budget.Errors) output.WriteLine($"error: {error}");
        foreach (var line in budget.Derivation) output.WriteLine(line);
        return budget.Ok ? 0 : 1;
    }
}
