// MAP_SHARED file mappings (Memory/SharedFileTable.cs, Calls/MemoryCalls.cs): one set of pages per
// file, granted into every process that maps it; read/write coherent with the mappings; dirty pages
// back to the file on msync, munmap, death and the last unmap; the bounds; the errors of mmap(2) and
// msync(2). A "store through the mapping" is the fake kernel's write into the application's page,
// which the fake grant made the very page posix holds (as a shared frame is).
using System.Text;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class SharedFileMappingTests : IDisposable
{
    private const int ReadWrite = Mman.PROT_READ | Mman.PROT_WRITE;
    private readonly PosixHarness h = new(sharedPages: true);
    public void Dispose() => h.Dispose();

    private SharedFileTable Table => h.Posix.Files.SharedFiles!;

    private int FileWith(string path, string contents, int flags = O.RDWR)
    {
        int fd = h.Open(path, O.CREAT | O.RDWR);
        if (contents.Length > 0) Assert.Equal(contents.Length, h.Write(fd, contents));
        h.Call(LinuxCall.Close, (ulong)fd);
        return h.Open(path, flags);
    }

    private long Map(PosixProcess p, int fd, ulong length, int prot = ReadWrite, int flags = Mman.MAP_SHARED, ulong offset = 0) =>
        h.CallAs(p, LinuxCall.Mmap, 0, length, (ulong)prot, (ulong)flags, (ulong)fd, offset);

    private ulong MapOk(PosixProcess p, int fd, ulong length, int prot = ReadWrite, ulong offset = 0)
    {
        long at = Map(p, fd, length, prot, Mman.MAP_SHARED, offset);
        Assert.True(at > 0, $"mmap failed: {at}");
        return (ulong)at;
    }

    private string Seen(PosixProcess p, ulong address, int length) => Encoding.UTF8.GetString(h.Kernel.ReadBytes(p.Kernel, address, length));
    private void Store(PosixProcess p, ulong address, string text) => Assert.Equal(text.Length, h.Kernel.Write(p.Kernel, address, Encoding.UTF8.GetBytes(text)));

    private string OnDisk(string path)
    {
        Assert.Equal(0, h.Fs.Open(path, FsOpenFlags.None, 0, out var node, out var attributes));
        var bytes = new byte[attributes.Size];
        Assert.Equal(attributes.Size, h.Fs.Read(node, 0, bytes));
        h.Fs.Close(node);
        return Encoding.UTF8.GetString(bytes);
    }

    private void Munmap(PosixProcess p, ulong address, ulong length)
    {
        h.SharedPages.KernelUnmaps(p.Kernel, address, length);
        Assert.Equal(0, h.CallAs(p, 11, address, length));
    }

    private PosixProcess Fork()
    {
        long pid = h.Call(LinuxCall.Fork);
        Assert.True(pid > 0, $"fork failed: {pid}");
        return h.Posix.Processes.Find((ulong)pid)!;
    }

    [Fact]
    public void A_shared_mapping_shows_the_file_and_then_a_write_made_by_another_process()
    {
        int fd = FileWith("/f", "hello world");
        ulong at = MapOk(h.Process, fd, 4096);
        Assert.Equal("hello world", Seen(h.Process, at, 11));
        ulong path = h.Put("/f"), text = h.Put("HELLO"u8.ToArray());   // in memory the child's copy will have
        var other = Fork();
        long otherFd = h.CallAs(other, LinuxCall.Openat, U(At.FDCWD), path, O.RDWR, 0);
        Assert.True(otherFd >= 0);
        Assert.Equal(5, h.CallAs(other, LinuxCall.Pwrite64, (ulong)otherFd, text, 5, 0));
        Assert.Equal("HELLO world", Seen(h.Process, at, 11));
    }

    [Fact]
    public void A_store_through_the_mapping_is_read_back_by_read_at_once_and_reaches_the_file_on_msync()
    {
        int fd = FileWith("/f", "abcdefgh");
        ulong at = MapOk(h.Process, fd, 4096);
        Store(h.Process, at + 2, "XY");
        Assert.Equal("abXYefgh", h.Read(h.Open("/f", O.RDONLY), 100));
        Assert.Equal("abcdefgh", OnDisk("/f"));   // not yet written back
        Assert.Equal(0, h.Call(26, at, 4096, (ulong)MemoryCalls.MS_SYNC));
        Assert.Equal("abXYefgh", OnDisk("/f"));
    }

    [Fact]
    public void Two_processes_mapping_one_file_share_one_set_of_pages_and_see_each_others_stores()
    {
        int fd = FileWith("/f", new string('.', 5000));
        ulong parentAt = MapOk(h.Process, fd, 8192);
        var child = Fork();                        // inherits the mapping
        ulong childAt = MapOk(child, fd, 8192);    // and maps it a second time
        Store(child, childAt + 4096, "child");
        Assert.Equal("child", Seen(h.Process, parentAt + 4096, 5));
        Assert.Equal("child", Seen(child, parentAt + 4096, 5));
        Store(h.Process, parentAt, "parent");
        Assert.Equal("parent", Seen(child, childAt, 6));
        Assert.Equal(2UL, Table.HeldPages);
        Assert.Equal(1, Table.Files);
    }

    [Fact]
    public void Munmap_of_the_last_mapping_writes_back_and_gives_every_page_and_grant_back()
    {
        int fd = FileWith("/f", "0123456789");
        ulong at = MapOk(h.Process, fd, 4096);
        h.Call(LinuxCall.Close, (ulong)fd);       // the mapping keeps the file open
        Store(h.Process, at, "AB");
        Munmap(h.Process, at, 4096);
        Assert.Equal("AB23456789", OnDisk("/f"));
        Assert.Equal(0UL, Table.HeldPages);
        Assert.Equal(0, Table.Grants);
        Assert.Equal(0, Table.Files);
        Assert.Empty(h.SharedPages.Committed);
        Assert.Empty(h.SharedPages.Reservations);
        Assert.Equal(0, h.Fs.OpenNodeCount);
    }

    [Fact]
    public void Munmap_of_part_of_a_mapping_keeps_the_rest_shared()
    {
        int fd = FileWith("/f", new string('a', 3 * 4096));
        ulong at = MapOk(h.Process, fd, 3 * 4096);
        Munmap(h.Process, at + 4096, 4096);
        Assert.Equal(-Errno.EFAULT, h.Kernel.Read(h.Process.Kernel, at + 4096, new byte[1]));
        Store(h.Process, at + 8192, "tail");
        Store(h.Process, at, "head");
        Assert.Equal(2, Table.Grants);
        var buffer = h.Alloc(3 * 4096);
        Assert.Equal(3 * 4096, h.Call(LinuxCall.Pread64, (ulong)fd, buffer, 3 * 4096, 0));
        Assert.Equal("head", h.GetString(buffer, 4));
        Assert.Equal("tail", h.GetString(buffer + 8192, 4));
    }

    [Fact]
    public void A_MAP_FIXED_file_mapping_over_the_middle_of_a_shared_one_leaves_both_sides_shared()
    {
        int f = FileWith("/f", new string('f', 3 * 4096));
        int g = FileWith("/g", new string('g', 4096));
        ulong at = MapOk(h.Process, f, 3 * 4096);
        Assert.Equal((long)(at + 4096), h.Call(LinuxCall.Mmap, at + 4096, 4096, ReadWrite, Mman.MAP_SHARED | Mman.MAP_FIXED, (ulong)g, 0));
        Assert.Equal("g", Seen(h.Process, at + 4096, 1));
        Store(h.Process, at, "L");
        Store(h.Process, at + 8192, "R");
        Store(h.Process, at + 4096, "M");
        var buffer = h.Alloc(3 * 4096);
        Assert.Equal(3 * 4096, h.Call(LinuxCall.Pread64, (ulong)f, buffer, 3 * 4096, 0));
        Assert.Equal("Lf", h.GetString(buffer, 2));
        Assert.Equal("ff", h.GetString(buffer + 4096, 2));
        Assert.Equal("Rf", h.GetString(buffer + 8192, 2));
        Assert.Equal("Mg", h.Read(h.Open("/g", O.RDONLY), 2));
        Assert.Equal(3, Table.Grants);
    }

    [Fact]
    public void The_death_of_a_mapping_process_writes_its_stores_back_and_revokes_its_grants()
    {
        int fd = FileWith("/f", "xxxxxxxx");
        var child = Fork();
        ulong at = MapOk(child, fd, 4096);
        Store(child, at, "died");
        h.Kernel.Kill(child.Kernel);
        Assert.Equal("diedxxxx", OnDisk("/f"));
        Assert.Equal(0, Table.Grants);
        Assert.Equal(0UL, Table.HeldPages);
    }

    [Fact]
    public void Fork_gives_the_child_the_parents_shared_mapping_at_the_same_address()
    {
        int fd = FileWith("/f", "before");
        ulong at = MapOk(h.Process, fd, 4096);
        var child = Fork();
        Store(child, at, "AFTER!");
        Assert.Equal("AFTER!", Seen(h.Process, at, 6));
        Assert.Equal(2, Table.Grants);
    }

    [Fact]
    public void A_private_mapping_does_not_see_a_write_after_its_own_store_and_its_stores_never_reach_the_file()
    {
        int fd = FileWith("/f", "private!");
        long at = Map(h.Process, fd, 4096, ReadWrite, Mman.MAP_PRIVATE);
        Assert.True(at > 0);
        Store(h.Process, (ulong)at, "P");
        Assert.Equal(5, h.Call(LinuxCall.Pwrite64, (ulong)fd, h.Put("WRITE"u8.ToArray()), 5, 0));
        Assert.Equal("Privat", Seen(h.Process, (ulong)at, 6));
        Assert.Equal("WRITEte!", OnDisk("/f"));
        Assert.Equal(0, Table.Files);
    }

    [Fact]
    public void Pages_wholly_past_the_end_of_the_file_are_not_shown_and_bytes_past_it_never_reach_the_file()
    {
        int fd = FileWith("/f", "short");
        ulong at = MapOk(h.Process, fd, 3 * 4096);
        Assert.Single(Assert.Single(h.SharedPages.Live.Values).Pages);                         // one page granted
        Assert.Equal(Mman.PROT_NONE, h.Kernel.Of(h.Process.Kernel).PageProtection[at + 4096]);  // the rest reserved: SIGSEGV
        Assert.Equal(0, h.Kernel.ReadBytes(h.Process.Kernel, at + 5, 1)[0]);                    // the rest of the last page reads zero
        Store(h.Process, at + 100, "beyond");
        Assert.Equal(0, h.Call(26, at, 4096, (ulong)MemoryCalls.MS_SYNC));
        Assert.Equal("short", OnDisk("/f"));
        Assert.Equal(1UL, Table.HeldPages);
    }

    [Fact]
    public void A_write_that_extends_the_file_shows_zeroes_where_stores_past_the_old_end_were()
    {
        int fd = FileWith("/f", "ab");
        ulong at = MapOk(h.Process, fd, 4096);
        Store(h.Process, at + 10, "junk");
        Assert.Equal(1, h.Call(LinuxCall.Pwrite64, (ulong)fd, h.Put("z"u8.ToArray()), 1, 20));
        var seen = h.Kernel.ReadBytes(h.Process.Kernel, at, 21);
        Assert.Equal("ab"u8.ToArray().Concat(new byte[18]).Concat("z"u8.ToArray()), seen);
        Assert.Equal(21, h.Call(LinuxCall.Pread64, (ulong)fd, h.Alloc(64), 64, 0));
    }

    [Fact]
    public void Ftruncate_zeroes_the_mapped_bytes_past_the_new_end()
    {
        int fd = FileWith("/f", "0123456789");
        ulong at = MapOk(h.Process, fd, 4096);
        Assert.Equal(0, h.Call(LinuxCall.Ftruncate, (ulong)fd, 4));
        Assert.Equal("0123\0\0", Seen(h.Process, at, 6));
        Assert.Equal(0, h.Call(LinuxCall.Ftruncate, (ulong)fd, 8));
        Assert.Equal("0123\0\0\0\0", h.Read(h.Open("/f", O.RDONLY), 100));
    }

    [Fact]
    public void Fsync_of_a_mapped_file_writes_the_stores_back()
    {
        int fd = FileWith("/f", "........");
        ulong at = MapOk(h.Process, fd, 4096);
        Store(h.Process, at, "sync");
        Assert.Equal(0, h.Call(LinuxCall.Fsync, (ulong)fd));
        Assert.Equal("sync....", OnDisk("/f"));
    }

    [Fact]
    public void A_read_only_descriptor_maps_read_only_and_PROT_WRITE_on_it_is_EACCES()
    {
        int fd = FileWith("/f", "ro", O.RDONLY);
        Assert.Equal(-Errno.EACCES, Map(h.Process, fd, 4096, ReadWrite));
        MapOk(h.Process, fd, 4096, Mman.PROT_READ);
        Assert.False(Assert.Single(h.SharedPages.Live.Values).Writable);
    }

    [Fact]
    public void Bad_arguments_get_Linux_errors_and_hold_nothing()
    {
        int fd = FileWith("/f", "data");
        Assert.Equal(-Errno.EINVAL, Map(h.Process, fd, 0));
        Assert.Equal(-Errno.EINVAL, Map(h.Process, fd, 4096, offset: 100));
        Assert.Equal(-Errno.EINVAL, Map(h.Process, fd, 4096, flags: Mman.MAP_SHARED | Mman.MAP_PRIVATE | 4));
        Assert.Equal(-Errno.EBADF, Map(h.Process, 99, 4096));
        ulong fds = h.Alloc(8);
        Assert.Equal(0, h.Call(LinuxCall.Pipe2, fds, 0));
        Assert.Equal(-Errno.ENODEV, Map(h.Process, h.GetInt(fds), 4096, Mman.PROT_READ));
        int writeOnly = h.Open("/f", O.WRONLY);
        Assert.Equal(-Errno.EACCES, Map(h.Process, writeOnly, 4096));
        Assert.Equal(0, Table.Files);
        Assert.Empty(h.SharedPages.Committed);
    }

    [Fact]
    public void Msync_refuses_an_unaligned_address_and_MS_ASYNC_with_MS_SYNC()
    {
        Assert.Equal(-Errno.EINVAL, h.Call(26, 0x1001, 4096, (ulong)MemoryCalls.MS_SYNC));
        Assert.Equal(-Errno.EINVAL, h.Call(26, 0x1000, 4096, (ulong)(MemoryCalls.MS_SYNC | MemoryCalls.MS_ASYNC)));
        Assert.Equal(-Errno.EINVAL, h.Call(26, 0x1000, 4096, 0x100));
        Assert.Equal(0, h.Call(26, 0x1000, 4096, (ulong)MemoryCalls.MS_ASYNC));
    }

    [Fact]
    public void A_grant_the_kernel_refuses_fails_the_mmap_and_holds_nothing()
    {
        int fd = FileWith("/f", "data");
        h.SharedPages.FailGrantsWith = -Errno.EMFILE;
        Assert.Equal(-Errno.EMFILE, Map(h.Process, fd, 4096));
        Assert.Equal(0, Table.Files);
        Assert.Empty(h.SharedPages.Committed);
        Assert.Equal(0, h.Fs.OpenNodeCount - 1);   // only the descriptor's own node
    }

    [Fact]
    public void Without_pages_to_share_MAP_SHARED_is_ENODEV()
    {
        using var plain = new PosixHarness();
        int fd = plain.Open("/f", O.CREAT | O.RDWR);
        plain.Write(fd, "x");
        Assert.Equal(-Errno.ENODEV, plain.Call(LinuxCall.Mmap, 0, 4096, (ulong)ReadWrite, (ulong)Mman.MAP_SHARED, (ulong)fd, 0));
    }
}

