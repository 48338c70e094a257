// Locates the repository (the folder holding Biscuit.sln) from the test assembly's location, and
// builds the kernel image once per test run with boot/Makefile (incremental: a no-op when
// `./biscuit test` has just built it).
using System.Diagnostics;

namespace Biscuit.Boot.Tests;

public static class Repository
{
    public static readonly string Root = FindRoot();
    public static string Build => Path.Combine(Root, "build");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Biscuit.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Biscuit.sln not found above " + AppContext.BaseDirectory);
    }

    private static readonly Lazy<string> s_image = new(BuildImage, LazyThreadSafetyMode.ExecutionAndPublication);

    // The kernel image's path, built on first use.
    public static string KernelImage => s_image.Value;

    private static string BuildImage()
    {
        var make = Run("make", $"-s -C \"{Path.Combine(Root, "boot")}\" OUT=\"{Build}\"", TimeSpan.FromMinutes(5));
        if (make.ExitCode != 0)
            throw new InvalidOperationException("boot/Makefile failed:\n" + make.Output);
        return Path.Combine(Build, "kernel.bin");
    }

    public static (int ExitCode, string Output) Run(string file, string arguments, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            WorkingDirectory = Root,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return (-1, $"timed out after {timeout}\n" + stdout.Result + stderr.Result);
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
