// Which parts of a process's address space `mmap` has handed out (including PROT_NONE
// reservations, which have no page-table entries at all and must cost nothing): a sorted array of
// disjoint [Start, End) ranges, merged when adjacent. mmap places new regions top-down in the gaps.
// Invariants: ranges are page-aligned, sorted, disjoint, non-adjacent and non-empty; at most
// Capacity of them (an operation that would need more fails and changes nothing).
// Pure data-structure code: compiled into the kernel and into the host unit tests.
namespace Biscuit.Kernel.Memory
{
    public unsafe struct AddressMap
    {
        public const int Capacity = 255;
        private const ulong Page = 4096;

        private int _count;
        private fixed ulong _starts[Capacity];
        private fixed ulong _ends[Capacity];

        public int Count => _count;
        public ulong StartOf(int i) => _starts[i];
        public ulong EndOf(int i) => _ends[i];

        // Records [start, start+length) as in use. Returns false (and changes nothing) if the
        // array is full.
        public bool Add(ulong start, ulong length)
        {
            ulong end = start + length;
            int i = 0;
            while (i < _count && _ends[i] < start) i++;
            int j = i;
            ulong s = start, e = end;
            while (j < _count && _starts[j] <= end)
            {
                if (_starts[j] < s) s = _starts[j];
                if (_ends[j] > e) e = _ends[j];
                j++;
            }
            int merged = j - i;
            if (merged == 0)
            {
                if (_count == Capacity) return false;
                for (int k = _count; k > i; k--) { _starts[k] = _starts[k - 1]; _ends[k] = _ends[k - 1]; }
                _count++;
            }
            else if (merged > 1)
            {
                for (int k = i + 1; k + merged - 1 < _count; k++) { _starts[k] = _starts[k + merged - 1]; _ends[k] = _ends[k + merged - 1]; }
                _count -= merged - 1;
            }
            _starts[i] = s;
            _ends[i] = e;
            return true;
        }

        // Forgets [start, start+length). Returns false (and changes nothing) if splitting a range
        // would need a slot the array does not have.
        public bool Remove(ulong start, ulong length)
        {
            ulong end = start + length;
            for (int i = 0; i < _count; i++)
                if (_starts[i] < start && _ends[i] > end && _count == Capacity) return false;
            for (int i = 0; i < _count; i++)
            {
                if (_ends[i] <= start || _starts[i] >= end) continue;
                bool low = _starts[i] < start, high = _ends[i] > end;
                if (low && high)
                {
                    for (int k = _count; k > i + 1; k--) { _starts[k] = _starts[k - 1]; _ends[k] = _ends[k - 1]; }
                    _count++;
                    _starts[i + 1] = end; _ends[i + 1] = _ends[i];
                    _ends[i] = start;
                    return true;
                }
                if (low) _ends[i] = start;
                else if (high) _starts[i] = end;
                else
                {
                    for (int k = i; k + 1 < _count; k++) { _starts[k] = _starts[k + 1]; _ends[k] = _ends[k + 1]; }
                    _count--;
                    i--;
                }
            }
            return true;
        }

        // True if every byte of [start, start+length) is in use.
        public bool Covers(ulong start, ulong length)
        {
            ulong end = start + length;
            for (int i = 0; i < _count; i++)
                if (_starts[i] <= start && _ends[i] >= end) return true;
            return false;
        }

        public bool Overlaps(ulong start, ulong length)
        {
            ulong end = start + length;
            for (int i = 0; i < _count; i++)
                if (_starts[i] < end && start < _ends[i]) return true;
            return false;
        }

        // The highest address a free gap of `length` bytes inside [low, high) starts at, or 0.
        public ulong FindFreeTopDown(ulong length, ulong low, ulong high)
        {
            if (length == 0 || high <= low) return 0;
            ulong top = high;                     // the gap being considered ends here
            for (int i = _count - 1; i >= 0; i--)
            {
                if (_starts[i] >= top) continue;  // entirely above the gap
                ulong gapStart = _ends[i] > low ? _ends[i] : low;
                if (_ends[i] < top && top - gapStart >= length) return top - length;
                top = _starts[i];
                if (top <= low) return 0;
            }
            return top - low >= length ? top - length : 0;
        }
    }
}
