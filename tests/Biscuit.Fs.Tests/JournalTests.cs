// ext3 journaling: read-write mounts log metadata in JBD2 transactions that e2fsprogs understands,
// unmount clean, and after a crash at any write both our replay and e2fsck's leave a clean file system
// in which every file synced before the crash reads back byte for byte.
namespace Biscuit.Fs.Tests;

public class JournalTests
{
    [Fact]
    public void Ext3ReadWriteMountGroupsOperationsIntoOneTransactionPerSyncAndUnmountsClean()
    {
        using var image = TestImage.CreateOfType("ext3", 8 << 10, 1024);
        image.Mount();
        var fs = image.Fs;
        Assert.NotNull(fs.Journal);
        fs.Mkdir("/d");
        for (int i = 0; i < 50; i++)
            fs.Write(fs.Create($"/d/f{i}"), 0, new byte[3000 + i]);
        Assert.Equal(0, fs.Journal!.Commits); // nothing is committed before a sync...
        fs.Flush();
        Assert.Equal(1, fs.Journal.Commits);   // ...and then 101 operations commit as one transaction
        Assert.True(fs.Journal.BlocksLogged > 10);
        image.Unmount();
        E2fsTools.AssertClean(image.ImagePath);
        string header = E2fsTools.Run("dumpe2fs", "-h", image.ImagePath).Output;
        Assert.DoesNotContain("needs_recovery", header);
        Assert.Contains("Journal start:            0", header);
    }

    [Fact]
    public void CommittedTransactionNotYetCheckpointedIsReplayedByMountAndByE2fsck()
    {
        using var dir = new TempDirectory();
        string image = dir["disk.img"], copy = dir["copy.img"];
        E2fsTools.MakeImage(image, 8 << 10, 1024, null, "-t", "ext3");
        using (var device = new FailingDevice(new ImageFileDevice(image, flushToDisk: false), long.MaxValue))
        {
            var fs = Ext2FileSystem.Mount(device);
            fs.Mkdir("/kept");
            fs.Write(fs.Create("/kept/file"), 0, new byte[] { 1, 2, 3 });
            // Journal.Commit flushes twice (log, then commit block); power fails right after: the
            // transaction is durable in the log but none of its blocks is home.
            device.FlushesBeforeFailure = device.Flushes + 2;
            Assert.Throws<FsException>(() => fs.Flush());
        }
        string header = E2fsTools.Run("dumpe2fs", "-h", image).Output;
        Assert.Contains("needs_recovery", header);
        Assert.DoesNotContain("Journal start:            0", header);
        File.Copy(image, copy);

        using (var device = new ImageFileDevice(image, flushToDisk: false))
        using (var fs = Ext2FileSystem.Mount(device))
        {
            Assert.Equal(1, fs.RecoveredTransactions);
            var back = new byte[4];
            Assert.Equal(3, fs.Read(fs.Lookup("/kept/file"), 0, back));
            Assert.Equal(new byte[] { 1, 2, 3, 0 }, back);
        }
        E2fsTools.AssertClean(image);

        var (code, output) = E2fsTools.Run("e2fsck", "-fy", copy);
        Assert.True(code <= 1 && output.Contains("recovering journal"), output);
        E2fsTools.AssertClean(copy);
        Assert.Contains("kept", E2fsTools.Debugfs(copy, "ls /"));
    }

    [Fact]
    public void ReadOnlyMountOfAJournalThatNeedsRecoveryIsRefusedAndWritesNothing()
    {
        using var dir = new TempDirectory();
        string image = dir["disk.img"];
        E2fsTools.MakeImage(image, 8 << 10, 1024, null, "-t", "ext3");
        using (var device = new FailingDevice(new ImageFileDevice(image, flushToDisk: false), long.MaxValue))
        {
            var fs = Ext2FileSystem.Mount(device);
            fs.Mkdir("/d");
            device.FlushesBeforeFailure = device.Flushes + 2;
            Assert.Throws<FsException>(() => fs.Flush());
        }
        var before = ImageBytes.Hash(image);
        using (var device = new ImageFileDevice(image, readOnly: true))
        {
            var error = Assert.Throws<FsException>(() => Ext2FileSystem.Mount(device, new MountOptions { ReadOnly = true }));
            Assert.Contains("needs_recovery", error.Message);
        }
        Assert.Equal(before, ImageBytes.Hash(image));
    }

    [Fact]
    public void LoggedBlockStartingWithTheJournalMagicIsEscapedAndRestoredByReplay()
    {
        using var image = TestImage.CreateOfType("ext3", 8 << 10, 1024);
        using var device = new ImageFileDevice(image.ImagePath);
        var map = JournalMap(image.ImagePath);
        var block = new byte[1024];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(block, Journal.Magic);
        block[100] = 42;
        const long home = 7000; // a free block of this 8 MiB image

        Journal.Open(device, 1024, map).Commit(new[] { (home, block) }, now: 0);
        var reopened = Journal.Open(device, 1024, map);
        Assert.True(reopened.NeedsRecovery);
        Assert.Equal(1, reopened.Recover(8192));
        Assert.False(reopened.NeedsRecovery);
        var back = new byte[1024];
        device.ReadBlocks(home * 2, back);
        Assert.Equal(block, back);
    }

