// Benchmark "boot": time from QEMU's spawn to the kernel's "biscuit: ready" line, as the host sees
// it on the serial console (includes QEMU start-up and SeaBIOS), over N boots; and the kernel
// image's size.
namespace Biscuit.Bench;

public static class BootBenchmark
{
    public static Dictionary<string, object> Run(string build, int repetitions, Action<string> progress)
    {
        var readyTimes = new List<double>();
        var bannerTimes = new List<double>();
        for (int i = 0; i < repetitions; i++)
        {
            progress($"boot {i + 1}/{repetitions}");
            var (code, lines) = Qemu.Boot(build, "512M", "exit=ready", TimeSpan.FromSeconds(60));
            var ready = lines.FirstOrDefault(l => l.Text.Contains("biscuit: ready"));
            var banner = lines.FirstOrDefault(l => l.Text.Contains("Biscuit "));
            if (code != 1 || ready == null || banner == null)
                throw new InvalidOperationException($"boot {i + 1} failed (QEMU exit {code}):\n" +
                    string.Join("\n", lines.Select(l => l.Text)));
            readyTimes.Add(ready.Seconds);
            bannerTimes.Add(banner.Seconds);
        }
        return new Dictionary<string, object>
        {
            ["qemu_spawn_to_ready_s"] = Summary.Of(readyTimes),
            ["qemu_spawn_to_banner_s"] = Summary.Of(bannerTimes),
            ["kernel_bin_bytes"] = new FileInfo(Path.Combine(build, "kernel.bin")).Length,
            ["kernel_elf_bytes"] = new FileInfo(Path.Combine(build, "kernel.elf")).Length,
            ["memory"] = "512M",
            ["repetitions"] = repetitions,
        };
    }
}
