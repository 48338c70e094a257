// execve and the ELF loader against the host's real Debian binaries (nginx: a PIE with PT_INTERP;
// ld-linux-x86-64.so.2; busybox-static: ET_EXEC without interpreter), staged into an ext2 image and
// loaded through posix into the recording fake kernel. The expected values come from the files'
// own headers, read here independently of the loader.
using System.Buffers.Binary;
using System.Text;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class HostBinaries : IDisposable
{
    public const string Nginx = "/usr/sbin/nginx", Interpreter = "/lib64/ld-linux-x86-64.so.2", Busybox = "/bin/busybox";
    public string Staging { get; } = Path.Combine(Path.GetTempPath(), "posix-exec-" + Guid.NewGuid().ToString("N"));

    public HostBinaries()
    {
        foreach (var path in new[] { Nginx, Interpreter, Busybox })
        {
            Assert.True(File.Exists(path), $"{path} is missing: install the Debian packages nginx-light (or nginx) and busybox-static");
            string target = Staging + path;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(path, target);   // follows the ld-linux symbolic link: the real file is copied
            File.SetUnixFileMode(target, (UnixFileMode)0x1ED);
        }
        File.WriteAllText(Staging + "/script.txt", "#!/bin/sh\necho not an ELF\n");
        File.SetUnixFileMode(Staging + "/script.txt", (UnixFileMode)0x1ED);
        File.WriteAllBytes(Staging + "/noexec", File.ReadAllBytes(Busybox).AsSpan(0, 4096).ToArray());
        var truncated = File.ReadAllBytes(Nginx).AsSpan(0, 100).ToArray();
        File.WriteAllBytes(Staging + "/truncated", truncated);
        File.SetUnixFileMode(Staging + "/truncated", (UnixFileMode)0x1ED);
        var wrongMachine = File.ReadAllBytes(Busybox);
        wrongMachine[18] = 40;   // EM_ARM
        File.WriteAllBytes(Staging + "/arm", wrongMachine);
        File.SetUnixFileMode(Staging + "/arm", (UnixFileMode)0x1ED);
    }

    public void Dispose() => Directory.Delete(Staging, recursive: true);

    /// <summary>The program headers of a host file, parsed here independently of ElfImage.</summary>
    public static (ushort Type, ulong Entry, ulong PhOff, int PhNum, List<(uint Type, uint Flags, ulong Offset, ulong Vaddr, ulong FileSize, ulong MemSize)> Segments) Headers(string path)
    {
        var b = File.ReadAllBytes(path);
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(32));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(56));
        var list = new List<(uint, uint, ulong, ulong, ulong, ulong)>();
        for (int i = 0; i < phnum; i++)
        {
            var p = b.AsSpan((int)phoff + 56 * i);
            list.Add((BinaryPrimitives.ReadUInt32LittleEndian(p), BinaryPrimitives.ReadUInt32LittleEndian(p[4..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[8..]), BinaryPrimitives.ReadUInt64LittleEndian(p[16..]),
                BinaryPrimitives.ReadUInt64LittleEndian(p[32..]), BinaryPrimitives.ReadUInt64LittleEndian(p[40..])));
        }
        return (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(16)), BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(24)), phoff, phnum, list);
    }
}

public sealed class ExecTests : IClassFixture<HostBinaries>, IDisposable
{
    private readonly PosixHarness h;
    public ExecTests(HostBinaries binaries) { h = new PosixHarness(binaries.Staging, 24 * 1024); }
    public void Dispose() => h.Dispose();

    private FakeProcessKernel.Process KernelOf(int pid) => h.Kernel.Of(h.Posix.Processes.Find((ulong)pid)!.Kernel);

    private Dictionary<ulong, ulong> Auxv(FakeProcessKernel.Process p, KernelProcess kp, out List<string> argv, out List<string> envp)
    {
        ulong sp = p.Started!.Value.Stack;
        Assert.Equal(0ul, sp % 16);
        ulong U64(ulong at) => BinaryPrimitives.ReadUInt64LittleEndian(h.Kernel.ReadBytes(kp, at, 8));
        string Str(ulong at) { var s = new List<byte>(); for (byte c; (c = h.Kernel.ReadBytes(kp, at++, 1)[0]) != 0;) s.Add(c); return Encoding.UTF8.GetString(s.ToArray()); }
        int argc = (int)U64(sp);
        ulong at = sp + 8;
        argv = [];
        for (int i = 0; i < argc; i++, at += 8) argv.Add(Str(U64(at)));
        Assert.Equal(0ul, U64(at));
        at += 8;
        envp = [];
        for (; U64(at) != 0; at += 8) envp.Add(Str(U64(at)));
        at += 8;
        var aux = new Dictionary<ulong, ulong>();
        for (; U64(at) != 0; at += 16) aux[U64(at)] = U64(at + 8);
        return aux;
    }

