// The usable physical memory, as a sorted list of disjoint [Start, End) ranges built from the
// firmware's memory map (Multiboot type 1 "available" entries) minus what boot must keep
// (the kernel image, boot modules, the first megabyte).
// Invariants: ranges are page-aligned, sorted, disjoint and non-empty; at most Capacity of them.
// Pure arithmetic over a fixed array: compiled into the kernel and into the host unit tests.
namespace Biscuit.Kernel.Memory
{
    public unsafe struct PhysicalMemoryMap
    {
        public const int Capacity = 64;
        public const ulong PageSize = 4096;

        private fixed ulong _starts[Capacity];
        private fixed ulong _ends[Capacity];
        private int _count;
        private int _dropped;            // ranges that did not fit in Capacity (reported at boot)

        public int Count => _count;
        public int Dropped => _dropped;
        public ulong StartOf(int i) => _starts[i];
        public ulong EndOf(int i) => _ends[i];

        public ulong TotalBytes
        {
            get
            {
                ulong total = 0;
                for (int i = 0; i < _count; i++) total += _ends[i] - _starts[i];
                return total;
            }
        }

        public ulong HighestAddress => _count == 0 ? 0 : _ends[_count - 1];

        // Adds available memory; partial pages at either end are not usable and are dropped.
        // Overlapping or adjacent ranges are merged.
        public void AddAvailable(ulong start, ulong length)
        {
            if (length == 0 || start + length < start) return;
            ulong s = AlignUp(start), e = AlignDown(start + length);
            if (e <= s) return;
            int i = 0;
            while (i < _count && _ends[i] < s) i++;
            // merge with every range that overlaps or touches [s, e)
            int j = i;
            while (j < _count && _starts[j] <= e)
            {
                if (_starts[j] < s) s = _starts[j];
                if (_ends[j] > e) e = _ends[j];
                j++;
            }
            int removed = j - i;
            if (removed == 0)
            {
                if (_count == Capacity) { _dropped++; return; }
                for (int k = _count; k > i; k--) { _starts[k] = _starts[k - 1]; _ends[k] = _ends[k - 1]; }
                _count++;
            }
            else if (removed > 1)
            {
                for (int k = i + 1; k + removed - 1 < _count; k++)
                {
                    _starts[k] = _starts[k + removed - 1];
                    _ends[k] = _ends[k + removed - 1];
                }
                _count -= removed - 1;
            }
            _starts[i] = s;
            _ends[i] = e;
        }

        // Removes [start, start+length) (rounded outward to pages) from the usable memory.
        public void Remove(ulong start, ulong length)
        {
            if (length == 0) return;
            ulong end = start + length < start ? ulong.MaxValue : start + length;
            ulong s = AlignDown(start), e = end > ulong.MaxValue - PageSize ? AlignDown(end) : AlignUp(end);
            for (int i = 0; i < _count; i++)
            {
                if (_ends[i] <= s || _starts[i] >= e) continue;
                bool keepLow = _starts[i] < s, keepHigh = _ends[i] > e;
                if (keepLow && keepHigh)
                {
                    if (_count == Capacity) { _ends[i] = s; _dropped++; continue; }
                    for (int k = _count; k > i + 1; k--) { _starts[k] = _starts[k - 1]; _ends[k] = _ends[k - 1]; }
                    _count++;
                    _starts[i + 1] = e; _ends[i + 1] = _ends[i];
                    _ends[i] = s;
                    i++;
                }
                else if (keepLow) _ends[i] = s;
                else if (keepHigh) _starts[i] = e;
                else
                {
                    for (int k = i; k + 1 < _count; k++) { _starts[k] = _starts[k + 1]; _ends[k] = _ends[k + 1]; }
                    _count--;
                    i--;
                }
            }
        }

        public static ulong AlignUp(ulong value) => (value + PageSize - 1) & ~(PageSize - 1);
        public static ulong AlignDown(ulong value) => value & ~(PageSize - 1);
    }
}
