// The fs server on Biscuit (issue 5 items 4-5, QEMU part): `fs-server serve` mounts an ext3 image the
// host made with `mke2fs -d` over its virtio-blk driver and serves the fs protocol on its endpoint;
// `fs-server client`, started by init from tests/manifests/fs-server, reads the host's files, creates,
// links, renames, truncates and removes files, checks errnos, fsyncs, and prints checksums. The host
// then judges the disk: e2fsck -fn finds it clean and debugfs reads back what the client wrote.
namespace Biscuit.Boot.Tests;

public sealed class FileServerBoot : SuiteBoot, IDisposable
{
    public const int BigFileBytes = 300 * 1024, BigFileSeed = 7, ManyFiles = 300;
    public const int NewFileBytes = 100 * 1024, NewFileSeed = 42;   // what the client writes (ClientMode.cs)
    public static readonly string Folder = Directory.CreateTempSubdirectory("biscuit-fs-server-").FullName;
    public static string Image => Path.Combine(Folder, "disk.img");

    public FileServerBoot() : base(BootWithImage()) { }

    private static QemuRun BootWithImage()
    {
        string stage = Directory.CreateDirectory(Path.Combine(Folder, "stage")).FullName;
        File.WriteAllText(Path.Combine(stage, "hello.txt"), "hello from the host\n");
        Directory.CreateDirectory(Path.Combine(stage, "etc"));
        File.WriteAllText(Path.Combine(stage, "etc", "motd"), "welcome\n");
        string many = Directory.CreateDirectory(Path.Combine(stage, "data", "many")).FullName;
        File.WriteAllBytes(Path.Combine(stage, "data", "big.bin"), Pattern(BigFileBytes, BigFileSeed));
        for (int i = 0; i < ManyFiles; i++) File.WriteAllText(Path.Combine(many, $"entry-with-a-long-name-{i:D3}"), $"{i}\n");
        File.WriteAllText(Path.Combine(stage, "journal.txt"), "written before the crash!\n");   // as long as Replayed
        var (code, output) = Repository.Run("mke2fs", $"-q -F -t ext3 -b 4096 -d \"{stage}\" \"{Image}\" 32M", TimeSpan.FromMinutes(1));
        if (code != 0) throw new InvalidOperationException("mke2fs failed: " + output);
        LeaveJournalTransaction("/journal.txt", Replayed);
        return QemuRun.BootSystemWith($"-drive file=\"{Image}\",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0",
            "512M", "fs-server", 600, "blk-server", "fs-server");
    }

    public const string Replayed = "replayed from the journal\n";

    // As a crash right after a journal commit leaves it: one committed transaction, not yet written
    // home, that rewrites block 0 of `path`. debugfs's journal_open/journal_write/journal_close write
    // JBD2 records without replaying them (and set needs_recovery).
    private static void LeaveJournalTransaction(string path, string text)
    {
        var (_, bmap) = Repository.Run("debugfs", $"-R \"bmap {path} 0\" \"{Image}\"", TimeSpan.FromMinutes(1));
        long block = long.Parse(bmap.Split('\n').First(l => l.Trim().Length > 0 && char.IsDigit(l.Trim()[0])).Trim());
        var data = new byte[4096];
        System.Text.Encoding.UTF8.GetBytes(text).CopyTo(data, 0);
        string blockFile = Path.Combine(Folder, "block.bin"), commands = Path.Combine(Folder, "journal.cmds");
        File.WriteAllBytes(blockFile, data);
        File.WriteAllText(commands, $"jo\njw -b {block} {blockFile}\njc\n");
        var (code, output) = Repository.Run("debugfs", $"-w -f \"{commands}\" \"{Image}\"", TimeSpan.FromMinutes(1));
        if (code != 0) throw new InvalidOperationException("debugfs journal_write failed: " + output);
    }

    public static byte[] Pattern(int bytes, int seed)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static ulong Fnv1a(ReadOnlySpan<byte> data)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte b in data) h = (h ^ b) * 1099511628211UL;
        return h;
    }

    public (int Code, string Output) Debugfs(string request) =>
        Repository.Run("debugfs", $"-R \"{request}\" \"{Image}\"", TimeSpan.FromMinutes(1));

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

