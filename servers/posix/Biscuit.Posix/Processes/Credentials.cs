// A process's identity (credentials(7)): real, effective and saved user and group ids and the
// supplementary groups. posix starts every application as root (0) and records what setuid & co.
// set; it does not yet check permissions against them (see README).
// Invariant: changed only under the owning PosixProcess's lock; the rules of setuid(2)/setresuid(2)
// for an unprivileged caller are kept: it may only switch among its real, effective and saved ids.
namespace Biscuit.Posix;

public sealed class Credentials
{
    public uint RealUid, EffectiveUid, SavedUid, RealGid, EffectiveGid, SavedGid;
    public uint[] Groups = [];

    public Credentials Copy() => (Credentials)MemberwiseClone();

    /// <summary>fork: the child starts with the parent's identity.</summary>
    public void CopyFrom(Credentials other)
    {
        (RealUid, EffectiveUid, SavedUid, RealGid, EffectiveGid, SavedGid) =
            (other.RealUid, other.EffectiveUid, other.SavedUid, other.RealGid, other.EffectiveGid, other.SavedGid);
        Groups = other.Groups;
    }

    private bool Privileged => EffectiveUid == 0;

    /// <summary>setuid(2): root sets all three; others may set the effective id to real or saved.</summary>
    public long SetUid(uint uid)
    {
        if (Privileged) { RealUid = EffectiveUid = SavedUid = uid; return 0; }
        if (uid != RealUid && uid != SavedUid) return -Errno.EPERM;
        EffectiveUid = uid;
        return 0;
    }

    public long SetGid(uint gid)
    {
        if (Privileged) { RealGid = EffectiveGid = SavedGid = gid; return 0; }
        if (gid != RealGid && gid != SavedGid) return -Errno.EPERM;
        EffectiveGid = gid;
        return 0;
    }

    /// <summary>setresuid(2): each id that is not -1 is set; unprivileged callers only to a current id.</summary>
    public long SetResUid(uint real, uint effective, uint saved)
    {
        if (!Privileged)
            foreach (uint id in new[] { real, effective, saved })
                if (id != uint.MaxValue && id != RealUid && id != EffectiveUid && id != SavedUid) return -Errno.EPERM;
        if (real != uint.MaxValue) RealUid = real;
        if (effective != uint.MaxValue) EffectiveUid = effective;
        if (saved != uint.MaxValue) SavedUid = saved;
        return 0;
    }

    public long SetResGid(uint real, uint effective, uint saved)
    {
        if (!Privileged)
            foreach (uint id in new[] { real, effective, saved })
                if (id != uint.MaxValue && id != RealGid && id != EffectiveGid && id != SavedGid) return -Errno.EPERM;
        if (real != uint.MaxValue) RealGid = real;
        if (effective != uint.MaxValue) EffectiveGid = effective;
        if (saved != uint.MaxValue) SavedGid = saved;
        return 0;
    }

    public long SetGroups(uint[] groups)
    {
        if (!Privileged) return -Errno.EPERM;
        Groups = groups;
        return 0;
    }
}
