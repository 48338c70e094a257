// Runs maxlive once over the Fixtures.Basic assembly (shared by every test class) and gives
// helpers to find a request's budget and the IL offset of an instruction, the latter read with
// System.Reflection's MethodBody (independent of the tool's own IL decoder).
using System.Reflection;
using Biscuit.MaxLive.Analysis;
using MaxLiveFixtures;

namespace Biscuit.MaxLive.Tests;

public static class FixtureAnalysis
{
    private static readonly Lazy<AnalysisResult> Result = new(() => Analyzer.Analyze([AssemblyPath], "basic"));

    public static string AssemblyPath => typeof(MaxLiveFixtures.Node).Assembly.Location;

    public static AnalysisResult Basic => Result.Value;

    public static RequestBudget Request(string name) =>
        Basic.Requests.SingleOrDefault(r => r.Request == name) ?? throw new InvalidOperationException($"no request {name}");

    /// <summary>The budget of a request that must have analysed cleanly.</summary>
    public static RequestBudget Clean(string name)
    {
        var budget = Request(name);
        Assert.True(budget.Ok, $"{name}: unexpected errors: {string.Join("; ", budget.Errors)}");
        return budget;
    }

    /// <summary>"IL_xxxx" of the first instruction with this one-byte opcode and metadata token operand.</summary>
    public static string OffsetOf(MethodBase method, byte opcode, int token)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        for (int i = 0; i + 5 <= il.Length; i++)
            if (il[i] == opcode && BitConverter.ToInt32(il, i + 1) == token)
                return $"IL_{i:x4}";
        throw new InvalidOperationException($"{method.Name}: no instruction 0x{opcode:x2} with token 0x{token:x8}");
    }

    /// <summary>"IL_xxxx" of the first call/callvirt/newobj whose operand resolves to a method satisfying `target`.</summary>
    public static string OffsetOfCall(MethodBase method, Func<MethodBase, bool> target)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        for (int i = 0; i + 5 <= il.Length; i++)
        {
            if (il[i] is not (Call or Callvirt or Newobj)) continue;
            MethodBase? callee;
            try { callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1), method.DeclaringType!.GetGenericArguments(), null); }
            catch (ArgumentException) { continue; }
            if (callee != null && target(callee)) return $"IL_{i:x4}";
        }
        throw new InvalidOperationException($"{method.Name}: no such call");
    }

    public const byte Newobj = 0x73, Newarr = 0x8D, Call = 0x28, Callvirt = 0x6F;

    public static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;
}
