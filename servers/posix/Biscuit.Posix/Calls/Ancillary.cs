// Ancillary data of sendmsg(2)/recvmsg(2) on unix sockets (cmsg(3), unix(7) SCM_RIGHTS), following
// Linux's net/core/scm.c: __scm_send walks the cmsghdrs of the control buffer (struct cmsghdr, 16
// bytes: cmsg_len u64, cmsg_level s32, cmsg_type s32; each header 8-aligned, CMSG_ALIGN), and
// scm_detach_fds installs the received descriptions.
// Sending: a header whose cmsg_len is below 16 or past the end of the control buffer is EINVAL
// (CMSG_OK); headers of other levels are skipped; at SOL_SOCKET, SCM_RIGHTS adds its descriptors (more
// than SCM_MAX_FD in one message: EINVAL, checked before the descriptors; one that is not open: EBADF),
// SCM_CREDENTIALS is not carried (EOPNOTSUPP, README), any other type is EINVAL. Nothing is sent
// on an error. Receiving: as many descriptions as the control buffer has room for get new
// descriptors (MSG_CMSG_CLOEXEC sets FD_CLOEXEC); the others are closed and MSG_CTRUNC is set, as
// when the descriptor table is full (EMFILE stops the installing).
namespace Biscuit.Posix;

public static class Ancillary
{
    private const int HeaderBytes = 16;
    public const int MaxControlBytes = 64 * 1024;   // a control buffer larger than this is ENOBUFS (Linux: optmem_max)

    private static long Align(long n) => (n + 7) & ~7L;

    /// <summary>The descriptions a sendmsg control buffer names, each with a new reference the caller
    /// owns (null when it names none), or an errno.</summary>
    public static long ReadRights(CallContext c, ulong control, ulong controlLength, out OpenFile[]? files)
    {
        files = null;
        if (controlLength == 0) return 0;
        if (controlLength > MaxControlBytes) return -Errno.ENOBUFS;
        var bytes = c.Memory.Read(control, (int)controlLength);
        List<OpenFile> found = [];
        for (long at = 0; at + HeaderBytes <= bytes.Length; )
        {
            ulong length = BitConverter.ToUInt64(bytes, (int)at);
            if (length < HeaderBytes || length > (ulong)(bytes.Length - at)) return -Errno.EINVAL;
            int level = BitConverter.ToInt32(bytes, (int)at + 8), type = BitConverter.ToInt32(bytes, (int)at + 12);
            if (level == Sock.SOL_SOCKET)
            {
                if (type == Sock.SCM_CREDENTIALS) return -Errno.EOPNOTSUPP;
                if (type != Sock.SCM_RIGHTS) return -Errno.EINVAL;
                int count = (int)(length - HeaderBytes) / 4;
                if (found.Count + count > Sock.SCM_MAX_FD) return -Errno.EINVAL;
                for (int i = 0; i < count; i++)
                {
                    if (!c.Fds.TryGet(BitConverter.ToInt32(bytes, (int)at + HeaderBytes + 4 * i), out var file)) return -Errno.EBADF;
                    found.Add(file);
                }
            }
            at += Align((long)length);
        }
        if (found.Count == 0) return 0;
        foreach (var file in found) file.AddReference();
        files = [.. found];
        return 0;
    }

    /// <summary>Installs `files` (references handed over) as new descriptors and writes the SCM_RIGHTS
    /// message into the recvmsg control buffer of `room` bytes. Answers (bytes of control used, msg_flags).</summary>
    public static (ulong Used, int Flags) DeliverRights(CallContext c, ulong control, ulong room, OpenFile[]? files, bool closeOnExec)
    {
        if (files is null) return (0, 0);
        int fit = room <= HeaderBytes ? 0 : (int)Math.Min((long)(room - HeaderBytes) / 4, files.Length);
        List<int> installed = [];
        int next = 0;
        for (; next < fit; next++)
        {
            int fd = c.Fds.Add(files[next], closeOnExec);   // on EMFILE, Add has dropped that reference
            if (fd < 0) { next++; break; }
            installed.Add(fd);
        }
        RightsQueue.Drop(files.Skip(next));
        int flags = installed.Count < files.Length ? Sock.MSG_CTRUNC : 0;
        if (installed.Count == 0) return (0, flags);
        var message = new byte[HeaderBytes + 4 * installed.Count];
        BitConverter.TryWriteBytes(message.AsSpan(0), (ulong)message.Length);   // CMSG_LEN
        BitConverter.TryWriteBytes(message.AsSpan(8), Sock.SOL_SOCKET);
        BitConverter.TryWriteBytes(message.AsSpan(12), Sock.SCM_RIGHTS);
        for (int i = 0; i < installed.Count; i++) BitConverter.TryWriteBytes(message.AsSpan(HeaderBytes + 4 * i), installed[i]);
        c.Memory.Write(control, message);
        return ((ulong)Math.Min(Align(message.Length), (long)room), flags);   // CMSG_SPACE, cut to the room
    }
}
