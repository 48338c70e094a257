// Every CPU exception raised in the kernel produces a diagnostic naming the vector and the faulting
// function, and QEMU ends with the kernel's "CPU exception" status — never a silent reset.
namespace Biscuit.Boot.Tests;

public class FaultTests
{
    [Theory]
    [InlineData("null", 14, "#PF page fault", "DeliberateFaults__NullDereference", "null pointer dereference: page 0 is never mapped")]
    [InlineData("gp", 13, "#GP general protection", "cpu_load_bad_segment", "error code 0xfff8")]
    [InlineData("ud", 6, "#UD invalid opcode", "cpu_execute_ud2", "in kernel mode")]
    [InlineData("divide", 0, "#DE divide error", "DeliberateFaults__DivideUnchecked", "in kernel mode")]
    [InlineData("stack", 14, "#PF page fault", "DeliberateFaults__StackOverflow", "kernel stack overflow into a guard page")]
    public void A_deliberate_fault_is_reported_with_vector_function_and_a_clean_stop(
        string fault, int vector, string mnemonic, string function, string detail)
    {
        var run = QemuRun.Boot("128M", $"fault={fault}");
        Assert.True(run.ExitStatus == QemuRun.KernelCpuException, run.ToString());
        Assert.Contains($"biscuit: CPU exception {vector} ({mnemonic})", run.Serial);
        Assert.Contains(function, run.Line("  rip "));
        Assert.Contains(detail, run.Serial);
        Assert.Contains("  rax ", run.Serial);
        Assert.Contains("biscuit: halted, exit status 2", run.Serial);
        Assert.DoesNotContain("biscuit: ready", run.Serial);
    }

    [Fact]
    public void The_page_fault_report_gives_the_faulting_address_in_cr2()
    {
        var run = QemuRun.Boot("128M", "fault=null");
        Assert.Equal("  cr2 0x0000000000000000 (null pointer dereference: page 0 is never mapped)", run.Line("  cr2 "));
        Assert.Contains("[page not present, write, supervisor]", run.Serial);
    }

    [Fact]
    public void The_report_includes_a_backtrace_through_the_callers()
    {
        var run = QemuRun.Boot("128M", "fault=stack");
        Assert.Contains("  called from ", run.Serial);
        Assert.Contains("DeliberateFaults__StackOverflow", run.Line("  called from "));
    }
}
