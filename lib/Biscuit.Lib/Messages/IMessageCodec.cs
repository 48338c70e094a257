// How a server declares the wire form of a request or response type: a hand-written MessagePack
// codec over MessagePackWriter/MessagePackReader. No MessagePackSerializer, no resolvers, no
// attributes read by reflection: those are not NativeAOT-safe, and the standard resolvers reach
// RandomNumberGenerator (OpenSSL) through MessagePackSecurity (shared/notes/linux-abi.md).
//
// Contract for Read: consume exactly one MessagePack value (the body) and return the decoded T,
// or throw MalformedMessageException (or let MessagePackReader's own MessagePackSerializationException,
// EndOfStreamException or OverflowException escape) for input that is not a valid T. Read must
// never trust a length from the input to size an allocation beyond what the input itself holds.
using MessagePack;

namespace Biscuit.Lib.Messages;

public interface IMessageCodec<T>
{
    void Write(ref MessagePackWriter writer, T value);
    T Read(ref MessagePackReader reader);
}

/// <summary>Thrown by codecs for input that is well-formed MessagePack but not a valid message.</summary>
public sealed class MalformedMessageException(string message) : Exception(message);