    private string StringAt(KernelProcess kp, ulong at)
    {
        var s = new List<byte>();
        for (byte c; (c = h.Kernel.ReadBytes(kp, at++, 1)[0]) != 0;) s.Add(c);
        return Encoding.UTF8.GetString(s.ToArray());
    }

    [Fact]
    public void Nginx_loads_at_the_PIE_base_with_its_interpreter_and_starts_in_ld_so()
    {
        long pid = h.Posix.Spawn(HostBinaries.Nginx, ["nginx", "-g", "daemon off;"], ["PATH=/usr/bin", "LANG=C"]);
        Assert.True(pid > 0, $"spawn answered {pid}: {string.Join("; ", h.System.LogLines)}");
        var kp = h.Posix.Processes.Find((ulong)pid)!.Kernel;
        var p = h.Kernel.Of(kp);
        var nginx = HostBinaries.Headers(HostBinaries.Nginx);
        var ld = HostBinaries.Headers(HostBinaries.Interpreter);
        Assert.Equal((ulong)pid, p.Badge);
        Assert.Equal(ProgramLoader.InterpreterBase + ld.Entry, p.Started!.Value.Entry);
        ulong programEnd = nginx.Segments.Where(s => s.Type == 1).Max(s => s.Vaddr + s.MemSize);
        Assert.Equal(Mman.PageUp(ProgramLoader.ProgramBase + programEnd), p.Started.Value.Brk);

        var aux = Auxv(p, kp, out var argv, out var envp);
        Assert.Equal(["nginx", "-g", "daemon off;"], argv);
        Assert.Equal(["PATH=/usr/bin", "LANG=C"], envp);
        var phdr = nginx.Segments.First(s => s.Type == 6);
        Assert.Equal(ProgramLoader.ProgramBase + phdr.Vaddr, aux[AuxType.Phdr]);
        Assert.Equal(56ul, aux[AuxType.Phent]);
        Assert.Equal((ulong)nginx.PhNum, aux[AuxType.Phnum]);
        Assert.Equal(4096ul, aux[AuxType.Pagesz]);
        Assert.Equal(ProgramLoader.InterpreterBase, aux[AuxType.Base]);
        Assert.Equal(ProgramLoader.ProgramBase + nginx.Entry, aux[AuxType.Entry]);
        Assert.Equal(0ul, aux[AuxType.Secure]);
        Assert.Equal(100ul, aux[AuxType.Clktck]);
        Assert.Equal(0ul, aux[AuxType.Uid]);
        Assert.Equal(HostBinaries.Nginx, StringAt(kp, aux[AuxType.Execfn]));
        Assert.Equal("x86_64", StringAt(kp, aux[AuxType.Platform]));
        Assert.Equal(16, h.Kernel.ReadBytes(kp, aux[AuxType.Random], 16).Length);
        // The program headers AT_PHDR points at are the file's own.
        var file = File.ReadAllBytes(HostBinaries.Nginx);
        Assert.Equal(file.AsSpan((int)nginx.PhOff, 56 * nginx.PhNum).ToArray(), h.Kernel.ReadBytes(kp, aux[AuxType.Phdr], 56 * nginx.PhNum));
    }

    [Fact]
    public void Every_PT_LOAD_segment_holds_the_file_bytes_then_zeroes_with_its_protection()
    {
        long pid = h.Posix.Spawn(HostBinaries.Nginx, ["nginx"], []);
        Assert.True(pid > 0);
        var kp = h.Posix.Processes.Find((ulong)pid)!.Kernel;
        var p = h.Kernel.Of(kp);
        foreach (var (path, bias) in new[] { (HostBinaries.Nginx, ProgramLoader.ProgramBase), (HostBinaries.Interpreter, ProgramLoader.InterpreterBase) })
        {
            var file = File.ReadAllBytes(path);
            foreach (var s in HostBinaries.Headers(path).Segments.Where(s => s.Type == 1))
            {
                Assert.Equal(file.AsSpan((int)s.Offset, (int)s.FileSize).ToArray(), h.Kernel.ReadBytes(kp, bias + s.Vaddr, (int)s.FileSize));
                ulong bssEnd = Math.Min(bias + s.Vaddr + s.MemSize, Mman.PageUp(bias + s.Vaddr + s.FileSize));
                ulong bssStart = bias + s.Vaddr + s.FileSize;
                Assert.All(h.Kernel.ReadBytes(kp, bssStart, (int)(bssEnd - bssStart)), b => Assert.Equal(0, b));
                int prot = ((s.Flags & 4) != 0 ? 1 : 0) | ((s.Flags & 2) != 0 ? 2 : 0) | ((s.Flags & 1) != 0 ? 4 : 0);
                ulong lastPage = Mman.PageDown(bias + s.Vaddr + s.MemSize - 1);
                Assert.Equal(prot, p.PageProtection[lastPage] & prot);
                if (s.Flags == 5) Assert.Equal(prot, p.PageProtection[lastPage]);   // text: read+execute, never writable
            }
        }
    }

