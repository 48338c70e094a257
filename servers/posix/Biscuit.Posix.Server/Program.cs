// posix-server: the POSIX personality on Biscuit (issue 7).
//   posix-server serve NAME [workers=N] [stats=NAME,...] [-- PROGRAM ARGS...]
// Initial handles (from init's manifest line: the own endpoint, then USES in order):
//   0 posix's own endpoint: Stats (lib's MessageServer), for ./biscuit stats and init's heartbeat;
//   1 the fs server's endpoint;  2 the net server's endpoint;
//   3.. the endpoints of the servers named by stats= (USES after fs,net, in that order), asked only
//      for their Stats so that /proc/biscuit/gc shows them too (boot/manifest: the drivers blk, nic);
//   then the Console capability, with the manifest option `console` (console input: ConsoleReaderThread).
// It creates the personality endpoint, starts N worker threads serving forwarded Linux calls on it
// (default 4: a blocking call holds one), execs PROGRAM (e.g. /usr/sbin/nginx) as the first
// application with descriptors 0-2 on the console, and serves Stats on the main thread.
using System.Runtime.Intrinsics.X86;
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.Net.Protocol;
using Biscuit.Posix;
using Biscuit.Posix.Links;
using Biscuit.Posix.Server;

if (args.Length < 2 || args[0] != "serve")
{
    Console.Error.WriteLine("usage: posix-server serve NAME [workers=N] [stats=NAME,...] [-- PROGRAM ARGS...]");
    return 2;
}
string name = args[1];
int separator = Array.IndexOf(args, "--");
var options = separator < 0 ? args[2..] : args[2..separator];
var program = separator < 0 ? [] : args[(separator + 1)..];
int workers = 4;
string[] statsOnly = [];
foreach (var option in options)
    if (option.StartsWith("workers=") && int.TryParse(option["workers=".Length..], out int n) && n is > 0 and <= 64) workers = n;
    else if (option.StartsWith("stats=") && StatsPeers.Parse(option["stats=".Length..]) is { } peers) statsOnly = peers;
    else { Console.Error.WriteLine($"{name}: unknown option '{option}'"); return 2; }

if (!Syscalls.ErrnoPathWorks())
{
    Console.Error.WriteLine($"{name}: system-call errors do not come back intact (is <DirectPInvoke Include=\"libc\" /> missing?)");
    return 1;
}

var own = new Endpoint(Handle.Initial(0));
var fsClient = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))));
var netClient = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(2))));
var stats = new MessageServer(new ServerOptions { Name = name });
var services = new KernelSystemServices(stats.CollectStats,
    [("fs", fsClient), ("net", netClient), .. statsOnly.Select((peer, i) => (peer, new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(3 + i))))))]);

var personalityEndpoint = Endpoint.Create();
if (!personalityEndpoint.IsOk)
{
    Console.Error.WriteLine($"{name}: cannot create the personality endpoint: {personalityEndpoint.Error.Symbol()}");
    return 1;
}
// fs and net are reached through posix's links; each worker thread gets its own clients there
// (a client's buffers and IPC buffer belong to one thread).
var fsEndpoint = new Endpoint(Handle.Initial(1));
var netEndpoint = new Endpoint(Handle.Initial(2));
var netLink = new NetLink(() => new SocketServiceClient(new ServiceClient(new KernelClientTransport(netEndpoint))));
var readiness = new ReadinessThread(netLink);
// Sockets outlive a restart of net: listeners are made again on the new instance (issue 9 item 3).
var network = new RestartableNetwork(netLink, netLink.Instance, readiness.Subscribe, message => Console.WriteLine($"{name}: {message}"));
var posix = new Personality(new KernelProcesses(personalityEndpoint.Value),
    new FsLink(() => new FileServiceClient(new KernelClientTransport(fsEndpoint)), new KernelDataWindowView()), network, services, new KernelSharedPages())
{
    HardwareCapabilities = X86Base.IsSupported ? (uint)X86Base.CpuId(1, 0).Edx : 0,
};
// Likewise the files a dead posix held open in fs (its applications ended with it): fs closes them,
// so a posix restart leaks no fs handle and frees files that were unlinked while open.
var fsLink = (FsLink)posix.Files.FileSystem;
long closedFiles = fsLink.ResetClient();
if (closedFiles > 0) Console.WriteLine($"{name}: fs closed {closedFiles} files of a previous posix instance");
else if (closedFiles < 0) Console.Error.WriteLine($"{name}: fs did not close the previous instance's files (errno {-closedFiles})");
// A new posix owns no socket: whatever net still holds for a client on this endpoint belongs to a
// dead posix (its applications were ended by init). Dropping it frees nginx's port before nginx
// binds it again (issue 9 item 3); on a first boot it drops nothing.
long dropped = netLink.ResetClient();
if (dropped > 0) Console.WriteLine($"{name}: net dropped {dropped} sockets of a previous posix instance");
else if (dropped < 0) Console.Error.WriteLine($"{name}: net did not reset the previous instance's sockets (errno {-dropped})");
if (!network.LearnInstance()) Console.Error.WriteLine($"{name}: net did not say its instance number: a restart of net will not be noticed until it answers");
long subscribed = readiness.Start(network);
if (subscribed < 0) Console.Error.WriteLine($"{name}: no readiness events from net (errno {-subscribed}); sockets will not wake epoll");

long consoleInput = ConsoleReaderThread.Start(Handle.Initial(3 + statsOnly.Length), posix.Files.Terminal);
if (consoleInput < 0)
{
    posix.Files.Terminal.EndInput();
    Console.WriteLine($"{name}: no console input (errno {-consoleInput}): reads of /dev/console end at once");
}

for (int w = 0; w < workers; w++)
{
    var worker = new ForwardedCallWorker(posix, new KernelPersonalityEndpoint(personalityEndpoint.Value), new ServedCallGcMeter(stats.RequestGc));
    new Thread(() =>
    {
        long end = worker.Run();
        Console.Error.WriteLine($"{name}: a forwarded-call worker stopped (errno {-end})");
    }) { IsBackground = true, Name = $"posix worker {w}" }.Start();
}
Console.WriteLine($"{name}: serving forwarded Linux calls with {workers} workers");

if (program.Length > 0)
{
    var environment = new[] { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TERM=vt100" };
    long pid = posix.Spawn(program[0], program, environment);
    Console.WriteLine(pid > 0 ? $"{name}: started {program[0]} as pid {pid}" : $"{name}: cannot start {program[0]}: errno {-pid}");
}

var error = stats.Run(new KernelServerTransport(own));
Console.Error.WriteLine($"{name}: Stats loop ended: {error}");
return 1;
