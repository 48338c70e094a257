// mm-server serve [low=FRAMES] [interval=MS]: the memory manager (issue 8, DESIGN.md §6). One thread
// watches memory every MS milliseconds (default 20) and applies the out-of-memory policy below FRAMES
// free frames (default: 1/64 of the machine); the main thread serves MmStats and lib's Stats on
// initial handle 0. Handle 1 is the device manager capability, mm's authority for the census and
// the kill (the boot manifest's `devices`).
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.Mm;
using Biscuit.Mm.Server;

if (args.Length == 0 || args[0] != "serve")
{
    Console.Error.WriteLine("usage: mm-server serve [low=FRAMES] [interval=MS]");
    return 2;
}
long low = 0, interval = 20;
foreach (var a in args.Skip(1))
{
    if (a.StartsWith("low=", StringComparison.Ordinal) && long.TryParse(a[4..], out long l) && l > 0) low = l;
    else if (a.StartsWith("interval=", StringComparison.Ordinal) && long.TryParse(a[9..], out long i) && i > 0) interval = i;
    else
    {
        Console.Error.WriteLine($"mm: unknown argument '{a}'");
        return 2;
    }
}
var kernel = new KernelMemory(Handle.Initial(1));
SystemMemory first;
OomPolicy policy;
MemoryMonitor monitor;
try
{
    first = kernel.System();
    policy = new OomPolicy(low > 0 ? low : OomPolicy.DefaultLowWater(first.TotalFrames));
    monitor = new MemoryMonitor(kernel, policy, Console.WriteLine);
    monitor.Tick();     // a missing authority fails here, at start, with the kernel's error
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"mm: {e.Message} (handle 1 must be the device manager: the manifest line needs `devices`)");
    return 1;
}
Console.WriteLine($"mm: watching memory every {interval} ms: {first.FreeFrames} of {first.TotalFrames} frames free, low water {policy.LowWaterFrames}");
new Thread(() =>
{
    while (true)
    {
        Thread.Sleep((int)interval);
        try { monitor.Tick(); }
        catch (InvalidOperationException e) { Console.Error.WriteLine($"mm: {e.Message}"); }   // logged; the next tick tries again
    }
}) { IsBackground = true, Name = "mm monitor" }.Start();
var server = new MessageServer(new ServerOptions { Name = "mm" });
new MmService(monitor).RegisterOn(server);
var error = server.Run(new KernelServerTransport(new Endpoint(Handle.Initial(0))));
Console.WriteLine($"mm: server loop ended: {error}");
return 1;