    [Fact]
    public void TransactionWithoutItsCommitBlockIsNotReplayed()
    {
        using var image = TestImage.CreateOfType("ext3", 8 << 10, 1024);
        var map = JournalMap(image.ImagePath);
        const long home = 7000;
        using (var device = new ImageFileDevice(image.ImagePath))
        {
            // Power fails just before the commit block: every write up to it (superblock, descriptor, copy).
            var failing = new FailingDevice(device, writesBeforeFailure: 3);
            var block = Enumerable.Repeat((byte)0x5A, 1024).ToArray();
            Assert.Throws<FsException>(() => Journal.Open(failing, 1024, map).Commit(new[] { (home, block) }, now: 0));
        }
        using (var device = new ImageFileDevice(image.ImagePath))
        {
            Assert.Equal(0, Journal.Open(device, 1024, map).Recover(8192));
            var back = new byte[1024];
            device.ReadBlocks(home * 2, back);
            Assert.All(back, b => Assert.Equal(0, b));
        }
    }

    [Fact]
    public void ReplaySkipsABlockRevokedByALaterTransaction()
    {
        using var image = TestImage.CreateOfType("ext3", 8 << 10, 1024);
        var map = JournalMap(image.ImagePath);
        const uint home = 7000;
        // Transaction 1 logs `home`; transaction 2 revokes it (as Linux does when the block is freed).
        var log = new List<byte[]>();
        byte[] Block() { var b = new byte[1024]; log.Add(b); return b; }
        void Header(byte[] b, uint type, uint sequence)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b, Journal.Magic);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), type);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), sequence);
        }
        var descriptor = Block();
        Header(descriptor, 1, 1);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(descriptor.AsSpan(12), home);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(descriptor.AsSpan(18), 8); // last tag
        Array.Fill(Block(), (byte)0x77);
        Header(Block(), 2, 1);
        var revoke = Block();
        Header(revoke, 5, 2);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(revoke.AsSpan(12), 16 + 4);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(revoke.AsSpan(16), home);
        Header(Block(), 2, 2);
        for (int i = 0; i < log.Count; i++)
            ImageBytes.Write(image.ImagePath, map[1 + i] * 1024L, log[i]);
        ImageBytes.WriteU32(image.ImagePath, map[0] * 1024L + 0x1C, 0x01000000); // s_start = 1 (big-endian)

        using var device = new ImageFileDevice(image.ImagePath, flushToDisk: false);
        var journal = Journal.Open(device, 1024, map);
        Assert.Equal(2, journal.Recover(8192));
        var back = new byte[1024];
        device.ReadBlocks(home * 2, back);
        Assert.All(back, b => Assert.Equal(0, b));
    }

    [Fact]
    public void JournalWithAnUnsupportedFeatureRefusesTheReadWriteMountNamingIt()
    {
        using var image = TestImage.CreateOfType("ext3", 8 << 10, 1024);
        var map = JournalMap(image.ImagePath);
        ImageBytes.WriteU32(image.ImagePath, map[0] * 1024L + 0x28, 0x10000000); // incompat csum v3 (big-endian 0x10)
        var before = ImageBytes.Hash(image.ImagePath);
        var error = Assert.Throws<FsException>(() => image.Mount());
        Assert.Equal(FsError.EOPNOTSUPP, error.Error);
        Assert.Contains("journal feature", error.Message);
        Assert.Equal(before, ImageBytes.Hash(image.ImagePath));
    }

    [Fact]
    public void CorruptJournalSuperblockRefusesTheReadWriteMount()
    {
        using var image = TestImage.CreateOfType("ext3", 8 << 10, 1024);
        var map = JournalMap(image.ImagePath);
        ImageBytes.WriteU32(image.ImagePath, map[0] * 1024L, 0x12345678);
        var before = ImageBytes.Hash(image.ImagePath);
        var error = Assert.Throws<FsException>(() => image.Mount());
        Assert.Equal(FsError.EUCLEAN, error.Error);
        Assert.Contains("journal superblock", error.Message);
        Assert.Equal(before, ImageBytes.Hash(image.ImagePath));
    }

    [Fact]
    public void OperationTooLargeForOneTransactionFailsWithENOSPCAndChangesNothing()
    {
        using var image = TestImage.CreateOfType("ext3", 16 << 10, 1024);
        var map = JournalMap(image.ImagePath);
        ImageBytes.WriteU32(image.ImagePath, map[0] * 1024L + 0x10, 0x64000000); // s_maxlen = 100: ~48 blocks per operation
        image.Mount();
        var fs = image.Fs;
        uint file = fs.Create("/f");
        fs.Flush();
        var before = fs.FreeCounts;
        var error = Assert.Throws<FsException>(() => fs.Write(file, 0, new byte[13 << 20]));
        Assert.Equal(FsError.ENOSPC, error.Error);
        Assert.Contains("transaction", error.Message);
        Assert.Equal(before, fs.FreeCounts);
        Assert.Equal(0UL, fs.Stat(file).Size);
        fs.Write(file, 0, new byte[1 << 20]); // a smaller one fits
    }

    private static uint[] JournalMap(string image)
    {
        var map = new uint[1024];
        string output = E2fsTools.Debugfs(image, "blocks <8>");
        var numbers = output.Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries).Where(t => t.All(char.IsDigit)).Select(uint.Parse).ToArray();
        Array.Copy(numbers, map, 1024);
        return map;
    }
}
