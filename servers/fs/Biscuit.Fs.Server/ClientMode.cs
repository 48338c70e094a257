// fs-server client: the QEMU test's client (tests/Biscuit.Boot.Tests/FileServerTests.cs). It talks
// to the fs server on initial handle 1 over kernel IPC with FileServiceClient: reads what the host
// wrote (mke2fs -d), creates, links, renames, truncates and removes files, checks that errors come
// back as errnos, fsyncs, and prints "ok - NAME" / "not ok - NAME: why" per case, checksums as
// "fs-client: ..." lines, and the server's figures. The host then judges the disk with e2fsck and
// debugfs. Exit status: the number of failed cases.
using System.Text;
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Telemetry;

static class ClientMode
{
    public const int NewFileBytes = 100 * 1024, NewFileSeed = 42;

    public static int Run()
    {
        var fs = new FileServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))), timeoutMs: 60_000);
        int failures = 0, cases = 0;
        void Check(string name, Func<string?> test)
        {
            string? problem;
            try { problem = test(); } catch (Exception e) { problem = $"{e.GetType().Name}: {e.Message}"; }
            cases++;
            if (problem == null) Console.WriteLine($"ok - {name}");
            else { failures++; Console.WriteLine($"not ok - {name}: {problem}"); }
        }
        string? Expect<T>(FsResult<T> r, string what) => r.IsOk ? null : $"{what}: {r}";
        string? ExpectErrno<T>(FsResult<T> r, int errno, string what) =>
            r.Errno == errno ? null : $"{what}: expected {Errno.Name(errno)}, got {r}";

        Check("the client reads the file the host wrote", () =>
        {
            var text = ReadWhole(fs, "/hello.txt", out string? why);
            return why ?? (Encoding.UTF8.GetString(text!) == "hello from the host\n" ? null : $"read '{Encoding.UTF8.GetString(text!)}'");
        });

        Check("the client reads a large host file in pieces", () =>
        {
            var data = ReadWhole(fs, "/data/big.bin", out string? why);
            if (why != null) return why;
            Console.WriteLine($"fs-client: /data/big.bin {data!.Length} bytes fnv1a {Fnv1a(data):x16}");
            return null;
        });

        Check("the client lists a directory of many entries across batches", () =>
        {
            var names = List(fs, "/data/many", out string? why);
            if (why != null) return why;
            Console.WriteLine($"fs-client: /data/many lists {names!.Count} entries");
            return names.Distinct().Count() == names.Count ? null : "a name was listed twice";
        });

        Check("the client creates a directory and writes, fsyncs and reads back a file", () =>
        {
            var data = new byte[NewFileBytes];
            new Random(NewFileSeed).NextBytes(data);
            string? why = Expect(fs.Mkdir("/made"), "mkdir /made");
            if (why != null) return why;
            var open = fs.Open("/made/new.bin", LinuxOpenFlags.O_CREAT | LinuxOpenFlags.O_EXCL, 0x1A4);
            if (!open.IsOk) return $"create: {open}";
            ulong h = open.Value.Handle;
            var w1 = fs.Write(h, 0, data.AsMemory(0, 10_000));
            var w2 = fs.Write(h, 10_000, data.AsMemory(10_000));
            if (!w1.IsOk || !w2.IsOk || w1.Value + w2.Value != data.Length) return $"write: {w1} {w2}";
            why = Expect(fs.Fsync(h), "fsync");
            if (why != null) return why;
            var back = new byte[data.Length + 10];
            var r = fs.Read(h, 0, back);
            if (!r.IsOk || r.Value != data.Length) return $"read back: {r}";
            var st = fs.StatHandle(h);
            if (!st.IsOk || st.Value.Size != data.Length || !st.Value.IsRegular) return $"fstat: {st}";
            Console.WriteLine($"fs-client: /made/new.bin {data.Length} bytes fnv1a {Fnv1a(back.AsSpan(0, data.Length)):x16}");
            if (!back.AsSpan(0, data.Length).SequenceEqual(data)) return "read back different bytes";
            return Expect(fs.Close(h), "close");
        });

        Check("the client links, symlinks, renames, truncates and removes", () =>
        {
            string? why = WriteFile(fs, "/made/note.txt", "written through the fs server\n")
                ?? Expect(fs.Link("/made/note.txt", "/made/note-link.txt"), "link")
                ?? Expect(fs.Unlink("/made/note-link.txt"), "unlink the link")
                ?? Expect(fs.Symlink("note.txt", "/made/soft"), "symlink")
                ?? WriteFile(fs, "/made/draft.txt", "final\n")
                ?? Expect(fs.Rename("/made/draft.txt", "/made/final.txt"), "rename")
                ?? Expect(fs.Mkdir("/made/gone"), "mkdir /made/gone")
                ?? Expect(fs.Rmdir("/made/gone"), "rmdir /made/gone")
                ?? Expect(fs.Unlink("/etc/motd"), "unlink the host's /etc/motd")
                ?? WriteFile(fs, "/made/short.txt", new string('x', 5000));
            if (why != null) return why;
            var link = fs.Readlink("/made/soft");
            if (!link.IsOk || link.Value != "note.txt") return $"readlink: {link}";
            var viaLink = ReadWhole(fs, "/made/soft", out why);
            if (why != null || Encoding.UTF8.GetString(viaLink!) != "written through the fs server\n") return $"read through the symlink: {why}";
            var open = fs.Open("/made/short.txt", 0);
            if (!open.IsOk) return $"open short.txt: {open}";
            why = Expect(fs.Truncate(open.Value.Handle, 1000), "truncate") ?? Expect(fs.Close(open.Value.Handle), "close");
            if (why != null) return why;
            var st = fs.Stat("/made/note.txt");
            return st.IsOk && st.Value.Links == 1 && st.Value.Size == 30 ? null : $"stat note.txt after link+unlink: {st}";
        });

        Check("the client changes mode, owner and times", () =>
            Expect(fs.Chmod("/made/note.txt", 0x180), "chmod 0600")
            ?? Expect(fs.Chown("/made/note.txt", 1000, 1000), "chown 1000:1000")
            ?? Expect(fs.Utimes("/made/note.txt", 1_600_000_000, 0, 1_600_000_000, 0), "utimes")
            ?? (fs.Stat("/made/note.txt") is { IsOk: true } s && s.Value.Permissions == 0x180 && s.Value.Uid == 1000
                && s.Value.ModifySeconds == 1_600_000_000 ? null : $"stat after: {fs.Stat("/made/note.txt")}"));

        Check("a file unlinked while open stays readable until closed", () =>
        {
            string? why = WriteFile(fs, "/made/temp", "still here");
            if (why != null) return why;
            var open = fs.Open("/made/temp", 0);
            if (!open.IsOk) return $"open: {open}";
            why = Expect(fs.Unlink("/made/temp"), "unlink");
            if (why != null) return why;
            var buffer = new byte[64];
            var r = fs.Read(open.Value.Handle, 0, buffer);
            if (!r.IsOk || Encoding.UTF8.GetString(buffer, 0, r.Value) != "still here") return $"read after unlink: {r}";
            return Expect(fs.Close(open.Value.Handle), "close") ?? ExpectErrno(fs.Stat("/made/temp"), Errno.ENOENT, "stat after");
        });

        Check("errors come back as Linux errnos", () =>
        {
            var dir = fs.Open("/etc", LinuxOpenFlags.O_DIRECTORY);
            if (!dir.IsOk) return $"open /etc: {dir}";
            string? why = ExpectErrno(fs.Read(dir.Value.Handle, 0, new byte[16]), Errno.EISDIR, "read a directory")
                ?? Expect(fs.Close(dir.Value.Handle), "close /etc")
                ?? ExpectErrno(fs.Stat("/nope"), Errno.ENOENT, "stat /nope")
                ?? ExpectErrno(fs.Stat("/hello.txt/x"), Errno.ENOTDIR, "stat under a file")
                ?? ExpectErrno(fs.Rmdir("/made"), Errno.ENOTEMPTY, "rmdir a full directory")
                ?? ExpectErrno(fs.Mkdir("/made"), Errno.EEXIST, "mkdir an existing name")
                ?? ExpectErrno(fs.Stat("/" + new string('n', 300)), Errno.ENAMETOOLONG, "a 300-byte name")
                ?? ExpectErrno(fs.Read(dir.Value.Handle, 0, new byte[16]), Errno.EBADF, "read a closed handle");
            return why;
        });

        Check("the server reports its cache, journal and GC figures", () =>
        {
            string? why = Expect(fs.Sync(), "sync");
            if (why != null) return why;
            var f = fs.FsStats();
            if (!f.IsOk) return $"FsStats: {f}";
            var s = f.Value!;
            Console.WriteLine($"fs-client: cache hit rate {s.CacheHitRate:F3} ({s.CacheHits} hits, {s.CacheMisses} misses), " +
                              $"{s.JournalTransactions} journal transactions, {s.JournalBlocksLogged} blocks logged, " +
                              $"{s.TransactionsReplayedAtMount} replayed at mount, {s.OpenFiles} files open");
            Console.WriteLine(StatsTable.Format([s.Gc]));
            if (s.JournalTransactions == 0 || s.JournalBlocksLogged == 0) return "no journal transaction after fsync and sync";
            if (s.CacheHits == 0) return "no cache hit";
            if (s.OpenFiles != 0) return $"{s.OpenFiles} files still open";
            return s.Gc.RequestsOk > 20 ? null : $"only {s.Gc.RequestsOk} requests counted";
        });

        Check("every request stayed within its admission budget", () =>
        {
            var f = fs.FsStats();
            if (!f.IsOk) return $"FsStats: {f}";
            var gc = f.Value!.Gc;
            if (gc.AllocationRequests.Length == 0) return "the server does not measure allocations (`serve NAME measure`)";
            for (int i = 0; i < gc.AllocationRequests.Length; i++)
                if (gc.AllocationObservedMax[i] > gc.AllocationBudgets[i])
                    return $"{gc.AllocationRequests[i]} allocated {gc.AllocationObservedMax[i]} B, over its budget of {gc.AllocationBudgets[i]} B";
            long largest = gc.AllocationObservedMax.Max();
            Console.WriteLine($"fs-client: {gc.AllocationRequests.Length} request types measured, the most one request allocated {largest} B");
            return null;
        });

        Console.WriteLine($"fs-client: {cases - failures} passed, {failures} failed");
        return failures;
    }

    private static byte[]? ReadWhole(FileServiceClient fs, string path, out string? why)
    {
        why = null;
        var open = fs.Open(path, 0);
        if (!open.IsOk) { why = $"open {path}: {open}"; return null; }
        var data = new byte[open.Value.Status.Size];
        var r = fs.Read(open.Value.Handle, 0, data);
        fs.Close(open.Value.Handle);
        if (!r.IsOk || r.Value != data.Length) { why = $"read {path}: {r}"; return null; }
        return data;
    }

    private static string? WriteFile(FileServiceClient fs, string path, string text)
    {
        var open = fs.Open(path, LinuxOpenFlags.O_CREAT | LinuxOpenFlags.O_TRUNC, 0x1A4);
        if (!open.IsOk) return $"create {path}: {open}";
        var w = fs.Write(open.Value.Handle, 0, Encoding.UTF8.GetBytes(text));
        var c = fs.Close(open.Value.Handle);
        return w.IsOk && c.IsOk ? null : $"write {path}: {w}, close: {c}";
    }

    private static List<string>? List(FileServiceClient fs, string path, out string? why)
    {
        why = null;
        var open = fs.Open(path, LinuxOpenFlags.O_DIRECTORY);
        if (!open.IsOk) { why = $"open {path}: {open}"; return null; }
        var names = new List<string>();
        long cookie = 0;
        for (int batches = 0; batches < 10_000; batches++)
        {
            var b = fs.ReadDirectory(open.Value.Handle, cookie);
            if (!b.IsOk) { why = $"readdir {path}: {b}"; return null; }
            foreach (var e in b.Value.Span) if (e.Name is not ("." or "..")) names.Add(e.Name);
            if (b.Value.IsEnd) break;
            cookie = b.Value.NextCookie;
        }
        fs.Close(open.Value.Handle);
        return names;
    }

    // FNV-1a, not SHA-256: .NET's SHA-256 on Linux is OpenSSL, which a static server must not load.
    public static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in data) h = (h ^ b) * 1099511628211UL;
        return h;
    }
}