    [Fact]
    public void A_static_busybox_starts_at_its_own_entry_without_an_interpreter()
    {
        long pid = h.Posix.Spawn(HostBinaries.Busybox, ["sh", "-c", "true"], []);
        Assert.True(pid > 0);
        var kp = h.Posix.Processes.Find((ulong)pid)!.Kernel;
        var p = h.Kernel.Of(kp);
        var busybox = HostBinaries.Headers(HostBinaries.Busybox);
        Assert.Equal(2, busybox.Type);
        Assert.Equal(busybox.Entry, p.Started!.Value.Entry);
        var aux = Auxv(p, kp, out var argv, out _);
        Assert.Equal(0ul, aux[AuxType.Base]);
        Assert.Equal(busybox.Entry, aux[AuxType.Entry]);
        Assert.Equal(["sh", "-c", "true"], argv);
        Assert.Equal(3, h.Posix.Processes.Find((ulong)pid)!.Fds.Count);   // 0, 1, 2 on the console
    }

    [Theory]
    [InlineData("/script.txt", Errno.ENOEXEC)]
    [InlineData("/truncated", Errno.ENOEXEC)]
    [InlineData("/arm", Errno.ENOEXEC)]
    [InlineData("/noexec", Errno.EACCES)]
    [InlineData("/usr", Errno.EACCES)]
    [InlineData("/missing", Errno.ENOENT)]
    public void A_program_that_cannot_run_is_refused_and_leaves_nothing_behind(string path, int errno)
    {
        int before = h.Posix.Processes.Count;
        Assert.Equal(-errno, h.Posix.Spawn(path, ["x"], []));
        Assert.Equal(before, h.Posix.Processes.Count);
        Assert.All(h.Kernel.Processes.Values.Where(p => p.Name == Path.GetFileName(path)), p => Assert.True(p.Killed && p.Released));
        Assert.Equal(0, h.Fs.OpenNodeCount);
    }

    [Fact]
    public void Mutated_ELF_headers_are_ENOEXEC_or_valid_never_another_failure()
    {
        var original = File.ReadAllBytes(HostBinaries.Busybox).AsSpan(0, 8192).ToArray();
        var random = new Random(7);
        for (int round = 0; round < 500; round++)
        {
            var bytes = (byte[])original.Clone();
            for (int k = 0; k < 1 + round % 4; k++) bytes[random.Next(0, 64 + 56 * 10)] = (byte)random.Next(256);
            try
            {
                _ = new ElfImage((offset, buffer) => CopyAt(bytes, offset, buffer), bytes.Length);
            }
            catch (SyscallFailure f)
            {
                Assert.Equal(Errno.ENOEXEC, f.Errno);
            }
        }
    }

    private static int CopyAt(byte[] bytes, long offset, byte[] buffer)
    {
        if (offset < 0 || offset >= bytes.Length) return 0;
        int n = Math.Min(buffer.Length, bytes.Length - (int)offset);
        bytes.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    }

    [Fact]
    public void Execve_moves_the_pid_to_a_new_kernel_process_closing_close_on_exec_descriptors()
    {
        int keep = h.Open("/dev/null", O.RDONLY), drop = h.Open("/dev/zero", O.RDONLY | O.CLOEXEC);
        var old = h.Process.Kernel;
        ulong argv = h.Alloc(24);
        h.Kernel.Write(old, argv, BitConverter.GetBytes(h.Put("sh")).Concat(BitConverter.GetBytes(h.Put("-i"))).Concat(new byte[8]).ToArray());
        Assert.Equal(0, h.Call(LinuxCall.Execve, h.Put("/bin/busybox"), argv, 0));
        Assert.NotEqual(old, h.Process.Kernel);
        Assert.True(h.Kernel.Of(old).Killed);
        Assert.NotNull(h.Posix.Processes.Find((ulong)h.Process.Pid));   // the old kernel process's death did not end the pid
        Assert.True(h.Process.Fds.TryGet(keep, out _));
        Assert.False(h.Process.Fds.TryGet(drop, out _));
        Assert.Equal(["sh", "-i"], h.Process.Arguments);
        Assert.Equal((ulong)h.Process.Pid, h.Kernel.Of(h.Process.Kernel).Badge);
        Assert.Equal(h.Process.Pid, h.Kernel.Of(h.Process.Kernel).Pid);   // getpid() is the same after execve
    }

