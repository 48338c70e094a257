// The outcome of one typed call, as a value (a timeout or a Busy reply is ordinary, not exceptional).
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

namespace Biscuit.Lib.Client;

public enum CallOutcome
{
    Ok,                // Value holds the response
    ServerError,       // the server replied with a status other than Ok (Status, Message)
    TransportFailed,   // the call itself failed: timeout, bad handle, cancelled... (Error)
    ServerDied,        // the server died before replying and the request is not idempotent: an I/O error (Error = IoError)
    BadReply,          // the reply could not be decoded (Message)
    RequestTooLarge,   // the request does not fit in one IPC message (Message); nothing was sent
}

public readonly struct CallResult<T>
{
    public CallOutcome Outcome { get; init; }
    public T? Value { get; init; }
    public ReplyStatus Status { get; init; }
    public KernelError Error { get; init; }
    public string? Message { get; init; }

    /// <summary>Handles that came with an Ok reply (now in this process's table).</summary>
    public HandleList Handles { get; init; }

    /// <summary>How many times the request was resent because the server died (idempotent requests only).</summary>
    public int Retries { get; init; }

    public bool IsOk => Outcome == CallOutcome.Ok;

    public override string ToString() => Outcome switch
    {
        CallOutcome.Ok => $"Ok({Value})",
        CallOutcome.ServerError => $"{Status}: {Message}",
        CallOutcome.TransportFailed or CallOutcome.ServerDied => $"{Outcome}: {Error.Symbol()}{(Message is null ? "" : " (" + Message + ")")}",
        _ => $"{Outcome}: {Message}",
    };
}
