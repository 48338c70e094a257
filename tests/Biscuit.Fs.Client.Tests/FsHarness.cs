// One test's fs server on the host: an ext3 image made by mke2fs -d from a staging folder the test
// fills, mounted by the real library, served by the real handlers (FileService) in lib's
// MessageServer on a background thread over an InMemoryEndpoint, and a FileServiceClient on it.
// Dispose stops the server (closing the endpoint ends its loop), unmounts and deletes the image.
using Biscuit.Fs.Protocol;
using Biscuit.Fs.Service;
using Biscuit.Fs.Tests;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Server;
using Biscuit.Lib.Telemetry;

namespace Biscuit.Fs.Client.Tests;

public sealed class FsHarness : IDisposable
{
    public const long CacheBytes = 1 << 20;
    private readonly TempDirectory dir = new();
    private readonly ServerOptions options;
    private Thread serverThread = null!;
    private ImageFileDevice? device;
    private readonly bool directReads;

    /// <summary>The direct path of this run (directReads only).</summary>
    public HostWindowDisk? WindowDisk { get; private set; }

    public string Image => dir["disk.img"];
    public string Stage { get; }
    public Ext2FileSystem Fs { get; private set; } = null!;
    public FileService Service { get; private set; } = null!;
    public MessageServer Server { get; private set; } = null!;
    public InMemoryEndpoint Endpoint { get; } = new();
    public FileServiceClient Client { get; }

    /// <summary>This run's data window pages (a new set after each restart).</summary>
    public HostDataWindowPages WindowPages { get; private set; } = null!;
    public List<string> Log { get; } = [];

    /// <param name="stage">fills the staging folder before mke2fs -d copies it in</param>
    /// <param name="gauge">a heap gauge for admission tests (default: the runtime's)</param>
    /// <param name="directReads">the disk reads large uncached runs straight into the window (HostWindowDisk)</param>
    public FsHarness(Action<string>? stage = null, int sizeKiB = 16 * 1024, IHeapGauge? gauge = null,
        IReadOnlyDictionary<string, long>? budgets = null, bool measureAllocations = false, Action<FsHarness>? beforeMount = null,
        bool directReads = false)
    {
        this.directReads = directReads;
        Stage = Directory.CreateDirectory(dir["stage"]).FullName;
        stage?.Invoke(Stage);
        E2fsTools.MakeImage(Image, sizeKiB, 4096, Stage, "-t", "ext3");
        beforeMount?.Invoke(this);
        options = new ServerOptions
        {
            Name = "fs-test", Budgets = budgets, HeapGauge = gauge ?? GcHeapGauge.Instance,
            MeasureAllocations = measureAllocations, Log = line => { lock (Log) Log.Add(line); },
            AdmissionMaxWait = TimeSpan.FromMilliseconds(50),
        };
        StartServer();
        Client = new FileServiceClient(Endpoint.CreateClient(), timeoutMs: 60_000);
    }

    // Mounts the image and serves it on a new worker thread (a new server process's first thread).
    private void StartServer()
    {
        Mount();
        Server = new MessageServer(options);
        Service.RegisterOn(Server);
        var transport = Endpoint.CreateServer();
        var server = Server;
        serverThread = new Thread(() => server.Run(transport)) { IsBackground = true, Name = "fs-test server" };
        serverThread.Start();
    }

    /// <summary>The server process dies without unmounting (what it had not written is lost) and
    /// is started again, as init would: it remounts the image (replaying its journal) and serves the
    /// same endpoint, so the client keeps its capability.</summary>
    public void CrashAndRestart()
    {
        Endpoint.ServerDied();
        serverThread.Join();
        device!.Dispose();          // no Flush, no Dispose of the file system: a crash
        WindowPages.Vanish();       // the kernel revokes a dead run's grants
        StartServer();
    }

    private void Mount()
    {
        device = new ImageFileDevice(Image, readOnly: false, flushToDisk: false);
        Fs = Ext2FileSystem.Mount(device, new MountOptions { CacheBytes = CacheBytes, LookupCacheEntries = CacheSizing.LookupCacheEntries });
        WindowPages = new HostDataWindowPages();
        WindowDisk = directReads ? new HostWindowDisk(device, WindowPages) : null;
        Service = new FileService(Fs, CacheBytes, WindowPages, WindowDisk);
    }

    /// <summary>Stops serving and unmounts cleanly, so that host tools may read the image.</summary>
    public void Stop()
    {
        if (device == null) return;
        Endpoint.Close();
        serverThread.Join();
        Fs.Dispose();
        device.Dispose();
        device = null;
    }

    public void Dispose()
    {
        Stop();
        dir.Dispose();
    }

    /// <summary>Leaves a committed, unreplayed journal transaction on the image (as a crash after a
    /// commit would) that rewrites block 0 of `path` with `text`: debugfs's journal_open,
    /// journal_write and journal_close write JBD2 records without replaying them.</summary>
    public void JournalPendingRewrite(string path, string text)
    {
        string output = E2fsTools.Debugfs(Image, $"bmap {path} 0");
        long block = long.Parse(output.Split('\n').Last(l => l.Trim().Length > 0 && char.IsDigit(l.Trim()[0])).Trim());
        var data = new byte[4096];
        System.Text.Encoding.UTF8.GetBytes(text).CopyTo(data, 0);
        File.WriteAllBytes(dir["block.bin"], data);
        File.WriteAllText(dir["journal.cmds"], $"jo\njw -b {block} {dir["block.bin"]}\njc\n");
        var (code, log) = E2fsTools.Run("debugfs", "-w", "-f", dir["journal.cmds"], Image);
        Assert.True(code == 0, log);
        Assert.Contains("needs_recovery", E2fsTools.Run("dumpe2fs", "-h", Image).Output);
    }

    /// <summary>A file of `bytes` deterministic bytes (seeded) in the staging folder.</summary>
    public static byte[] Pattern(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Opens `path` with `flags` and asserts it worked; returns the handle.</summary>
    public ulong Open(string path, int flags = 0, int mode = 0x1A4)
    {
        var r = Client.Open(path, flags, mode);
        Assert.True(r.IsOk, $"open {path}: {r}");
        return r.Value.Handle;
    }

    public void WriteFile(string path, byte[] data)
    {
        ulong h = Open(path, LinuxOpenFlags.O_CREAT | LinuxOpenFlags.O_TRUNC);
        var w = Client.Write(h, 0, data);
        Assert.True(w.IsOk && w.Value == data.Length, $"write {path}: {w}");
        Assert.True(Client.Close(h).IsOk);
    }

    public byte[] ReadFile(string path)
    {
        ulong h = Open(path);
        var st = Client.StatHandle(h);
        Assert.True(st.IsOk, st.ToString());
        var data = new byte[st.Value.Size];
        var r = Client.Read(h, 0, data);
        Assert.True(r.IsOk && r.Value == data.Length, $"read {path}: {r}");
        Assert.True(Client.Close(h).IsOk);
        return data;
    }
}

public static class FsAssert
{
    public static void Ok<T>(FsResult<T> result, string what = "") => Assert.True(result.IsOk, $"{what}: {result}");

    public static void Errno<T>(int expected, FsResult<T> result) =>
        Assert.True(result.Errno == expected, $"expected {Protocol.Errno.Name(expected)}, got {result}");
}
