// ext2/3/4 feature flags (superblock s_feature_compat / _incompat / _ro_compat) and the mount-time policy:
// which features this library handles, which force a read-only mount, which refuse the mount.
// Source: the ext4 disk-layout documentation ("Super Block", feature tables) and e2fsprogs lib/ext2fs/ext2_fs.h.
// Policy (kept in one place so the README can quote it):
//   - unknown or unsupported INCOMPAT features refuse the mount (the format would be misread);
//   - unsupported RO_COMPAT features allow a read-only mount only;
//   - has_journal (ext3): read-write mounts journal every change (Journal.cs); a journal that needs
//     recovery is replayed by a read-write mount and refuses a read-only one (its metadata may be stale).
namespace Biscuit.Fs;

public static class Features
{
    // s_feature_compat
    public const uint CompatDirPrealloc = 0x1;
    public const uint CompatImagicInodes = 0x2;
    public const uint CompatHasJournal = 0x4;
    public const uint CompatExtAttr = 0x8;
    public const uint CompatResizeInode = 0x10;
    public const uint CompatDirIndex = 0x20;

    // s_feature_incompat
    public const uint IncompatCompression = 0x1;
    public const uint IncompatFiletype = 0x2;
    public const uint IncompatRecover = 0x4;
    public const uint IncompatJournalDev = 0x8;
    public const uint IncompatMetaBg = 0x10;
    public const uint IncompatExtents = 0x40;
    public const uint Incompat64Bit = 0x80;
    public const uint IncompatMmp = 0x100;
    public const uint IncompatFlexBg = 0x200;
    public const uint IncompatEaInode = 0x400;
    public const uint IncompatDirData = 0x1000;
    public const uint IncompatCsumSeed = 0x2000;
    public const uint IncompatLargeDir = 0x4000;
    public const uint IncompatInlineData = 0x8000;
    public const uint IncompatEncrypt = 0x10000;
    public const uint IncompatCasefold = 0x20000;

    // s_feature_ro_compat
    public const uint RoCompatSparseSuper = 0x1;
    public const uint RoCompatLargeFile = 0x2;
    public const uint RoCompatBtreeDir = 0x4;
    public const uint RoCompatHugeFile = 0x8;
    public const uint RoCompatGdtCsum = 0x10;
    public const uint RoCompatDirNlink = 0x20;
    public const uint RoCompatExtraIsize = 0x40;
    public const uint RoCompatQuota = 0x100;
    public const uint RoCompatBigalloc = 0x200;
    public const uint RoCompatMetadataCsum = 0x400;
    public const uint RoCompatReadonly = 0x1000;
    public const uint RoCompatProject = 0x2000;
    public const uint RoCompatVerity = 0x8000;

    /// <summary>INCOMPAT features this library reads and writes correctly.</summary>
    public const uint SupportedIncompat = IncompatFiletype | IncompatFlexBg;

    /// <summary>RO_COMPAT features this library keeps correct when writing.</summary>
    public const uint SupportedRoCompat = RoCompatSparseSuper | RoCompatLargeFile | RoCompatExtraIsize;

    private static readonly (uint Bit, string Name)[] IncompatNames =
    {
        (IncompatCompression, "compression"), (IncompatFiletype, "filetype"), (IncompatRecover, "needs_recovery"),
        (IncompatJournalDev, "journal_dev"), (IncompatMetaBg, "meta_bg"), (IncompatExtents, "extent"),
        (Incompat64Bit, "64bit"), (IncompatMmp, "mmp"), (IncompatFlexBg, "flex_bg"), (IncompatEaInode, "ea_inode"),
        (IncompatDirData, "dirdata"), (IncompatCsumSeed, "metadata_csum_seed"), (IncompatLargeDir, "large_dir"),
        (IncompatInlineData, "inline_data"), (IncompatEncrypt, "encrypt"), (IncompatCasefold, "casefold"),
    };

    private static readonly (uint Bit, string Name)[] RoCompatNames =
    {
        (RoCompatSparseSuper, "sparse_super"), (RoCompatLargeFile, "large_file"), (RoCompatBtreeDir, "btree_dir"),
        (RoCompatHugeFile, "huge_file"), (RoCompatGdtCsum, "uninit_bg"), (RoCompatDirNlink, "dir_nlink"),
        (RoCompatExtraIsize, "extra_isize"), (RoCompatQuota, "quota"), (RoCompatBigalloc, "bigalloc"),
        (RoCompatMetadataCsum, "metadata_csum"), (RoCompatReadonly, "read-only"), (RoCompatProject, "project"),
        (RoCompatVerity, "verity"),
    };

    /// <summary>Names the feature bits in mask ("extent, 64bit"); unknown bits as hex.</summary>
    public static string Describe(uint mask, bool incompat)
    {
        var names = new List<string>();
        foreach (var (bit, name) in incompat ? IncompatNames : RoCompatNames)
            if ((mask & bit) != 0)
            {
                names.Add(name);
                mask &= ~bit;
            }
        if (mask != 0)
            names.Add($"unknown 0x{mask:x}");
        return string.Join(", ", names);
    }

    /// <summary>Applies the mount policy above; throws a clear error naming the feature, or returns.</summary>
    public static void CheckMountable(Superblock sb, bool readOnly)
    {
        uint badIncompat = sb.FeatureIncompat & ~SupportedIncompat & ~IncompatRecover;
        if (badIncompat != 0)
            throw new FsException(FsError.EOPNOTSUPP,
                "unsupported incompatible feature(s): " + Describe(badIncompat, incompat: true));
        if ((sb.FeatureIncompat & IncompatRecover) != 0 && readOnly)
            throw new FsException(FsError.EOPNOTSUPP,
                "the journal needs recovery (feature needs_recovery): mount read-write to replay it, or run e2fsck");
        if ((sb.FeatureIncompat & IncompatRecover) != 0 && !sb.HasJournal)
            throw FsException.Corrupt("needs_recovery is set but the file system has no journal");
        if (readOnly)
            return;
        uint badRoCompat = sb.FeatureRoCompat & ~SupportedRoCompat;
        if (badRoCompat != 0)
            throw new FsException(FsError.EROFS,
                "read-write mount refused: unsupported read-only-compatible feature(s): " +
                Describe(badRoCompat, incompat: false) + "; mount read-only");
    }
}
