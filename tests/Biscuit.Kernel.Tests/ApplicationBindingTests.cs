// The C# bindings of the application-process calls (lib/Biscuit.Lib/Kernel/ApplicationProcess.cs),
// run on the Linux host: arguments the kernel would refuse are refused before any system call, and
// a real call's error comes back intact (numbers from 0x800 up are not Linux's: ENOSYS).
using Biscuit.Lib.Kernel;

namespace Biscuit.Kernel.Tests;

public class ApplicationBindingTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a name of thirty-three bytes long")]
    public void Create_refuses_an_empty_or_too_long_name_without_a_system_call(string name)
    {
        Assert.Equal(33, "a name of thirty-three bytes long".Length);
        Assert.Equal(KernelError.NameTooLong, ApplicationProcess.Create(name, []).Error);
    }

    [Fact]
    public void Create_refuses_more_than_eight_initial_handles_without_a_system_call() =>
        Assert.Equal(KernelError.InvalidArgument, ApplicationProcess.Create("app", new Handle[9]).Error);

    [Fact]
    public void A_real_call_reaches_the_kernel_and_its_error_comes_back()
    {
        Assert.Equal(KernelError.NotImplemented, ApplicationProcess.Create("app", []).Error);
        var process = new ApplicationProcess(new Handle(0x1001));
        Assert.Equal(KernelError.NotImplemented, process.Read(0x400000, new byte[8]).Error);
        Assert.Equal(KernelError.NotImplemented, process.Write(0x400000, new byte[8]).Error);
        Assert.Equal(KernelError.NotImplemented, process.Map(0, 4096, ApplicationProcess.ProtRead, ApplicationProcess.MapPrivate).Error);
        Assert.Equal(KernelError.NotImplemented, process.Protect(0x400000, 4096, ApplicationProcess.ProtNone));
        Assert.Equal(KernelError.NotImplemented, process.Start(0x401000, 0x7fff0000, 0).Error);
        Assert.Equal(KernelError.NotImplemented, ForwardedCall.ReplyPending().Error);
        Assert.Equal(KernelError.NotImplemented, process.Fork(7, new Endpoint(new Handle(0x1002)), 0, 0, 0).Error);
        Assert.Equal(KernelError.NotImplemented, process.StartForked().Error);
    }
}
