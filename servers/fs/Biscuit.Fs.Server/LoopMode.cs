// fs-server loop SECONDS: the block-driver restart test's client (tests/Biscuit.Boot.Tests/
// BlockDriverRestartTests.cs). For SECONDS it writes a 256 KiB file of a pattern (one of 64 names,
// round-robin: 16 MiB, twice the fs block cache, so reads come from the disk), fsyncs it (a
// journal commit and a device flush: every round reaches the block driver), and reads back and
// checks the file written 32 rounds before. Every failed operation is one "fs-loop: round N: ..."
// line; every 10th good round one "fs-loop: round N ok" line; at the end "fs-loop: R rounds, F
// failed". Exit status: 0 if nothing failed. The fs server is initial handle 1.
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using System.Diagnostics;

static class LoopMode
{
    public const int FileBytes = 256 * 1024, Files = 64, ReadBackDistance = 32;

    public static int Run(int seconds)
    {
        var fs = new FileServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))), timeoutMs: 120_000);
        var clock = Stopwatch.StartNew();
        var data = new byte[FileBytes];
        var back = new byte[FileBytes];
        int round = 0, failed = 0;
        Console.WriteLine($"fs-loop: writing, fsyncing and reading back files for {seconds} s");
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            string? problem = Write(fs, round, data) ?? (round >= ReadBackDistance ? Check(fs, round - ReadBackDistance, data, back) : null);
            if (problem != null)
            {
                failed++;
                Console.WriteLine($"fs-loop: round {round}: {problem}");
            }
            else if (round % 10 == 0) Console.WriteLine($"fs-loop: round {round} ok");
            round++;
        }
        Console.WriteLine($"fs-loop: {round} rounds, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static string Name(int round) => $"/loop-{round % Files}.bin";

    private static void Fill(int round, byte[] data) => new Random(round).NextBytes(data);

    private static string? Write(FileServiceClient fs, int round, byte[] data)
    {
        Fill(round, data);
        var open = fs.Open(Name(round), LinuxOpenFlags.O_CREAT | LinuxOpenFlags.O_TRUNC, 0x1A4);
        if (!open.IsOk) return $"open {Name(round)} to write: {open}";
        ulong h = open.Value.Handle;
        var w = fs.Write(h, 0, data);
        var sync = fs.Fsync(h);
        var close = fs.Close(h);
        if (!w.IsOk || w.Value != data.Length) return $"write {Name(round)}: {w}";
        if (!sync.IsOk) return $"fsync {Name(round)}: {sync}";
        return close.IsOk ? null : $"close {Name(round)}: {close}";
    }

    private static string? Check(FileServiceClient fs, int round, byte[] data, byte[] back)
    {
        var open = fs.Open(Name(round), 0, 0);
        if (!open.IsOk) return $"open {Name(round)} to read: {open}";
        ulong h = open.Value.Handle;
        var r = fs.Read(h, 0, back);
        fs.Close(h);
        if (!r.IsOk || r.Value != back.Length) return $"read {Name(round)}: {r}";
        Fill(round, data);
        return back.AsSpan().SequenceEqual(data) ? null : $"{Name(round)} (round {round}) read back different bytes";
    }
}
