// The host's e2fsprogs as test judges: mke2fs builds images (from a staging folder with -d), e2fsck -fn
// says whether what the library wrote is a clean file system, debugfs reads it back independently.
// Every image lives in a TempDirectory that the test disposes.
namespace Biscuit.Fs.Tests;

using System.Diagnostics;

public static class E2fsTools
{
    public static (int ExitCode, string Output) Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(FindTool(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    private static string FindTool(string tool)
    {
        foreach (var dir in new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" })
            if (File.Exists(Path.Combine(dir, tool)))
                return Path.Combine(dir, tool);
        throw new InvalidOperationException($"{tool} not found: install the Debian package e2fsprogs");
    }

    /// <summary>Makes an image of sizeKiB KiB at `image` (ext2 unless extra has -t); extra options go before the image name.</summary>
    public static void MakeImage(string image, int sizeKiB, int blockSize, string? staging = null, params string[] extra)
    {
        var args = new List<string> { "-q", "-F", "-b", blockSize.ToString(), "-E", "root_owner=0:0" };
        if (!extra.Contains("-t"))
            args.AddRange(new[] { "-t", "ext2" });
        if (staging != null)
        {
            args.Add("-d");
            args.Add(staging);
        }
        args.AddRange(extra);
        args.Add(image);
        args.Add($"{sizeKiB}k");
        var (code, output) = Run("mke2fs", args.ToArray());
        Assert.True(code == 0, $"mke2fs {string.Join(' ', args)} failed: {output}");
    }

    /// <summary>Asserts that e2fsck -fn finds nothing to fix.</summary>
    public static void AssertClean(string image)
    {
        var (code, output) = Run("e2fsck", "-fn", image);
        Assert.True(code == 0, $"e2fsck -fn reports problems (exit {code}):\n{output}");
    }

    public static string Debugfs(string image, string request, bool write = false)
    {
        var (code, output) = write ? Run("debugfs", "-w", "-R", request, image) : Run("debugfs", "-R", request, image);
        Assert.True(code == 0, $"debugfs -R '{request}' failed: {output}");
        return output;
    }

    /// <summary>The physical block of logical block `logical` of `path`, by debugfs's bmap.</summary>
    public static long BlockOf(string image, string path, long logical)
    {
        string output = Debugfs(image, $"bmap {path} {logical}");
        var line = output.Split('\n').Last(l => l.Trim().Length > 0 && char.IsDigit(l.Trim()[0]));
        return long.Parse(line.Trim());
    }

    /// <summary>The inode number of `path`, by debugfs.</summary>
    public static uint InodeOf(string image, string path)
    {
        string output = Debugfs(image, $"stat {path}");
        var marker = "Inode: ";
        int at = output.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        int end = at;
        while (char.IsDigit(output[end]))
            end++;
        return uint.Parse(output[at..end]);
    }
}

/// <summary>A fresh temporary directory, deleted on Dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("biscuit-fs-").FullName;

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
