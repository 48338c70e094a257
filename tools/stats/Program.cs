// stats: collects Stats from the servers in initial handles 1.. (init passes them in manifest order;
// their names are the arguments) and prints one table. Exit status 0 if every server answered.
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Telemetry;

var reports = new List<StatsReport>();
int failures = 0;
for (int i = 0; i < args.Length; i++)
{
    var client = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(i + 1))), maxRetries: 0);
    var r = client.Call(StandardRequests.Stats, default, 5000);
    if (r.IsOk) reports.Add(r.Value!);
    else { failures++; Console.WriteLine($"stats: {args[i]}: {r}"); }
}
Console.WriteLine("stats: begin");
if (reports.Count > 0) Console.Write(StatsTable.Format(reports));
Console.WriteLine("stats: end");
return failures;