    [Fact]
    public void A_failed_execve_returns_the_error_and_leaves_the_caller_running()
    {
        var old = h.Process.Kernel;
        Assert.Equal(-Errno.ENOENT, h.Call(LinuxCall.Execve, h.Put("/nothing"), 0, 0));
        Assert.Equal(-Errno.ENOEXEC, h.Call(LinuxCall.Execve, h.Put("/script.txt"), 0, 0));
        Assert.Equal(-Errno.EFAULT, h.Call(LinuxCall.Execve, h.Put("/bin/busybox"), Unmapped, 0));
        Assert.Equal(old, h.Process.Kernel);
        Assert.False(h.Kernel.Of(old).Killed);
    }

    [Fact]
    public void When_the_kernel_cannot_make_a_process_execve_and_spawn_answer_its_error()
    {
        h.Kernel.FailCreateWith = -Errno.ENOMEM;
        var old = h.Process.Kernel;
        Assert.Equal(-Errno.ENOMEM, h.Call(LinuxCall.Execve, h.Put("/bin/busybox"), 0, 0));
        Assert.Equal(old, h.Process.Kernel);
        Assert.Equal(-Errno.ENOMEM, h.Posix.Spawn(HostBinaries.Busybox, ["sh"], []));
        Assert.Equal(1, h.Posix.Processes.Count);
    }

    [Fact]
    public void When_the_process_dies_its_descriptors_close_and_it_leaves_the_table()
    {
        long pid = h.Posix.Spawn(HostBinaries.Busybox, ["sh"], []);
        var process = h.Posix.Processes.Find((ulong)pid)!;
        h.CallAs(process, LinuxCall.Openat, U(At.FDCWD), 0, 0, 0);   // a bad path: nothing opened
        int socket = (int)h.CallAs(process, LinuxCall.Socket, Sock.AF_INET, Sock.STREAM, 0);
        Assert.True(socket >= 0);
        int sockets = h.Net.OpenSockets;
        h.Kernel.Kill(process.Kernel);
        Assert.Null(h.Posix.Processes.Find((ulong)pid));
        Assert.Equal(0, process.Fds.Count);
        Assert.Equal(sockets - 1, h.Net.OpenSockets);
        Assert.Equal(-Errno.ESRCH, h.CallAs(process, LinuxCall.Getuid));
    }

    [Fact]
    public void Mmap_of_a_file_copies_it_into_a_private_mapping_zero_past_its_end()
    {
        int fd = h.Open(HostBinaries.Interpreter, O.RDONLY);
        var file = File.ReadAllBytes(HostBinaries.Interpreter);
        ulong length = Mman.PageUp((ulong)file.Length) + 8192;
        long address = h.Call(LinuxCall.Mmap, 0, length, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_DENYWRITE, (ulong)fd, 0);
        Assert.True(address > 0, $"mmap answered {address}");
        Assert.Equal(file, h.Kernel.ReadBytes(h.Process.Kernel, (ulong)address, file.Length));
        Assert.All(h.Kernel.ReadBytes(h.Process.Kernel, (ulong)address + (ulong)file.Length, 100), b => Assert.Equal(0, b));
        Assert.Equal(Mman.PROT_READ, h.Kernel.Of(h.Process.Kernel).PageProtection[(ulong)address]);
        long second = h.Call(LinuxCall.Mmap, 0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE, (ulong)fd, 4096);
        Assert.Equal(file.AsSpan(4096, 4096).ToArray(), h.Kernel.ReadBytes(h.Process.Kernel, (ulong)second, 4096));
    }

    [Fact]
    public void Mmap_of_a_file_refuses_bad_arguments()
    {
        int fd = h.Open(HostBinaries.Interpreter, O.RDONLY);
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Mmap, 0, 4096, 1, Mman.MAP_PRIVATE, (ulong)fd, 100));
        Assert.Equal(-Errno.EINVAL, h.Call(LinuxCall.Mmap, 0, 0, 1, Mman.MAP_PRIVATE, (ulong)fd, 0));
        Assert.Equal(-Errno.ENODEV, h.Call(LinuxCall.Mmap, 0, 4096, 1, Mman.MAP_SHARED, (ulong)fd, 0));
        Assert.Equal(-Errno.EBADF, h.Call(LinuxCall.Mmap, 0, 4096, 1, Mman.MAP_PRIVATE, 99, 0));
        int socket = (int)h.Call(LinuxCall.Socket, Sock.AF_INET, Sock.STREAM, 0);
        Assert.Equal(-Errno.ENODEV, h.Call(LinuxCall.Mmap, 0, 4096, 1, Mman.MAP_PRIVATE, (ulong)socket, 0));
        int wronly = h.Open("/w", O.CREAT | O.WRONLY);
        Assert.Equal(-Errno.EACCES, h.Call(LinuxCall.Mmap, 0, 4096, 1, Mman.MAP_PRIVATE, (ulong)wronly, 0));
    }
}
