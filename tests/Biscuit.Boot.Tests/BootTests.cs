// The kernel boots to "biscuit: ready" and describes the machine it found truthfully.
using System.Text.RegularExpressions;

namespace Biscuit.Boot.Tests;

public class BootTests
{
    [Theory]
    [InlineData(128)]
    [InlineData(512)]
    [InlineData(1024)]
    public void Boots_to_ready_and_reports_the_memory_QEMU_was_given(int megabytes)
    {
        var run = QemuRun.Boot($"{megabytes}M", "exit=ready");
        Assert.True(run.ExitStatus == QemuRun.KernelSuccess, run.ToString());
        Assert.Contains("biscuit: ready", run.Serial);

        // QEMU's firmware keeps the 384 KiB below 1 MiB and a few hundred KiB at the top of RAM.
        var usable = Regex.Match(run.Line("memory: "), @"memory: (\d+) KiB usable");
        Assert.True(usable.Success, run.ToString());
        long kib = long.Parse(usable.Groups[1].Value);
        Assert.InRange(kib, megabytes * 1024L - 1024, megabytes * 1024L);
    }

    [Fact]
    public void Prints_the_banner_memory_summary_and_timer_before_ready_in_that_order()
    {
        var run = QemuRun.Boot("256M", "exit=ready");
        Assert.True(run.ExitStatus == QemuRun.KernelSuccess, run.ToString());
        int banner = run.Serial.IndexOf("Biscuit ", StringComparison.Ordinal);
        int memory = run.Serial.IndexOf("memory: ", StringComparison.Ordinal);
        int pools = run.Serial.IndexOf("memory: pools ", StringComparison.Ordinal);
        int timer = run.Serial.IndexOf("timer: PIT at 1000 Hz", StringComparison.Ordinal);
        int sealed_ = run.Serial.IndexOf("sealed: the kernel allocates nothing from here on", StringComparison.Ordinal);
        int ready = run.Serial.IndexOf("biscuit: ready", StringComparison.Ordinal);
        Assert.True(banner >= 0 && banner < memory && memory < pools && pools < timer && timer < sealed_ && sealed_ < ready,
            run.ToString());
    }

    [Fact]
    public void The_free_memory_figure_is_consistent_with_what_boot_set_aside()
    {
        var run = QemuRun.Boot("512M", "exit=ready");
        Assert.True(run.ExitStatus == QemuRun.KernelSuccess, run.ToString());
        long usable = long.Parse(Regex.Match(run.Serial, @"memory: (\d+) KiB usable").Groups[1].Value);
        long free = long.Parse(Regex.Match(run.Serial, @"memory: (\d+) KiB free in (\d+) frames").Groups[1].Value);
        long frames = long.Parse(Regex.Match(run.Serial, @"memory: (\d+) KiB free in (\d+) frames").Groups[2].Value);
        long pools = long.Parse(Regex.Match(run.Serial, @"memory: pools (\d+) KiB").Groups[1].Value);
        Assert.Equal(free, frames * 4);
        Assert.True(free + pools < usable, run.ToString());
        Assert.True(free > usable / 2, run.ToString());
    }

    [Fact]
    public void An_unknown_kernel_option_is_named_in_a_warning_and_boot_continues()
    {
        var run = QemuRun.Boot("128M", "frobnicate=7 exit=ready");
        Assert.True(run.ExitStatus == QemuRun.KernelSuccess, run.ToString());
        Assert.Contains("biscuit: warning: unknown kernel option 'frobnicate=7' ignored", run.Serial);
        Assert.Contains("biscuit: ready", run.Serial);
    }

    [Fact]
    public void Too_little_memory_for_the_boot_pools_is_a_clear_panic_with_the_numbers()
    {
        var run = QemuRun.Boot("16M", "exit=ready");
        Assert.True(run.ExitStatus == QemuRun.KernelPanic, run.ToString());
        Assert.Matches(@"boot pools need \d+ KiB plus \d+ KiB for user space, but only \d+ KiB is free", run.Serial);
        Assert.Contains("biscuit: panic: too little memory for the boot pools", run.Serial);
        Assert.DoesNotContain("biscuit: ready", run.Serial);
    }

    [Fact]
    public void Without_the_exit_option_the_kernel_keeps_running_after_ready()
    {
        var run = QemuRun.Boot("128M", "", timeoutSeconds: 15);
        Assert.True(run.TimedOut, "QEMU should still be running: " + run);
        Assert.Contains("biscuit: ready", run.Serial);
    }
}
