// The sizes the protocol promises. One IPC message carries a payload of at most 4032 bytes
// (IpcBuffer.MaxPayload); the envelope and the other fields of Send and Receive take at most 32 of
// them (checked by a test), so a message carries at most MaxTransferBytes of socket data.
namespace Biscuit.Net.Protocol;

public static class SocketLimits
{
    /// <summary>The most socket data one Send or Receive message carries.</summary>
    public const int MaxTransferBytes = 4000;

    /// <summary>The most (id, events) pairs one PollEvents reply carries (each at most 18 bytes).</summary>
    public const int MaxEventsPerBatch = 200;
}
