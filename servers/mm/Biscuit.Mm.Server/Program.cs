// mm-server serve [ask=NAME,NAME...] [low=FRAMES] [interval=MS] [pager]: the memory manager (issue 8,
// DESIGN.md §6). One thread watches memory every MS milliseconds (default 20) and applies the
// out-of-memory policy below FRAMES free frames (default: 1/64 of the machine): first it asks the
// servers named by ask= to Shrink (lib's standard request: drop caches, collect; at most one round a
// second), then, if memory is still low, it kills the largest application. The main thread serves
// MmStats and lib's Stats on initial handle 0. Handles 1..k are the endpoints of the k servers of
// ask=, in that order (init passes them: they are mm's USES in the manifest, so mm starts after them);
// handle k+1 is the device manager capability, mm's authority for the census and the kill (the boot
// manifest's `devices`).
// With `pager`, mm is also the pager of application processes (PagerThread.cs: their demand-zero
// faults come to it as IPC calls and it answers with memory_page_supply); without it — the
// default, DESIGN.md §6 — the kernel serves them. Each application mm paged is logged when it
// ends, with the faults mm served for it (the figures MmStats reports while it lives).
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.Mm;
using Biscuit.Mm.Server;

if (args.Length == 0 || args[0] != "serve")
{
    Console.Error.WriteLine("usage: mm-server serve [ask=NAME,NAME...] [low=FRAMES] [interval=MS] [pager]");
    return 2;
}
long low = 0, interval = 20;
bool pager = false;
string[] ask = [];
foreach (var a in args.Skip(1))
{
    if (a.StartsWith("ask=", StringComparison.Ordinal) && a.Length > 4)
    {
        ask = a[4..].Split(',');
        if (ask.Length > MaxAsked || ask.Any(n => n.Length == 0))
        {
            Console.Error.WriteLine($"mm: bad '{a}': at most {MaxAsked} server names, separated by commas");
            return 2;
        }
    }
    else if (a == "pager") pager = true;
    else if (a.StartsWith("low=", StringComparison.Ordinal) && long.TryParse(a[4..], out long l) && l > 0) low = l;
    else if (a.StartsWith("interval=", StringComparison.Ordinal) && long.TryParse(a[9..], out long i) && i > 0) interval = i;
    else
    {
        Console.Error.WriteLine($"mm: unknown argument '{a}'");
        return 2;
    }
}
int authorityHandle = 1 + ask.Length;
var kernel = new KernelMemory(Handle.Initial(authorityHandle));
var targets = ask.Select((name, i) => (IShrinkTarget)new ClientShrinkTarget(name,
    new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1 + i))), maxRetries: 1), ShrinkDeadlineMs)).ToArray();
SystemMemory first;
OomPolicy policy;
MemoryMonitor monitor;
try
{
    first = kernel.System();
    policy = new OomPolicy(low > 0 ? low : OomPolicy.DefaultLowWater(first.TotalFrames));
    monitor = new MemoryMonitor(kernel, policy, Console.WriteLine, new ServerShrinker(targets), shrinkGapTicks: Math.Max(1, 1000 / interval));
    monitor.Tick();     // a missing authority fails here, at start, with the kernel's error
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"mm: {e.Message} (handle {authorityHandle} must be the device manager: the manifest line needs `devices`)");
    return 1;
}
Console.WriteLine($"mm: watching memory every {interval} ms: {first.FreeFrames} of {first.TotalFrames} frames free, low water {policy.LowWaterFrames}");
if (ask.Length > 0) Console.WriteLine($"mm: below the mark it first asks {string.Join(", ", ask)} to shrink");
var pagerPolicy = new PagerPolicy();
if (pager)
{
    var pagerThread = new PagerThread(Handle.Initial(authorityHandle), pagerPolicy, Console.WriteLine);
    long registered = pagerThread.Register(out var pagerEndpoint);
    if (registered != 0) Console.Error.WriteLine($"mm: memory_pager_set failed: {registered}; the kernel keeps paging applications");
    else
    {
        Console.WriteLine("mm: pager: serving the applications' demand-zero page faults");
        new Thread(() => pagerThread.Serve(pagerEndpoint)) { IsBackground = true, Name = "mm pager" }.Start();
    }
}
new Thread(() =>
{
    var last = new Dictionary<long, ProcessMemory>();     // the previous census, for the processes that ended
    while (true)
    {
        Thread.Sleep((int)interval);
        try { monitor.Tick(); }
        catch (InvalidOperationException e) { Console.Error.WriteLine($"mm: {e.Message}"); continue; }   // logged; the next tick tries again
        if (!pager) continue;
        var live = monitor.Snapshot().Processes;
        foreach (var ended in pagerPolicy.Forget(live.Select(p => p.Id)))
        {
            var seen = last.GetValueOrDefault(ended.Id);
            long byKernel = seen is null ? 0 : Math.Max(0, seen.PageFaults - ended.FaultsServed);
            Console.WriteLine($"mm: pager: process {ended.Id} ({seen?.Name ?? "?"}) ended: {ended.FaultsServed} faults served by mm, " +
                              $"{byKernel} by the kernel at the last look, {ended.Signalled} answered with a signal");
        }
        last.Clear();
        foreach (var p in live) last[p.Id] = p;
    }
}) { IsBackground = true, Name = "mm monitor" }.Start();
var server = new MessageServer(new ServerOptions { Name = "mm" });
new MmService(monitor, pager ? pagerPolicy : null).RegisterOn(server);
var error = server.Run(new KernelServerTransport(new Endpoint(Handle.Initial(0))));
Console.WriteLine($"mm: server loop ended: {error}");
return 1;

partial class Program
{
    private const int MaxAsked = 5;                 // init passes at most 6 handles besides the endpoint, one is `devices`
    private const ulong ShrinkDeadlineMs = 2000;    // a server busier than this is skipped for the round
}
