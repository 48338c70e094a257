// A fake e1000 for host tests: the descriptor rings and slots live in ordinary memory whose
// addresses stand for physical ones, and the "device" does what the 82574 does with them
// (datasheet §7.1.4, §7.2.10.1): Deliver writes a frame into the next descriptor the driver gave
// (RDH .. RDT) and sets DD|EOP; WriteTxTail sends every descriptor up to the new tail, records the
// frames and sets DD. Also the window grant and the client signal, counted.
using System.Runtime.InteropServices;
using Biscuit.Lib.Kernel;

namespace Biscuit.Nic.Tests;

public sealed unsafe class FakeNic : INicHardware, ISlotWindow, IDisposable
{
    public readonly byte* Descriptors, RxSlots, TxSlots;
    public SlotRings Rings { get; }
    private int rxHead, rxTail, txHead;
    public List<byte[]> Sent { get; } = [];
    public long WindowAddress { get; private set; }
    public int Grants { get; private set; }
    public int GrantError { get; set; }
    public bool CompleteTransmits { get; set; } = true;

    public FakeNic()
    {
        Descriptors = (byte*)NativeMemory.AllocZeroed((nuint)SlotRings.RingBytes);
        RxSlots = (byte*)NativeMemory.AllocZeroed((nuint)(SlotRings.RxSlots * SlotRings.SlotBytes));
        TxSlots = (byte*)NativeMemory.AllocZeroed((nuint)(SlotRings.TxSlots * SlotRings.SlotBytes));
        Rings = new SlotRings(Descriptors, (ulong)RxSlots, (ulong)TxSlots);
    }

    public ulong Mac => 0x5634_1200_5452;
    public bool LinkUp => true;
    public uint ReadCause() => 0;
    public void WriteRxTail(int tail) { lock (this) rxTail = tail; }

    public void WriteTxTail(int tail)
    {
        lock (this)
        {
            if (!CompleteTransmits) return;
            while (txHead != tail)
            {
                byte* d = Descriptors + (SlotRings.RxDescriptors + txHead) * SlotRings.DescriptorBytes;
                byte* data = (byte*)*(ulong*)d;
                Sent.Add(new ReadOnlySpan<byte>(data, *(ushort*)(d + 8)).ToArray());
                d[12] |= 1;                                        // DD
                txHead = (txHead + 1) % SlotRings.TxDescriptors;
            }
        }
    }

    /// <summary>Lets the device finish what it held back while CompleteTransmits was false.</summary>
    public void FinishTransmits(int tail)
    {
        CompleteTransmits = true;
        WriteTxTail(tail);
    }

    /// <summary>A frame arrives from the wire; false when the driver gave the device no descriptor.</summary>
    public bool Deliver(byte[] frame, byte errors = 0)
    {
        lock (this)
        {
            if (rxHead == rxTail) return false;
            byte* d = Descriptors + rxHead * SlotRings.DescriptorBytes;
            byte* data = (byte*)*(ulong*)d;
            frame.CopyTo(new Span<byte>(data, frame.Length));
            *(ushort*)(d + 8) = (ushort)frame.Length;
            d[13] = errors;
            d[12] = 0b11;                                          // DD | EOP
            rxHead = (rxHead + 1) % SlotRings.RxDescriptors;
            return true;
        }
    }

    public byte[] RxSlot(int slot, int length) => new ReadOnlySpan<byte>(RxSlots + slot * SlotRings.SlotBytes, length).ToArray();
    public Span<byte> TxSlot(int slot) => new(TxSlots + slot * SlotRings.SlotBytes, SlotRings.SlotBytes);

    public int GrantToCaller(long targetAddress)
    {
        if (GrantError != 0) return GrantError;
        WindowAddress = targetAddress;
        Grants++;
        return 0;
    }

    public void Dispose()
    {
        NativeMemory.Free(Descriptors);
        NativeMemory.Free(RxSlots);
        NativeMemory.Free(TxSlots);
    }
}

/// <summary>The client's notification, counted; Released once the driver lets it go.</summary>
public sealed class CountingSignal(Handle handle) : IClientSignal
{
    public Handle Handle { get; } = handle;
    public int Signals;
    public bool Released;
    public void Signal() => Interlocked.Increment(ref Signals);
    public void Release() => Released = true;
}
