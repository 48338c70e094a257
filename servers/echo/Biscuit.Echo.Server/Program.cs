// echo-server: serve (the demonstration server) or drive (its test client), on Biscuit's kernel IPC.
using Biscuit.Echo;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;

string mode = args.Length > 0 ? args[0] : "";
if (mode == "serve")
{
    string name = args.Length > 1 ? args[1] : "echo";
    var own = new Endpoint(Handle.Initial(0));
    var peerHandle = Handle.Initial(1);
    ServiceClient? peer = peerHandle.Info().IsOk ? new ServiceClient(new KernelClientTransport(new Endpoint(peerHandle))) : null;
    // Admission control with the MAXLIVE budgets computed at build time (issue 10).
    var budgets = ServerOptions.BudgetsFrom(Biscuit.Generated.MaxLiveBudgets.All);
    bool measure = args.Contains("measure");   // report allocation per request type in Stats
    var server = new MessageServer(new ServerOptions { Name = name, Budgets = budgets, MeasureAllocations = measure });
    new EchoServer(peer).RegisterOn(server);
    // Several worker threads may receive on the endpoint (each thread has its own IPC buffer);
    // admission control queues requests across them.
    int workers = args.Length > 2 && int.TryParse(args[2], out int n) ? n : 1;
    for (int w = 1; w < workers; w++)
        new Thread(() => server.Run(new KernelServerTransport(own))) { IsBackground = true }.Start();
    Console.WriteLine($"{name}: serving with {workers} worker{(workers == 1 ? "" : "s")}");
    var error = server.Run(new KernelServerTransport(own));
    Console.WriteLine($"{name}: server loop ended: {error}");
    return 1;
}
if (mode == "soundness")
    return SoundnessDriver.Run();
if (mode == "hog")
    return HogDriver.Run();
if (mode == "restart")
    return RestartDriver.Run();
if (mode == "faults")
    return FaultDriver.Run(args.Length > 1 && int.TryParse(args[1], out int disruptions) ? disruptions : 3);
if (mode == "bench")
    return EchoBench.Run(int.Parse(args.Length > 1 ? args[1] : "20000"));
if (mode == "drive")
    return EchoDriver.Run(long.Parse(args.Length > 1 ? args[1] : "100000"));
Console.Error.WriteLine("usage: echo-server serve NAME [WORKERS] [measure] | drive COUNT | bench COUNT | restart | faults [DISRUPTIONS] | hog | soundness");
return 2;
