// execve's loading half: the program file and its PT_INTERP interpreter read through the VFS,
// validated (ElfImage), mapped into a fresh kernel process (SegmentLoader), and the initial stack
// built and written (InitialStack). ET_DYN programs go at ProgramBase, the interpreter at
// InterpreterBase (Linux's non-randomised choices); ET_EXEC at their own addresses. brk starts at
// the page after the program's last segment.
// Errors (execve(2)): a file that is not regular or has no execute bit is EACCES; a bad ELF or an
// interpreter that itself asks for an interpreter is ENOEXEC; ENOENT for a missing interpreter.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public readonly record struct LoadedProgram(ulong Entry, ulong StackPointer, ulong BrkBase, LoadedImage Program, ulong InterpreterBase);

public static class ProgramLoader
{
    public const ulong ProgramBase = 0x5555_5555_4000, InterpreterBase = 0x7fff_f7a0_0000;

    public static LoadedProgram Load(Personality posix, PosixProcess caller, KernelProcess target, string path,
        IReadOnlyList<string> arguments, IReadOnlyList<string> environment, ulong hardwareCapabilities)
    {
        var kernel = posix.Kernel;
        using var program = ExecutableFile.Open(posix, caller, path);
        var image = new ElfImage(program.ReadAt, program.Size);
        ulong bias = image.IsPositionIndependent ? ProgramBase - Mman.PageDown(image.Loads[0].VirtualAddress) : 0;
        var loaded = SegmentLoader.Load(kernel, target, image, bias, program.ReadAt);

        ulong entry = loaded.Entry, interpreterBase = 0;
        if (image.Interpreter is not null)
        {
            string interpreterPath = PathNames.Combine("/", image.Interpreter);
            using var interpreter = ExecutableFile.Open(posix, caller, interpreterPath, requireExecuteBit: false);
            var interpreterImage = new ElfImage(interpreter.ReadAt, interpreter.Size);
            if (interpreterImage.Interpreter is not null) throw new SyscallFailure(Errno.ENOEXEC, "the interpreter has an interpreter");
            ulong interpreterBias = interpreterImage.IsPositionIndependent ? InterpreterBase - Mman.PageDown(interpreterImage.Loads[0].VirtualAddress) : 0;
            var loadedInterpreter = SegmentLoader.Load(kernel, target, interpreterImage, interpreterBias, interpreter.ReadAt);
            interpreterBase = InterpreterBase;
            entry = loadedInterpreter.Entry;
        }

        Credentials credentials;
        lock (caller.Gate) credentials = caller.Credentials.Copy();
        var random = new byte[16];
        posix.Services.RandomBytes(random);
        var (stack, stackPointer) = InitialStack.Build(new StackRequest(arguments, environment, path, loaded, interpreterBase,
            credentials.RealUid, credentials.EffectiveUid, credentials.RealGid, credentials.EffectiveGid, hardwareCapabilities, random));
        long mapped = kernel.Map(target, InitialStack.Top - InitialStack.Size, InitialStack.Size, Mman.PROT_READ | Mman.PROT_WRITE,
            Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED);
        if (mapped < 0) throw new SyscallFailure((int)-mapped, "mapping the stack failed");
        long written = kernel.Write(target, stackPointer, stack);
        if (written != stack.Length) throw new SyscallFailure(Errno.EFAULT, "writing the initial stack failed");
        return new LoadedProgram(entry, stackPointer, Mman.PageUp(loaded.End), loaded, interpreterBase);
    }

    /// <summary>A program file opened for loading: checked to be a regular file (EACCES otherwise).</summary>
    private sealed class ExecutableFile : IDisposable
    {
        private readonly OpenFile file;
        public long Size { get; }

        private ExecutableFile(OpenFile file, long size) { this.file = file; Size = size; }

        public static ExecutableFile Open(Personality posix, PosixProcess caller, string path, bool requireExecuteBit = true)
        {
            var status = posix.Files.Stat(caller, path, followLastLink: true);
            if ((status.Mode & Mode.IFMT) != Mode.IFREG) throw new SyscallFailure(Errno.EACCES, $"{path} is not a regular file");
            if (requireExecuteBit && (status.Mode & 0x49) == 0) throw new SyscallFailure(Errno.EACCES, $"{path} is not executable");
            var file = posix.Files.Open(caller, path, O.RDONLY, 0);
            return new ExecutableFile(file, status.Size);
        }

        public int ReadAt(long offset, byte[] buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                long n = file.ReadAt(buffer.AsSpan(total), offset + total);
                if (n < 0) throw new SyscallFailure((int)-n, "reading the program failed");
                if (n == 0) break;
                total += (int)n;
            }
            return total;
        }

        public void Dispose() => file.DropReference();
    }
}
