// The .NET runtime on Biscuit (issue 4): a NativeAOT program, statically linked, run by the kernel
// as a plain Linux executable. Each check prints "ok - NAME" or "not ok - NAME: why"; the exit
// status is the number of failures. The heap is capped at 32 MiB (GuestRuntime.csproj).
using System.Buffers;
using System.Runtime.CompilerServices;
using MessagePack;

int failures = 0;
void Check(string name, Func<string?> test)
{
    string? problem;
    try { problem = test(); }
    catch (Exception e) { problem = $"{e.GetType().Name}: {e.Message}"; }
    if (problem == null) Console.WriteLine($"ok - {name}");
    else { failures++; Console.WriteLine($"not ok - {name}: {problem}"); }
}

Console.WriteLine("dotnet: .NET runtime tests");

Check("the GC churns 200 MB through a 32 MB heap and collects every generation", () =>
{
    var survivors = new List<byte[]>();
    long allocated = 0;
    for (int i = 0; allocated < 220L << 20; i++)
    {
        var block = new byte[16 * 1024 + (i % 7) * 1024];
        block[0] = (byte)i;
        allocated += block.Length;
        if (i % 64 == 0) survivors.Add(block);          // some survive long enough to be promoted
        if (survivors.Count > 400) survivors.RemoveRange(0, 200);
    }
    GC.Collect(2, GCCollectionMode.Forced, blocking: true);
    var info = GC.GetGCMemoryInfo();
    if (GC.CollectionCount(0) == 0 || GC.CollectionCount(1) == 0 || GC.CollectionCount(2) == 0)
        return $"collections gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)}";
    if (info.TotalAvailableMemoryBytes > 40L << 20) return $"heap limit {info.TotalAvailableMemoryBytes} is not the configured 32 MiB";
    return null;
});

Check("three threads allocate while the GC suspends them", () =>
{
    long before = GC.CollectionCount(0);
    var threads = new Thread[3];
    long[] sums = new long[3];
    for (int t = 0; t < threads.Length; t++)
    {
        int id = t;
        threads[t] = new Thread(() =>
        {
            long sum = 0;
            for (int i = 0; i < 40_000; i++)
            {
                var s = new int[64];
                s[i % 64] = i;
                sum += s[i % 64];
            }
            sums[id] = sum;
        });
        threads[t].Start();
    }
    foreach (var t in threads) t.Join();
    long expected = 40_000L * 39_999 / 2;
    if (sums.Any(s => s != expected)) return $"sums {string.Join(",", sums)}";
    if (GC.CollectionCount(0) == before) return "no collection happened while the threads ran";
    return null;
});

Check("the GC suspends a thread that spins without allocating", () =>
{
    // A loop with no calls and no allocation has no safe point: a collection while this thread is
    // preempted in it must interrupt it with the runtime's suspension signal (tgkill + handler).
    long before = GC.CollectionCount(0);
    bool stop = false;
    long spins = 0;
    var spinner = new Thread(() => { long n = 0; while (!Volatile.Read(ref stop)) n++; spins = n; });
    spinner.Start();
    for (int i = 0; i < 20_000; i++) { var junk = new byte[4096]; junk[1] = 1; }
    for (int i = 0; i < 5; i++) { GC.Collect(0, GCCollectionMode.Forced, blocking: true); Thread.Sleep(5); }
    Volatile.Write(ref stop, true);
    spinner.Join();
    if (GC.CollectionCount(0) - before < 5) return "the collections did not happen";
    return spins > 0 ? null : "the spinner never ran";
});

Check("a null dereference becomes a NullReferenceException", () =>
{
    try { Deref(null); return "no exception"; }
    catch (NullReferenceException) { return null; }
});

Check("an integer division by zero becomes a DivideByZeroException", () =>
{
    try { Divide(1, Zero()); return "no exception"; }
    catch (DivideByZeroException) { return null; }
});

Check("Monitor and SemaphoreSlim hand work between threads", () =>
{
    var gate = new object();
    var ready = new SemaphoreSlim(0);
    int turn = 0, rounds = 2000;
    var other = new Thread(() =>
    {
        for (int i = 0; i < rounds; i++)
        {
            lock (gate)
            {
                while (turn != 1) Monitor.Wait(gate);
                turn = 0;
                Monitor.Pulse(gate);
            }
        }
        ready.Release();
    });
    other.Start();
    for (int i = 0; i < rounds; i++)
    {
        lock (gate)
        {
            turn = 1;
            Monitor.Pulse(gate);
            while (turn != 0) Monitor.Wait(gate);
        }
    }
    return ready.Wait(TimeSpan.FromSeconds(30)) ? null : "the other thread never finished";
});

Check("MessagePack formats and parses a message", () =>
{
    var buffer = new ArrayBufferWriter<byte>();
    var writer = new MessagePackWriter(buffer);
    writer.WriteArrayHeader(3);
    writer.Write(42);
    writer.Write("biscuit");
    writer.Write(new byte[] { 1, 2, 3 });
    writer.Flush();
    var reader = new MessagePackReader(buffer.WrittenMemory);
    if (reader.ReadArrayHeader() != 3) return "header";
    if (reader.ReadInt32() != 42) return "int";
    if (reader.ReadString() != "biscuit") return "string";
    var bytes = reader.ReadBytes();
    if (bytes == null || bytes.Value.Length != 3) return "bytes";
    return null;
});

Check("time moves forward and Thread.Sleep waits", () =>
{
    var start = System.Diagnostics.Stopwatch.StartNew();
    Thread.Sleep(50);
    var ms = start.Elapsed.TotalMilliseconds;
    if (ms < 49) return $"slept {ms} ms";
    if (DateTime.UtcNow.Year < 2024) return $"UtcNow {DateTime.UtcNow:O}";
    return null;
});

Console.WriteLine($"dotnet: gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} " +
                  $"pause_total_ms={GC.GetTotalPauseDuration().TotalMilliseconds:F1} heap_limit={GC.GetGCMemoryInfo().TotalAvailableMemoryBytes}");
Console.WriteLine($"dotnet: {8 - failures} passed, {failures} failed");
return failures;

[MethodImpl(MethodImplOptions.NoInlining)]
static int Deref(int[]? array) => array![0];

[MethodImpl(MethodImplOptions.NoInlining)]
static int Zero() => 0;

[MethodImpl(MethodImplOptions.NoInlining)]
static int Divide(int a, int b) => a / b;