/// <summary>The bounds of SharedFileTable on its own (pages held, grants), over the same fakes.</summary>
public sealed class SharedFileBoundsTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    private (FsFile File, ulong Inode) Open(string path, int bytes)
    {
        int fd = h.Open(path, O.CREAT | O.RDWR);
        Assert.Equal(0, h.Call(LinuxCall.Ftruncate, (ulong)fd, (ulong)bytes));
        var file = (FsFile)h.Process.Fds.Get(fd);
        return (file, file.Inode);
    }

    private ulong Reserve(ulong length) =>
        (ulong)h.Kernel.Map(h.Process.Kernel, 0, length, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);

    [Fact]
    public void Holding_more_pages_than_the_bound_is_ENOMEM_and_the_pages_already_held_stay_usable()
    {
        var table = new SharedFileTable(h.Fs, h.SharedPages, maxPages: 4);
        var (a, inodeA) = Open("/a", 3 * 4096);
        var (b, inodeB) = Open("/b", 2 * 4096);
        Assert.Equal(0, table.Map(a, inodeA, h.Process.Kernel, Reserve(3 * 4096), 0, 3 * 4096, true));
        Assert.Equal(-Errno.ENOMEM, table.Map(b, inodeB, h.Process.Kernel, Reserve(2 * 4096), 0, 2 * 4096, true));
        Assert.Equal(3UL, table.HeldPages);
        Assert.Equal(1, table.Files);
        Assert.Equal(0, table.Map(b, inodeB, h.Process.Kernel, Reserve(4096), 0, 4096, true));
        Assert.Equal(4UL, table.HeldPages);
    }

    [Fact]
    public void More_grants_than_the_bound_is_ENOMEM()
    {
        var table = new SharedFileTable(h.Fs, h.SharedPages, maxGrants: 2);
        var (a, inode) = Open("/a", 4096);
        Assert.Equal(0, table.Map(a, inode, h.Process.Kernel, Reserve(4096), 0, 4096, true));
        Assert.Equal(0, table.Map(a, inode, h.Process.Kernel, Reserve(4096), 0, 4096, true));
        Assert.Equal(-Errno.ENOMEM, table.Map(a, inode, h.Process.Kernel, Reserve(4096), 0, 4096, true));
        Assert.Equal(2, table.Grants);
    }

    [Fact]
    public void A_mapping_larger_than_one_grant_is_shown_by_several()
    {
        var table = new SharedFileTable(h.Fs, h.SharedPages);
        var (a, inode) = Open("/big", (int)(SharedFileTable.GrantPages + 1) * 4096);
        ulong length = (SharedFileTable.GrantPages + 1) * 4096;
        Assert.Equal(0, table.Map(a, inode, h.Process.Kernel, Reserve(length), 0, length, true));
        Assert.Equal(2, table.Grants);
        Assert.Equal(SharedFileTable.GrantPages + 1, table.HeldPages);
    }
}
