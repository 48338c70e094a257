// The declaration of one request a server accepts: its wire id, its name (the key of the MAXLIVE
// budget table that tools/maxlive generates, and of [RequestHandler("Name")]), whether it is
// idempotent (the client may resend it after the server died), and the codecs of its request and
// response bodies. Servers declare theirs as static readonly fields next to their contracts.
// Ids 1..15 are the library's own (StandardRequests); servers use 16 and up; 0 is never valid.
namespace Biscuit.Lib.Messages;

public abstract class RequestTypeInfo
{
    public const uint FirstServerId = 16;

    public uint Id { get; }
    public string Name { get; }

    /// <summary>True if running it twice has the same effect as once: the client then retries it when
    /// the server died before replying. A non-idempotent request is never resent (an I/O error instead).</summary>
    public bool Idempotent { get; }

    private protected RequestTypeInfo(uint id, string name, bool idempotent, bool standard)
    {
        if (id == 0) throw new ArgumentOutOfRangeException(nameof(id), "request id 0 is not valid");
        if (!standard && id < FirstServerId) throw new ArgumentOutOfRangeException(nameof(id), $"request ids below {FirstServerId} are reserved for lib/");
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("a request type needs a name", nameof(name));
        Id = id;
        Name = name;
        Idempotent = idempotent;
    }

    public override string ToString() => $"{Name}#{Id}";
}

public sealed class RequestType<TRequest, TResponse> : RequestTypeInfo
{
    public IMessageCodec<TRequest> RequestCodec { get; }
    public IMessageCodec<TResponse> ResponseCodec { get; }

    public RequestType(uint id, string name, bool idempotent, IMessageCodec<TRequest> requestCodec, IMessageCodec<TResponse> responseCodec)
        : this(id, name, idempotent, requestCodec, responseCodec, standard: false) { }

    internal RequestType(uint id, string name, bool idempotent, IMessageCodec<TRequest> requestCodec, IMessageCodec<TResponse> responseCodec, bool standard)
        : base(id, name, idempotent, standard)
    {
        RequestCodec = requestCodec ?? throw new ArgumentNullException(nameof(requestCodec));
        ResponseCodec = responseCodec ?? throw new ArgumentNullException(nameof(responseCodec));
    }
}