public class FileServerTests : IClassFixture<FileServerBoot>
{
    private readonly FileServerBoot _boot;
    public FileServerTests(FileServerBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "the client reads the file the host wrote",
        "the client reads a large host file in pieces",
        "the client lists a directory of many entries across batches",
        "the client creates a directory and writes, fsyncs and reads back a file",
        "the client links, symlinks, renames, truncates and removes",
        "the client changes mode, owner and times",
        "a file unlinked while open stays readable until closed",
        "errors come back as Linux errnos",
        "the server reports its cache, journal and GC figures",
        "every request stayed within its admission budget",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Client_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_client_reports_exactly_its_cases_and_init_ends_with_its_status()
    {
        _boot.AssertReportedExactly(Cases, _ => true);
        Assert.Contains("init: client exited with status 0", _boot.Run.Serial);
    }

    [Fact]
    public void The_server_replays_the_journal_a_crash_left_and_says_so()
    {
        Assert.Contains("fs: mounted a disk of 32 MiB (journal recovered: 1 transaction replayed)", _boot.Run.Serial);
        Assert.Contains("1 replayed at mount", _boot.Run.Line("fs-client: cache hit rate"));
        Assert.StartsWith(FileServerBoot.Replayed, _boot.Debugfs("cat /journal.txt").Output);
        Assert.Contains("fs: serving (block cache 8192 KiB of a 48 MiB heap)", _boot.Run.Serial);
    }

    [Fact]
    public void The_driver_takes_QEMUs_flush_feature_so_commits_reach_the_host_file()
    {
        Assert.Contains("fs: disk (blk server) with a write cache: journal commits flush it", _boot.Run.Serial);
        Assert.Contains("write cache flushed on Flush; serving", _boot.Run.Line("blk: virtio-blk disk of 32 MiB"));
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
    }

    [Fact]
    public void The_client_reads_the_hosts_large_file_with_the_hosts_checksum()
    {
        ulong expected = FileServerBoot.Fnv1a(FileServerBoot.Pattern(FileServerBoot.BigFileBytes, FileServerBoot.BigFileSeed));
        Assert.Equal($"fs-client: /data/big.bin {FileServerBoot.BigFileBytes} bytes fnv1a {expected:x16}", _boot.Run.Line("fs-client: /data/big.bin"));
        Assert.Equal($"fs-client: /data/many lists {FileServerBoot.ManyFiles} entries", _boot.Run.Line("fs-client: /data/many"));
    }

    [Fact]
    public void After_the_run_the_hosts_e2fsck_finds_the_disk_clean()
    {
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
        var (code, output) = Repository.Run("e2fsck", $"-fn \"{FileServerBoot.Image}\"", TimeSpan.FromMinutes(1));
        Assert.True(code == 0, output);
    }

    [Fact]
    public void The_hosts_debugfs_reads_back_the_file_the_client_wrote_and_fsynced()
    {
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
        string dumped = Path.Combine(FileServerBoot.Folder, "new.out");
        var (code, output) = _boot.Debugfs($"dump /made/new.bin {dumped}");
        Assert.True(code == 0 && File.Exists(dumped), output);
        var expected = FileServerBoot.Pattern(FileServerBoot.NewFileBytes, FileServerBoot.NewFileSeed);
        Assert.Equal(expected, File.ReadAllBytes(dumped));
        Assert.Equal($"fs-client: /made/new.bin {expected.Length} bytes fnv1a {FileServerBoot.Fnv1a(expected):x16}", _boot.Run.Line("fs-client: /made/new.bin"));
    }

    [Fact]
    public void The_hosts_debugfs_sees_the_renames_links_and_removals()
    {
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
        Assert.StartsWith("final\n", _boot.Debugfs("cat /made/final.txt").Output);   // stdout first, then debugfs banner
        var listing = _boot.Debugfs("ls -l /made").Output;
        foreach (var name in new[] { "new.bin", "note.txt", "soft", "final.txt", "short.txt" }) Assert.Contains(name, listing);
        foreach (var gone in new[] { "draft.txt", "note-link.txt", "gone", "temp" }) Assert.DoesNotContain(" " + gone + "\n", listing + "\n");
        Assert.DoesNotContain("motd", _boot.Debugfs("ls -l /etc").Output);
        Assert.Contains("Fast link dest: \"note.txt\"", _boot.Debugfs("stat /made/soft").Output);
        Assert.Contains("Size: 1000", _boot.Debugfs("stat /made/short.txt").Output);
        var note = _boot.Debugfs("stat /made/note.txt").Output;
        Assert.Contains("Mode:  0600", note);
        Assert.Contains("User:  1000   Group:  1000", note);
        Assert.Contains("Links: 1", note);
    }
}
