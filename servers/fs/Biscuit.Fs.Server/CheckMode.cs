// fs-server check: mounts the root disk (the block driver server's) with the ext2/ext3 library on Biscuit, lists
// the root, reads /hello.txt, writes /from-biscuit.txt and a 200 KiB /big.bin, flushes (a journal
// commit on ext3) and unmounts. Prints "fs: ..." lines; the host then judges the disk with e2fsck
// and debugfs (tests/Biscuit.Boot.Tests/FileSystemTests.cs).

using System.Text;
using Biscuit.Fs;

static class CheckMode
{
    public static int Run()
    {
        var disk = Disk.Open(null, out string reason);
        if (disk == null) { Console.WriteLine($"fs: {reason}"); return 1; }
        Console.WriteLine($"fs: block driver's disk of {disk.BlockCount} sectors ({disk.BlockCount / 2048} MiB)");
        try
        {
            using var fs = Ext2FileSystem.Mount(disk);
            Console.WriteLine("fs: mounted; root holds " + string.Join(" ", fs.ReadDirectory("/").Select(e => e.Name).Where(n => n != "." && n != "..").OrderBy(n => n)));
            uint hello = fs.Open("/hello.txt", OpenFlags.None);
            var buffer = new byte[4096];
            int n = fs.Read(hello, 0, buffer);
            Console.WriteLine($"fs: /hello.txt says: {Encoding.UTF8.GetString(buffer, 0, n).TrimEnd()}");

            uint created = fs.Create("/from-biscuit.txt");
            fs.Write(created, 0, "written by Biscuit's fs library over its virtio-blk driver\n"u8);
            var big = new byte[200 * 1024];
            new Random(42).NextBytes(big);
            uint bigFile = fs.Create("/big.bin");
            for (int off = 0; off < big.Length; off += 8192) fs.Write(bigFile, off, big.AsSpan(off, 8192));
            fs.Flush();
            var back = new byte[big.Length];
            for (int off = 0; off < back.Length;) off += fs.Read(bigFile, off, back.AsSpan(off));
            // FNV-1a, not SHA-256: .NET's SHA-256 on Linux is OpenSSL, which a static server must not load.
            ulong fnv = 14695981039346656037UL;
            foreach (byte b in back) fnv = (fnv ^ b) * 1099511628211UL;
            Console.WriteLine($"fs: /big.bin written and read back, fnv1a {fnv:x16}, {(back.AsSpan().SequenceEqual(big) ? "identical" : "DIFFERENT")}");
        }
        catch (FsException e)
        {
            Console.WriteLine($"fs: {e.Error}: {e.Message}");
            return 1;
        }
        Console.WriteLine($"fs: unmounted after {disk.Requests} disk requests ({disk.Reissued} issued again)");
        return 0;
    }
}
