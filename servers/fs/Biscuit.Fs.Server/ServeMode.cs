// fs-server serve NAME: mounts the root disk (replaying the journal if a crash left it non-empty,
// and saying so), then serves the fs protocol (Biscuit.Fs.Protocol) on initial handle 0 with lib's
// MessageServer: admission control by the MAXLIVE budgets compiled in at build time
// (Biscuit.Generated.MaxLiveBudgets, from Biscuit.Fs.Service's handlers) plus the caches' growth,
// and a block cache sized from the heap limit (CacheSizing.cs). One worker thread: the library
// serialises operations anyway (several requests in flight are not built, servers/fs/README.md).
using Biscuit.Fs;
using Biscuit.Fs.Service;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Server;
using Biscuit.Lib.Telemetry;

static class ServeMode
{
    public static int Run(string name, bool measureAllocations)
    {
        var windowPages = new KernelDataWindowPages(Handle.Initial(1));   // lent to blk (its endpoint) too
        var disk = Disk.Open(windowPages, out string reason);
        if (disk == null)
        {
            Console.WriteLine($"{name}: {reason}");
            return 1;
        }
        Console.WriteLine(disk.CanFlush ? $"{name}: disk (blk server) with a write cache: journal commits flush it"
                                        : $"{name}: disk (blk server) without a write cache to flush");
        long heapLimit = GcHeapGauge.Instance.HeapLimitBytes;
        var mountOptions = CacheSizing.MountOptionsFor(heapLimit);
        Ext2FileSystem fs;
        try
        {
            fs = Ext2FileSystem.Mount(disk, mountOptions);
        }
        catch (FsException e)
        {
            Console.WriteLine($"{name}: mount refused: {e.Message}");
            return 1;
        }
        string journal = fs.Journal == null ? "no journal"
            : fs.RecoveredTransactions > 0 ? $"journal recovered: {fs.RecoveredTransactions} transaction{(fs.RecoveredTransactions == 1 ? "" : "s")} replayed"
            : "journal clean";
        Console.WriteLine($"{name}: mounted a disk of {disk.BlockCount / 2048} MiB ({journal})");

        var budgets = FileService.AdmissionBudgets(Biscuit.Generated.MaxLiveBudgets.All, mountOptions.CacheBytes, mountOptions.LookupCacheEntries);
        var server = new MessageServer(new ServerOptions { Name = name, Budgets = budgets, MeasureAllocations = measureAllocations });
        new FileService(fs, mountOptions.CacheBytes, windowPages, disk).RegisterOn(server);
        Console.WriteLine($"{name}: serving (block cache {mountOptions.CacheBytes >> 10} KiB of a {heapLimit >> 20} MiB heap)");
        var error = server.Run(new KernelServerTransport(new Endpoint(Handle.Initial(0))));
        Console.WriteLine($"{name}: server loop ended: {error}");
        return 1;
    }
}
