// The posix personality: every forwarded call of every application process enters at Handle and
// leaves with the i64 its thread receives in RAX. Guarantees (issue 7 item 2):
//  * a call from a badge posix does not know answers -ESRCH; an unknown number -ENOSYS, with one log
//    line per (process, number);
//  * a SyscallFailure thrown anywhere in a handler becomes its -errno (a bad user pointer: -EFAULT);
//  * any other exception is a bug in posix: one log line and -EIO, never a dead server.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed partial class Personality
{
    private readonly SyscallTable table = new();
    private readonly HashSet<(int Pid, int Number)> loggedUnknown = [];   // guarded by itself

    /// <summary>`sharedPages`: posix's own pages and grants for MAP_SHARED file mappings (null: ENODEV).</summary>
    public Personality(IProcessKernel kernel, IFileSystem fs, ISocketNetwork net, ISystemServices system, ISharedPages? sharedPages = null)
    {
        Kernel = kernel;
        Services = system;
        Processes = new ProcessTable();
        Files = new VirtualFileSystem(fs, system, Processes) { SharedFiles = sharedPages is null ? null : new SharedFileTable(fs, sharedPages) };
        Files.Terminal.SignalGroup = SignalProcessGroup;   // ^C, ^\ and ^Z of the console
        Sockets = new SocketTable(net);
        FileCalls.Register(table);
        NameCalls.Register(table);
        DescriptorCalls.Register(table);
        SocketCalls.Register(table);
        IdentityCalls.Register(table);
        ProcessCalls.Register(table);
        MemoryCalls.Register(table);
        EventCalls.Register(table);
        SignalCalls.Register(table);
        LimitCalls.Register(table);
    }

    public IProcessKernel Kernel { get; }
    public ISystemServices Services { get; }
    public ProcessTable Processes { get; }
    public VirtualFileSystem Files { get; }
    public SocketTable Sockets { get; }
    public SyscallTable Table => table;

    /// <summary>Serves one forwarded call. Never throws.</summary>
    public long Handle(ulong badge, int number, ReadOnlySpan<ulong> arguments, ulong threadId, IWaitCancellation cancel)
    {
        var process = Processes.Find(badge);
        if (process is null)
        {
            Services.Log($"posix: call {number} from unknown badge {badge}: ESRCH");
            return -Errno.ESRCH;
        }
        if (!table.TryGet(number, out string name, out var handler))
        {
            bool first;
            lock (loggedUnknown) first = loggedUnknown.Add((process.Pid, number));
            if (first) Services.Log($"posix: pid {process.Pid} called unknown syscall {number}: ENOSYS");
            return -Errno.ENOSYS;
        }
        var args = new ulong[6];
        arguments[..Math.Min(6, arguments.Length)].CopyTo(args);
        try
        {
            long result = handler(new CallContext(this, process, number, args, threadId, cancel));
            if (result == -Errno.EPIPE && RaisesSigpipe(number, args)) PostBrokenPipe(process);
            return result;
        }
        catch (SyscallFailure failure)
        {
            return -failure.Errno;
        }
        catch (Exception e)
        {
            Services.Log($"posix: {name} of pid {process.Pid} failed inside posix: {e.GetType().Name}: {e.Message.Replace('\n', ' ')}");
            return -Errno.EIO;
        }
    }
}
