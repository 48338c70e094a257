// Samples every Biscuit server's GC figures once a second while the load runs: a thread fetches
// http://127.0.0.1:PORT/proc/biscuit/gc (served by the guest's nginx from posix's /proc; posix asks
// fs and net for their Stats over IPC for each read) and keeps what GcTable reads from it.
// The sampling is itself load: one more HTTP request a second through the same nginx, posix, net
// and the NIC, plus two Stats IPC calls; the report says so. A sample that fails (timeout, error,
// unreadable table) is kept with its error, so gaps show in the data rather than vanishing.
// Invariant: samples are appended in time order by the sampling thread only; Stop() joins it
// before anyone reads them.
using System.Diagnostics;

namespace Biscuit.Bench;

public sealed record GcSample(double AtS, double FetchMs, List<ServerGcFigures> Servers, List<string> Missing, string? Error);

public sealed class GcSampler : IDisposable
{
    public const string Path = "/proc/biscuit/gc";
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1), FetchTimeout = TimeSpan.FromSeconds(5);

    private readonly string url;
    private readonly Stopwatch clock;                       // shared with the caller: AtS is on it
    private readonly List<GcSample> samples = new();        // written by the sampling thread only, until Stop
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private readonly HttpClient http = new() { Timeout = FetchTimeout };

    public GcSampler(string site, Stopwatch clock)
    {
        url = site + Path;
        this.clock = clock;
        thread = new Thread(Loop) { IsBackground = true, Name = "gc-sampler" };
        thread.Start();
    }

    // One sample now, on the caller's thread (before and after the load).
    public GcSample SampleOnce() => Take(http, url, clock);

    public List<GcSample> Stop()
    {
        stop.Cancel();
        thread.Join();
        return samples;
    }

    private void Loop()
    {
        var next = clock.Elapsed;
        while (!stop.IsCancellationRequested)
        {
            samples.Add(Take(http, url, clock));
            next += Period;
            var wait = next - clock.Elapsed;
            if (wait < TimeSpan.Zero) next = clock.Elapsed;    // a slow fetch: start again from now, never a burst
            else if (stop.Token.WaitHandle.WaitOne(wait)) break;
        }
    }

    private static GcSample Take(HttpClient http, string url, Stopwatch clock)
    {
        double at = clock.Elapsed.TotalSeconds;
        var fetch = Stopwatch.StartNew();
        try
        {
            string text = http.GetStringAsync(url).GetAwaiter().GetResult();
            if (text.Length == 0)   // nginx sends st_size bytes of a file; a /proc file whose fstat says 0 comes out empty
                return new GcSample(at, fetch.Elapsed.TotalMilliseconds, new(), new(),
                    $"nginx served {Path} with no body: posix's fstat of the open /proc file gives st_size 0, and nginx sends st_size bytes");
            var (servers, missing) = GcTable.Parse(text);
            return new GcSample(at, fetch.Elapsed.TotalMilliseconds, servers, missing, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
        {
            return new GcSample(at, fetch.Elapsed.TotalMilliseconds, new(), new(), $"{e.GetType().Name}: {e.Message}");
        }
    }

    public void Dispose()
    {
        if (thread.IsAlive) Stop();
        http.Dispose();
        stop.Dispose();
    }
}
