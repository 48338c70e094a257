// A circular byte buffer with a fixed capacity limit whose storage grows on demand (doubling from a
// small start), so idle connections cost little memory. Invariants: 0 <= Count <= Capacity;
// storage.Length < 2 * Capacity; bytes are never lost on growth, including bytes written past Count.
namespace Biscuit.Net;

internal sealed class ByteRing
{
    const int InitialStorage = 4096;
    byte[] storage = Array.Empty<byte>();
    int head;            // index of the first byte
    public int Count { get; private set; }
    public int Capacity { get; private set; }

    public ByteRing(int capacity) => Capacity = capacity;

    public int Free => Capacity - Count;
    public int StorageBytes => storage.Length;

    /// <summary>Changes the limit; never below the bytes already held.</summary>
    public void SetCapacity(int capacity) => Capacity = Math.Max(capacity, Count);

    /// <summary>Makes sure positions [0, length) relative to head exist in storage.</summary>
    void EnsureStorage(int length)
    {
        if (length <= storage.Length) return;
        int size = Math.Max(InitialStorage, storage.Length);
        while (size < length) size *= 2;
        var bigger = new byte[size];
        // Copy all of the old storage, not just Count bytes: bytes written past Count by WriteAt
        // (out-of-order TCP data) must survive growth too.
        CopyOut(0, bigger.AsSpan(0, storage.Length));
        storage = bigger;
        head = 0;
    }

    /// <summary>Writes data at offset (relative to the first byte) without changing Count; offset+len must be within Capacity.</summary>
    public void WriteAt(int offset, ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) return;
        EnsureStorage(offset + data.Length);
        int pos = (head + offset) % storage.Length;
        int first = Math.Min(data.Length, storage.Length - pos);
        data.Slice(0, first).CopyTo(storage.AsSpan(pos));
        data.Slice(first).CopyTo(storage);
    }

    /// <summary>Appends as much of data as fits; returns the bytes taken.</summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        int n = Math.Min(data.Length, Free);
        WriteAt(Count, data.Slice(0, n));
        Count += n;
        return n;
    }

    /// <summary>Counts n bytes already written past the end (by WriteAt) as held.</summary>
    public void Extend(int n) => Count += n;

    /// <summary>Copies bytes [offset, offset+dst.Length) to dst without removing them.</summary>
    public void CopyOut(int offset, Span<byte> dst)
    {
        if (dst.Length == 0) return;
        int pos = (head + offset) % storage.Length;
        int first = Math.Min(dst.Length, storage.Length - pos);
        storage.AsSpan(pos, first).CopyTo(dst);
        storage.AsSpan(0, dst.Length - first).CopyTo(dst.Slice(first));
    }

    public void Discard(int n)
    {
        if (n == 0) return;
        Count -= n;
        head = (head + n) % storage.Length;
    }

    /// <summary>Copies up to dst.Length bytes from the front without removing them (MSG_PEEK).</summary>
    public int Peek(Span<byte> dst)
    {
        int n = Math.Min(dst.Length, Count);
        CopyOut(0, dst.Slice(0, n));
        return n;
    }

    public int Read(Span<byte> dst)
    {
        int n = Math.Min(dst.Length, Count);
        CopyOut(0, dst.Slice(0, n));
        Discard(n);
        return n;
    }

    public void Clear() { Count = 0; head = 0; storage = Array.Empty<byte>(); }
}
