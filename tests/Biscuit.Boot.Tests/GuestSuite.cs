// A test suite that runs inside the guest and prints "ok - NAME" / "not ok - NAME: why" per case:
// either a program from tests/guest run as the first process (GuestSuiteBoot), or a whole system
// — init, a manifest from tests/manifests, servers — whose "wait" client reports (SystemSuiteBoot).
// Booted once per test class; each case is then its own xUnit test.
namespace Biscuit.Boot.Tests;

public abstract class SuiteBoot
{
    public readonly QemuRun Run;

    protected SuiteBoot(QemuRun run) => Run = run;

    public string[] Lines => Run.Serial.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    // The result line of one case, or a failure message naming what is missing.
    public void AssertPassed(string name)
    {
        var result = Lines.FirstOrDefault(l => l == "ok - " + name || l.StartsWith("not ok - " + name + ":", StringComparison.Ordinal));
        Assert.True(result != null, $"case '{name}' did not report; {Run}");
        Assert.True(result.StartsWith("ok - ", StringComparison.Ordinal), result);
    }

    public void AssertReportedExactly(IEnumerable<string> cases, Func<string, bool> isSuiteCase)
    {
        var reported = Lines
            .Where(l => l.StartsWith("ok - ", StringComparison.Ordinal) || l.StartsWith("not ok - ", StringComparison.Ordinal))
            .Select(l => l.StartsWith("ok - ") ? l[5..] : l[9..l.IndexOf(':')])
            .Where(isSuiteCase).ToArray();
        Assert.Equal(cases.OrderBy(c => c), reported.OrderBy(c => c));
        Assert.True(Run.ExitStatus == QemuRun.KernelSuccess, Run.ToString());
    }
}

public abstract class GuestSuiteBoot : SuiteBoot
{
    protected GuestSuiteBoot(string program, string memory, params string[] extraModules)
        : base(QemuRun.Boot(memory, $"init={program} exit=init", timeoutSeconds: 300, new[] { program }.Concat(extraModules).ToArray())) { }
}

public abstract class SystemSuiteBoot : SuiteBoot
{
    protected SystemSuiteBoot(string manifest, params string[] servers)
        : base(QemuRun.BootSystem("512M", manifest, timeoutSeconds: 600, servers)) { }
}
