// The physical frame allocator: one bit per 4 KiB frame of physical memory (1 = in use), kept in
// memory that boot sets aside. Frames start "in use"; boot frees the usable ranges of the memory
// map. Take hands out one frame, TakeContiguous a physically contiguous, aligned run (for DMA and
// boot pools), Give returns a frame and refuses double frees and foreign addresses.
// Sharing (fork keeps MAP_SHARED|MAP_ANONYMOUS pages shared, issue 7): a frame in use may have
// extra holders, counted in an optional array of share counts (one u16 per frame, boot memory).
// Give from a holder of a shared frame only drops one share; the last Give frees it. So every
// path that gives an owned frame back (munmap, madvise, process death) stays correct unchanged.
// Invariants: FreeFrames equals the number of zero bits; frame 0 is never free (0 means "no
// frame"); a free frame has share count 0; no operation allocates or blocks — an empty pool is a
// return value, never a hang.
// Pure data-structure code: compiled into the kernel and into the host unit tests.
namespace Biscuit.Kernel.Memory
{
    public enum FrameResult { Ok, NotAligned, OutOfRange, NotInUse }

    public unsafe struct FramePool
    {
        public const ulong FrameSize = 4096;

        private ulong* _bitmap;          // owned by the pool; FrameCount bits, 1 = in use
        private ulong _frameCount;
        private ulong _freeFrames;
        private ulong _searchFrom;       // no free frame below this index (a hint, kept exact)
        private ushort* _shares;         // owned by the pool (null: sharing unsupported); extra holders per frame

        public ulong TotalFrames => _frameCount;
        public ulong FreeFrames => _freeFrames;

        public static ulong BitmapBytes(ulong frameCount) => (frameCount + 63) / 64 * 8;
        public static ulong ShareCountBytes(ulong frameCount) => frameCount * 2;
        public const ushort MaxShares = 0xFFFF;

        // Enables Share: `counts` must hold ShareCountBytes(TotalFrames) bytes; all start at 0.
        public void AttachShareCounts(ushort* counts)
        {
            for (ulong i = 0; i < _frameCount; i++) counts[i] = 0;
            _shares = counts;
        }

        // One more holder of an in-use frame (its next Give will not free it). False if sharing
        // is not enabled, the frame is not in use, or it already has MaxShares extra holders.
        public bool Share(ulong physical)
        {
            if (_shares == null || (physical & (FrameSize - 1)) != 0) return false;
            ulong f = physical / FrameSize;
            if (f == 0 || f >= _frameCount || !IsUsed(f) || _shares[f] == MaxShares) return false;
            _shares[f]++;
            return true;
        }

        // The number of holders beyond the first (0 for an unshared or free frame).
        public uint ExtraHoldersOf(ulong physical)
        {
            ulong f = physical / FrameSize;
            return _shares == null || f >= _frameCount ? 0u : _shares[f];
        }

        // Every frame starts in use; `bitmap` must hold BitmapBytes(frameCount) bytes.
        public void Initialize(ulong* bitmap, ulong frameCount)
        {
            _bitmap = bitmap;
            _frameCount = frameCount;
            _freeFrames = 0;
            _searchFrom = frameCount;
            _shares = null;
            for (ulong i = 0; i < (frameCount + 63) / 64; i++) bitmap[i] = ~0UL;
        }

        // Marks every whole frame inside [start, end) free. Frame 0 stays in use.
        public void Free(ulong start, ulong end)
        {
            ulong first = (start + FrameSize - 1) / FrameSize, last = end / FrameSize;
            if (first == 0) first = 1;
            if (last > _frameCount) last = _frameCount;
            for (ulong f = first; f < last; f++)
                if (IsUsed(f)) { Clear(f); _freeFrames++; }
            if (first < last && first < _searchFrom) _searchFrom = first;
        }

        // Marks every frame that touches [start, end) in use.
        public void Reserve(ulong start, ulong end)
        {
            if (end <= start) return;
            ulong first = start / FrameSize, last = (end + FrameSize - 1) / FrameSize;
            if (last > _frameCount) last = _frameCount;
            for (ulong f = first; f < last; f++)
                if (!IsUsed(f)) { Set(f); _freeFrames--; }
        }

        // Returns the physical address of a free frame, now in use, or 0 when none is left.
        public ulong Take()
        {
            for (ulong word = _searchFrom / 64; word < (_frameCount + 63) / 64; word++)
            {
                if (_bitmap[word] == ~0UL) continue;
                for (int bit = 0; bit < 64; bit++)
                {
                    ulong f = word * 64 + (ulong)bit;
                    if (f >= _frameCount) break;
                    if ((_bitmap[word] & (1UL << bit)) == 0)
                    {
                        Set(f);
                        _freeFrames--;
                        _searchFrom = f + 1;
                        return f * FrameSize;
                    }
                }
            }
            _searchFrom = _frameCount;
            return 0;
        }

        // Returns the first run of `count` free frames starting at a multiple of `alignFrames`
        // (a power of two), all now in use, or 0 when there is none.
        public ulong TakeContiguous(ulong count, ulong alignFrames)
        {
            if (count == 0 || alignFrames == 0 || (alignFrames & (alignFrames - 1)) != 0) return 0;
            ulong f = (_searchFrom + alignFrames - 1) & ~(alignFrames - 1);
            if (f == 0) f = alignFrames;
            while (f + count <= _frameCount)
            {
                ulong run = 0;
                while (run < count && !IsUsed(f + run)) run++;
                if (run == count)
                {
                    for (ulong i = 0; i < count; i++) Set(f + i);
                    _freeFrames -= count;
                    if (f == _searchFrom) _searchFrom = f + count;
                    return f * FrameSize;
                }
                f = (f + run + 1 + alignFrames - 1) & ~(alignFrames - 1);
            }
            return 0;
        }

        public FrameResult Give(ulong physical)
        {
            if ((physical & (FrameSize - 1)) != 0) return FrameResult.NotAligned;
            ulong f = physical / FrameSize;
            if (f == 0 || f >= _frameCount) return FrameResult.OutOfRange;
            if (!IsUsed(f)) return FrameResult.NotInUse;
            if (_shares != null && _shares[f] > 0)
            {
                _shares[f]--;            // another holder keeps it
                return FrameResult.Ok;
            }
            Clear(f);
            _freeFrames++;
            if (f < _searchFrom) _searchFrom = f;
            return FrameResult.Ok;
        }

        public bool IsInUse(ulong physical)
        {
            ulong f = physical / FrameSize;
            return f >= _frameCount || IsUsed(f);
        }

        private bool IsUsed(ulong f) => (_bitmap[f / 64] & (1UL << (int)(f % 64))) != 0;
        private void Set(ulong f) => _bitmap[f / 64] |= 1UL << (int)(f % 64);
        private void Clear(ulong f) => _bitmap[f / 64] &= ~(1UL << (int)(f % 64));
    }
}
