// The namespace beyond fs: /dev (null, zero, urandom, console), /proc (meminfo, self, the servers' GC
// table), names (mkdir, unlink, rename, link, readlink, chmod, rmdir) and identity calls.
using System.Text;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class NamespaceTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    [Fact]
    public void Dev_null_swallows_writes_and_ends_reads_and_dev_zero_reads_zeroes()
    {
        int nul = h.Open("/dev/null", O.RDWR);
        Assert.Equal(5, h.Write(nul, "gone!"));
        Assert.Equal("", h.Read(nul, 10));
        int zero = h.Open("/dev/zero", O.RDONLY);
        ulong buffer = h.Put(new byte[] { 9, 9, 9, 9 });
        Assert.Equal(4, h.Call(LinuxCall.Read, (ulong)zero, buffer, 4));
        Assert.Equal(new byte[4], h.Get(buffer, 4));
    }

    [Fact]
    public void Dev_urandom_gives_the_bytes_asked_for_and_the_console_writes_to_the_kernel_console()
    {
        int random = h.Open("/dev/urandom", O.RDONLY);
        Assert.Equal(32, h.Call(LinuxCall.Read, (ulong)random, h.Alloc(32), 32));
        int console = h.Open("/dev/console", O.WRONLY);
        h.Write(console, "hello console\n");
        Assert.Equal("hello console\n", h.System.Console);
        Assert.Equal(-Errno.ESPIPE, h.Call(LinuxCall.Lseek, (ulong)console, 0, Seek.SET));
        ulong termios = h.Alloc(60);
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, Ioctl.TCGETS, termios));
        Assert.Equal(-Errno.ENOTTY, h.Call(LinuxCall.Ioctl, (ulong)h.Open("/dev/null", O.RDONLY), Ioctl.TCGETS, termios));
    }

    [Fact]
    public void Tcgets_on_the_console_writes_exactly_the_kernels_36_byte_termios_and_nothing_past_it()
    {
        // glibc's tcgetattr (isatty) passes a 36-byte struct __kernel_termios on its stack: a longer
        // answer overwrote busybox's stack canary ("stack smashing detected") on Biscuit.
        int console = h.Open("/dev/console", O.WRONLY);
        var guard = new byte[64];
        Array.Fill(guard, (byte)0xAB);
        ulong termios = h.Put(guard);
        Assert.Equal(0, h.Call(LinuxCall.Ioctl, (ulong)console, Ioctl.TCGETS, termios));
        byte[] after = h.Get(termios, 64);
        Assert.All(after[36..], b => Assert.Equal(0xAB, b));
        Assert.Equal(0x30u, BitConverter.ToUInt32(after, 8) & 0x30u);      // c_cflag CS8
        Assert.Equal(0x2u, BitConverter.ToUInt32(after, 12) & 0x2u);       // c_lflag ICANON
    }

    [Fact]
    public void Dev_lists_its_devices_and_refuses_new_names()
    {
        ulong stat = h.Alloc(StatLayout.Size);
        Assert.Equal(0, h.Call(LinuxCall.Stat, h.Put("/dev/null"), stat));
        Assert.Equal(Mode.IFCHR, (uint)h.GetInt(stat + 24) & Mode.IFMT);
        Assert.Equal((1ul << 8) | 3, h.GetU64(stat + 40));   // st_rdev 1:3
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/dev/sda"), O.RDONLY, 0));
        Assert.Equal(-Errno.EACCES, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/dev/new"), O.CREAT | O.WRONLY, 0x1A4));
        Assert.Equal(-Errno.EACCES, h.Call(LinuxCall.Unlink, h.Put("/dev/null")));
        int dir = h.Open("/dev", O.RDONLY | O.DIRECTORY);
        ulong buffer = h.Alloc(1024);
        long n = h.Call(LinuxCall.Getdents64, (ulong)dir, buffer, 1024);
        Assert.Contains("urandom", Encoding.ASCII.GetString(h.Get(buffer, (int)n)));
    }

    [Fact]
    public void Proc_meminfo_self_and_the_gc_table_read_as_text()
    {
        Assert.StartsWith("MemTotal:", h.Read(h.Open("/proc/meminfo", O.RDONLY), 4096));
        Assert.Contains("524288 kB", h.Read(h.Open("/proc/meminfo", O.RDONLY), 4096));
        Assert.Contains("gen0", h.Read(h.Open("/proc/biscuit/gc", O.RDONLY), 4096));
        h.Process.Arguments = ["nginx", "-g", "daemon off;"];
        Assert.Equal("nginx\0-g\0daemon off;\0", h.Read(h.Open("/proc/self/cmdline", O.RDONLY), 4096));
        Assert.Contains($"Pid:\t{h.Process.Pid}", h.Read(h.Open($"/proc/{h.Process.Pid}/status", O.RDONLY), 4096));
        ulong buffer = h.Alloc(64);
        long n = h.Call(LinuxCall.Readlink, h.Put("/proc/self"), buffer, 64);
        Assert.Equal($"{h.Process.Pid}", h.GetString(buffer, (int)n));   // a relative link, as on Linux
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/proc/nothing"), O.RDONLY, 0));
        Assert.Equal(-Errno.EACCES, h.Call(LinuxCall.Openat, U(At.FDCWD), h.Put("/proc/meminfo"), O.WRONLY, 0));
    }

    [Fact]
    public void An_open_proc_file_stats_with_the_size_of_what_it_reads()
    {
        // nginx serves a file by its fstat size: a /proc file must not say 0 (as Linux's do)
        int fd = h.Open("/proc/biscuit/gc", O.RDONLY);
        ulong stat = h.Alloc(StatLayout.Size);
        Assert.Equal(0, h.Call(LinuxCall.Fstat, (ulong)fd, stat));
        long size = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(h.Get(stat, StatLayout.Size).AsSpan(48));
        Assert.True(size > 0);
        Assert.Equal(size, System.Text.Encoding.UTF8.GetByteCount(h.Read(fd, 65536)));
    }

    [Fact]
    public void Proc_self_exe_leads_to_the_program_file()
    {
        h.Call(LinuxCall.Close, (ulong)h.Open("/prog", O.CREAT | O.WRONLY));
        h.Process.ExecutablePath = "/prog";
        ulong buffer = h.Alloc(64);
        Assert.Equal(5, h.Call(LinuxCall.Readlink, h.Put("/proc/self/exe"), buffer, 64));
        Assert.Equal("/prog", h.GetString(buffer, 5));
        ulong stat = h.Alloc(StatLayout.Size);
        Assert.Equal(0, h.Call(LinuxCall.Stat, h.Put("/proc/self/exe"), stat));
        Assert.Equal(Mode.IFREG, (uint)h.GetInt(stat + 24) & Mode.IFMT);
    }

    [Fact]
    public void Names_are_made_renamed_linked_and_removed_with_linux_errors()
    {
        Assert.Equal(0, h.Call(LinuxCall.Mkdir, h.Put("/var"), 0x1ED));
        Assert.Equal(-Errno.EEXIST, h.Call(LinuxCall.Mkdir, h.Put("/var"), 0x1ED));
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Mkdir, h.Put("/no/such"), 0x1ED));
        h.Call(LinuxCall.Close, (ulong)h.Open("/var/a", O.CREAT | O.WRONLY));
        Assert.Equal(0, h.Call(LinuxCall.Rename, h.Put("/var/a"), h.Put("/var/b")));
        Assert.Equal(0, h.Call(LinuxCall.Link, h.Put("/var/b"), h.Put("/var/c")));
        Assert.Equal(-Errno.ENOTEMPTY, h.Call(LinuxCall.Rmdir, h.Put("/var")));
        Assert.Equal(0, h.Call(LinuxCall.Unlink, h.Put("/var/b")));
        Assert.Equal(0, h.Call(LinuxCall.Unlinkat, U(At.FDCWD), h.Put("/var/c"), 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Unlinkat, U(At.FDCWD), h.Put("/var"), 0x1));
        Assert.Equal(0, h.Call(LinuxCall.Unlinkat, U(At.FDCWD), h.Put("/var"), At.REMOVEDIR));
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Unlink, h.Put("/var/b")));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Renameat2, U(At.FDCWD), h.Put("/x"), U(At.FDCWD), h.Put("/y"), 1));
    }

    [Fact]
    public void Readlink_of_a_file_is_EINVAL_and_chmod_changes_the_mode()
    {
        h.Call(LinuxCall.Close, (ulong)h.Open("/m", O.CREAT | O.WRONLY, 0x1A4));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Readlink, h.Put("/m"), h.Alloc(16), 16));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Readlink, h.Put("/m"), h.Alloc(16), 0));
        Assert.Equal(0, h.Call(LinuxCall.Chmod, h.Put("/m"), 0x1ED));
        ulong stat = h.Alloc(StatLayout.Size);
        h.Call(LinuxCall.Stat, h.Put("/m"), stat);
        Assert.Equal(0x81EDu, (uint)h.GetInt(stat + 24));
    }

    [Fact]
    public void Chown_gives_a_directory_away_as_nginx_does_for_its_temp_paths_and_minus_1_keeps_an_id()
    {
        h.Call(LinuxCall.Mkdir, h.Put("/var"), 0x1ED);
        Assert.Equal(0, h.Call(LinuxCall.Chown, h.Put("/var"), 33, U(-1)));
        ulong stat = h.Alloc(StatLayout.Size);
        h.Call(LinuxCall.Stat, h.Put("/var"), stat);
        Assert.Equal((33, 0), (h.GetInt(stat + 28), h.GetInt(stat + 32)));
        int fd = h.Open("/var", O.RDONLY | O.DIRECTORY);
        Assert.Equal(0, h.Call(LinuxCall.Fchown, (ulong)fd, U(-1), 44));
        h.Call(LinuxCall.Fstat, (ulong)fd, stat);
        Assert.Equal((33, 44), (h.GetInt(stat + 28), h.GetInt(stat + 32)));
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Chown, h.Put("/none"), 1, 1));
        h.Call(LinuxCall.Setuid, 33);
        Assert.Equal(-Errno.EPERM, h.Call(LinuxCall.Chown, h.Put("/var"), 0, 0));
    }

    [Fact]
    public void The_umask_applies_to_created_files()
    {
        Assert.Equal(0x12, h.Call(LinuxCall.Umask, 0x3F));
        h.Call(LinuxCall.Close, (ulong)h.Open("/u", O.CREAT | O.WRONLY, 0x1FF));
        ulong stat = h.Alloc(StatLayout.Size);
        h.Call(LinuxCall.Stat, h.Put("/u"), stat);
        Assert.Equal(0x1C0u, (uint)h.GetInt(stat + 24) & 0xFFF);
    }

    [Fact]
    public void Chdir_to_a_file_is_ENOTDIR_and_to_nothing_ENOENT()
    {
        h.Call(LinuxCall.Close, (ulong)h.Open("/file", O.CREAT | O.WRONLY));
        Assert.Equal(-Errno.ENOTDIR, h.Call(LinuxCall.Chdir, h.Put("/file")));
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Chdir, h.Put("/none")));
        Assert.Equal(0, h.Call(LinuxCall.Fchdir, (ulong)h.Open("/dev", O.RDONLY | O.DIRECTORY)));
        h.Write(h.Open("null", O.WRONLY), "relative to /dev");
    }

    [Fact]
    public void Identity_starts_as_root_and_setuid_drops_it_for_good()
    {
        Assert.Equal(0, h.Call(LinuxCall.Getuid));
        Assert.Equal(0, h.Call(LinuxCall.Setgroups, 0, 0));
        Assert.Equal(0, h.Call(LinuxCall.Setgid, 33));
        Assert.Equal(0, h.Call(LinuxCall.Setuid, 33));
        Assert.Equal((33, 33, 33), (h.Call(LinuxCall.Getuid), h.Call(LinuxCall.Geteuid), h.Call(LinuxCall.Getegid)));
        Assert.Equal(-Errno.EPERM, h.Call(LinuxCall.Setuid, 0));
        Assert.Equal(-Errno.EPERM, h.Call(LinuxCall.Setgroups, 0, 0));
        ulong ids = h.Alloc(12);
        Assert.Equal(0, h.Call(LinuxCall.Getresuid, ids, ids + 4, ids + 8));
        Assert.Equal((33, 33, 33), (h.GetInt(ids), h.GetInt(ids + 4), h.GetInt(ids + 8)));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Getresuid, Unmapped, ids, ids));
    }

    [Fact]
    public void Getgroups_with_a_small_buffer_is_EINVAL_and_size_0_counts()
    {
        var groups = new byte[8];
        BitConverter.TryWriteBytes(groups, 4);
        BitConverter.TryWriteBytes(groups.AsSpan(4), 27);
        Assert.Equal(0, h.Call(LinuxCall.Setgroups, 2, h.Put(groups)));
        Assert.Equal(2, h.Call(LinuxCall.Getgroups, 0, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Getgroups, 1, h.Alloc(4)));
        ulong list = h.Alloc(8);
        Assert.Equal(2, h.Call(LinuxCall.Getgroups, 2, list));
        Assert.Equal(27, h.GetInt(list + 4));
    }

    [Fact]
    public void Wait4_without_children_is_ECHILD_and_bad_options_EINVAL()
    {
        Assert.Equal(-Errno.ECHILD, h.Call(LinuxCall.Wait4, U(-1), 0, 1, 0));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Wait4, U(-1), 0, 0x100, 0));
    }
}

public sealed class ProcPidTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    [Fact]
    public void Proc_shows_a_process_under_its_pid_which_is_what_getpid_answers()
    {
        ulong buffer = h.Alloc(64), self = h.Put("/proc/self");
        long pid = h.Call(LinuxCall.Fork);
        var child = h.Posix.Processes.Find((ulong)pid)!;
        Assert.Equal(pid, h.Kernel.Of(child.Kernel).Pid);   // process_set_pid: the kernel's getpid() answer
        long n = h.CallAs(child, LinuxCall.Readlink, self, buffer, 64);
        Assert.Equal($"{pid}", System.Text.Encoding.UTF8.GetString(h.Kernel.ReadBytes(child.Kernel, buffer, (int)n)));   // relative, as Linux
        Assert.Contains($"Pid:\t{pid}", h.Read(h.Open($"/proc/{pid}/status", O.RDONLY), 4096));
        int dir = h.Open("/proc", O.RDONLY | O.DIRECTORY);
        ulong entries = h.Alloc(4096);
        long bytes = h.Call(LinuxCall.Getdents64, (ulong)dir, entries, 4096);
        Assert.Contains(pid.ToString(), System.Text.Encoding.ASCII.GetString(h.Get(entries, (int)bytes)));
    }
}
