// The status of a reply: the envelope's code (and the IPC label) in every reply. Ok carries the
// response body; every other status carries a human-readable message (a MessagePack string).
// Values are part of the wire format: never renumber, only add.
namespace Biscuit.Lib.Messages;

public enum ReplyStatus : uint
{
    Ok = 0,
    Malformed = 1,        // the request could not be decoded (bad envelope, wrong types, truncated, trailing bytes)
    VersionMismatch = 2,  // the envelope's version is not ours
    UnknownRequest = 3,   // no handler is registered for the request type
    HandlerFailed = 4,    // the handler threw; the server logged it and goes on
    Busy = 5,             // admission control refused the request (no heap budget free, queue full)
    ReplyTooLarge = 6,    // the handler's response did not fit in one IPC message (4032 bytes)
}
