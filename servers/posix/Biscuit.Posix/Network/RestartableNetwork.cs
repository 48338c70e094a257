// posix's network as it survives a restart of the net server (issue 9 item 3, DESIGN.md §7). It
// wraps the network posix talks to (NetLink) and hands posix ids of its own, stable for a socket's
// whole life, so a descriptor's socket — and the epoll registrations and waiters on it — stay the
// same when net's ids change. For each socket it keeps a SocketRecipe.
//
// Learning of a restart: net answers Instance with a number drawn at its start. A call that fails
// with EIO (the dead net did not answer) or EBADF (the new net does not know the id) makes posix ask
// for that number; so does the readiness thread when no event came for a while (CheckRestart), since
// an idle nginx makes no call that could fail. A number unlike the one posix knew means a restart.
//
// Recovery, once per restart, under `recovery`: hand the new net posix's readiness notification
// again; re-create every socket whose recipe is its whole state (not yet connected, bound,
// listening, UDP) — socket, its options in order, bind (the same port), connect of a UDP socket,
// listen (the same backlog) — and push each one's readiness as net now reports it (re-arming epoll);
// reset every TCP connection: its calls then fail as after an RST (the first read or write
// ECONNRESET, then reads 0 and writes EPIPE), and it reports EPOLLIN|OUT|ERR|HUP|RDHUP. The peer of
// such a connection sees an RST when its next segment reaches the new net, which knows no such
// connection (RFC 9293 3.10.7.1); a peer that only waits sees nothing until its own timeout.
// The call that found the restart is then made again, on the new id.
//
// Invariants: `recipes` holds exactly the sockets posix has not closed, by posix id; `byNetId` maps
// each live net id back to its posix id; both under `gate`, never held across a call to net.
// `knownInstance` is 0 until the first Instance answer; under `recovery`.
namespace Biscuit.Posix;

public sealed class RestartableNetwork : ISocketNetwork, ISocketReadinessSink
{
    private const int SOL_SOCKET = 1, SO_ERROR = 4;
    private const uint EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000;
    public const uint ResetReadiness = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDHUP;

    private readonly ISocketNetwork net;
    private readonly Func<long> instance;              // net's instance number, or -errno
    private readonly Func<long> resubscribe;           // hands net posix's readiness notification again: 0 or -errno
    private readonly Action<string> log;
    private readonly object gate = new();
    private readonly Dictionary<long, SocketRecipe> recipes = [];   // by posix id; guarded by gate
    private readonly Dictionary<long, long> byNetId = [];           // net id -> posix id; guarded by gate
    private long nextId;                                            // guarded by gate
    private readonly object recovery = new();
    private long knownInstance;                                     // guarded by recovery
    private volatile ISocketReadinessSink? sink;

    public RestartableNetwork(ISocketNetwork net, Func<long> instance, Func<long> resubscribe, Action<string>? log = null)
    {
        this.net = net;
        this.instance = instance;
        this.resubscribe = resubscribe;
        this.log = log ?? (_ => { });
        net.Attach(this);
    }

    /// <summary>Restarts of net this layer recovered from.</summary>
    public int Recoveries { get; private set; }

    public void Attach(ISocketReadinessSink readinessSink) => sink = readinessSink;

    /// <summary>Learns net's instance number now (at start, so a later change is a restart): true if known.</summary>
    public bool LearnInstance()
    {
        lock (recovery)
        {
            long number = instance();
            if (number > 0 && knownInstance == 0) knownInstance = number;
            return number > 0;
        }
    }

    /// <summary>Asks net for its instance number and recovers if net restarted: true if it did. For
    /// the readiness thread, when no event came for a while.</summary>
    public bool CheckRestart() => RecoverIfRestarted(usedNetId: 0, posixId: 0);

    // ---- readiness from net ----

    public void ReadinessChanged(long netId, uint epollMask)
    {
        long posixId;
        lock (gate) if (!byNetId.TryGetValue(netId, out posixId)) return;
        sink?.ReadinessChanged(posixId, epollMask);
    }

    // ---- the calls ----

    public long Create(int type, int protocol)
    {
        long netId = net.Create(type, protocol);
        if (netId is -Errno.EIO && RecoverIfRestarted(0, 0)) netId = net.Create(type, protocol);
        if (netId < 0) return netId;
        lock (gate)
        {
            long id = ++nextId;
            recipes[id] = new SocketRecipe { Type = type & Sock.TYPE_MASK, Protocol = protocol, NetId = netId };
            byNetId[netId] = id;
            return id;
        }
    }

    public long Bind(long socket, Ipv4Endpoint local)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (!Resolve(socket, Use.Other, out long netId, out long answer)) return answer;
            long r = net.Bind(netId, local);
            if (Retry(r, attempt, netId, socket)) continue;
            if (r != 0) return r;
            var bound = local;
            if (local.Port == 0 && net.LocalAddress(netId, out var chosen) == 0) bound = local with { Port = chosen.Port };
            Update(socket, recipe => recipe.Bound = bound);
            return 0;
        }
    }

    public long Listen(long socket, int backlog)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (!Resolve(socket, Use.Other, out long netId, out long answer)) return answer;
            long r = net.Listen(netId, backlog);
            if (Retry(r, attempt, netId, socket)) continue;
            if (r == 0) Update(socket, recipe => recipe.Backlog = backlog);
            return r;
        }
    }

    public long Accept(long socket, out Ipv4Endpoint peer)
    {
        for (int attempt = 0; ; attempt++)
        {
            peer = default;
            if (!Resolve(socket, Use.Other, out long netId, out long answer)) return answer;
            long accepted = net.Accept(netId, out peer);
            if (Retry(accepted, attempt, netId, socket)) continue;
            if (accepted < 0) return accepted;
            lock (gate)
            {
                long id = ++nextId;
                recipes[id] = new SocketRecipe { Type = Sock.STREAM, Protocol = 0, NetId = accepted, Connection = true };
                byNetId[accepted] = id;
                return id;
            }
        }
    }

    public long Connect(long socket, Ipv4Endpoint remote)
    {
        // A TCP socket's state is net's from its connect on (even one that fails later).
        Update(socket, recipe => { if (recipe.Type == Sock.STREAM) recipe.Connection = true; });
        for (int attempt = 0; ; attempt++)
        {
            if (!Resolve(socket, Use.Other, out long netId, out long answer)) return answer;
            long r = net.Connect(netId, remote);
            if (Retry(r, attempt, netId, socket)) continue;
            if (r == 0) Update(socket, recipe => { if (recipe.Type == Sock.DGRAM) recipe.DatagramPeer = remote; });
            return r;
        }
    }

    public long Send(long socket, ReadOnlySpan<byte> data, Ipv4Endpoint? to)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (!Resolve(socket, Use.Write, out long netId, out long answer)) return answer;
            long n = net.Send(netId, data, to);
            if (!Retry(n, attempt, netId, socket)) return n;
        }
    }

    public long SendFilled(long socket, int count, SpanFiller fill)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (!Resolve(socket, Use.Write, out long netId, out long answer)) return answer;
            long n = net.SendFilled(netId, count, fill);
            if (!Retry(n, attempt, netId, socket)) return n;
        }
    }

    public long Receive(long socket, Span<byte> into, bool peek, out Ipv4Endpoint from)
    {
        for (int attempt = 0; ; attempt++)
        {
            from = default;
            if (!Resolve(socket, Use.Read, out long netId, out long answer)) return answer;
            long n = net.Receive(netId, into, peek, out from);
            if (!Retry(n, attempt, netId, socket)) return n;
        }
    }

    public long Shutdown(long socket, int how)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (!Resolve(socket, Use.Other, out long netId, out long answer)) return answer;
            long r = net.Shutdown(netId, how);
            if (!Retry(r, attempt, netId, socket)) return r;
        }
    }

    public long Close(long socket)
    {
        SocketRecipe? recipe;
        lock (gate)
        {
            if (!recipes.Remove(socket, out recipe)) return -Errno.EBADF;
            if (recipe.NetId != 0) byNetId.Remove(recipe.NetId);
        }
        if (recipe.Reset) return 0;
        long r = net.Close(recipe.NetId);
        return r is -Errno.EBADF or -Errno.EIO ? 0 : r;    // a net that restarted holds nothing to close
    }

    public long SetOption(long socket, int level, int name, ReadOnlySpan<byte> value)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (!Resolve(socket, Use.Other, out long netId, out long answer))
                return answer == -Errno.ENOTCONN ? 0 : answer;   // a reset socket takes options, as Linux's does
            long r = net.SetOption(netId, level, name, value);
            if (Retry(r, attempt, netId, socket)) continue;
            if (r == 0) { var copy = value.ToArray(); Update(socket, recipe => recipe.RecordOption(level, name, copy)); }
            return r;
        }
    }

    public long GetOption(long socket, int level, int name, Span<byte> value)
    {
        SocketRecipe? reset;
        lock (gate) reset = recipes.GetValueOrDefault(socket) is { Reset: true } found ? found : null;
        if (reset != null)
        {
            if (level != SOL_SOCKET || name != SO_ERROR) return -Errno.ENOTCONN;
            if (value.Length < 4) return -Errno.EINVAL;
            long error;
            lock (gate) { error = reset.PendingError; reset.PendingError = 0; }
            BitConverter.TryWriteBytes(value, (int)error);
            return 4;
        }
        for (int attempt = 0; ; attempt++)
        {
            if (!Resolve(socket, Use.Other, out long netId, out long answer)) return answer;
            long n = net.GetOption(netId, level, name, value);
            if (!Retry(n, attempt, netId, socket)) return n;
        }
    }

    public long LocalAddress(long socket, out Ipv4Endpoint local)
    {
        for (int attempt = 0; ; attempt++)
        {
            local = default;
            if (!Resolve(socket, Use.Other, out long netId, out long answer)) return answer;
            long r = net.LocalAddress(netId, out local);
            if (!Retry(r, attempt, netId, socket)) return r;
        }
    }

    public long PeerAddress(long socket, out Ipv4Endpoint peer)
    {
        for (int attempt = 0; ; attempt++)
        {
            peer = default;
            if (!Resolve(socket, Use.Other, out long netId, out long answer)) return answer;
            long r = net.PeerAddress(netId, out peer);
            if (!Retry(r, attempt, netId, socket)) return r;
        }
    }

    public uint Readiness(long socket)
    {
        SocketRecipe? recipe;
        lock (gate) recipe = recipes.GetValueOrDefault(socket);
        if (recipe == null) return EPOLLERR;
        if (recipe.Reset) return ResetReadiness;
        return net.Readiness(recipe.NetId);
    }

    // ---- one call on net, and what a restart changes about it ----

    private enum Use { Read, Write, Other }

    // The socket's net id (true), or the answer to give without asking net (false): EBADF for a
    // socket posix does not know; for a reset one, what a read or write gets after an RST
    // (AfterReset), and ENOTCONN for any other call.
    private bool Resolve(long socket, Use use, out long netId, out long answer)
    {
        lock (gate)
        {
            netId = 0;
            answer = 0;
            if (!recipes.TryGetValue(socket, out var recipe)) { answer = -Errno.EBADF; return false; }
            if (recipe.Reset) { answer = use == Use.Other ? -Errno.ENOTCONN : AfterReset(recipe, use == Use.Read); return false; }
            netId = recipe.NetId;
            return true;
        }
    }

    // After a call on net: true if it must be made again because net restarted and posix recovered
    // (only once, and only for the failures a restart causes: EIO from the dead net, EBADF from the new).
    private bool Retry(long result, int attempt, long netId, long socket) =>
        result is -Errno.EIO or -Errno.EBADF && attempt == 0 && RecoverIfRestarted(netId, socket);

    private void Update(long socket, Action<SocketRecipe> change)
    {
        lock (gate) if (recipes.TryGetValue(socket, out var recipe)) change(recipe);
    }

    // Linux after an RST: the first read or write reports ECONNRESET (the pending error), then a
    // read is end of file and a write EPIPE.
    private static long AfterReset(SocketRecipe recipe, bool read)
    {
        if (recipe.PendingError != 0)
        {
            long error = recipe.PendingError;
            recipe.PendingError = 0;
            return -error;
        }
        return read ? 0 : -Errno.EPIPE;
    }

    // True if the call that used `usedNetId` on `posixId` should be made again: net restarted and
    // posix has recovered (now, or meanwhile on another thread).
    private bool RecoverIfRestarted(long usedNetId, long posixId)
    {
        lock (recovery)
        {
            if (posixId != 0)
                lock (gate)
                    if (recipes.TryGetValue(posixId, out var r) && (r.NetId != usedNetId || r.Reset)) return true;   // recovered meanwhile
            long number = instance();
            if (number <= 0) return false;                    // net cannot be asked now: the call's error stands
            if (knownInstance == 0) { knownInstance = number; return false; }
            if (number == knownInstance) return false;        // the same net: the error is the call's own
            knownInstance = number;
            Recover();
            return true;
        }
    }

    // Re-creates what a recipe can make again and resets the rest; `recovery` held.
    private void Recover()
    {
        Recoveries++;
        long subscribed = resubscribe();
        if (subscribed < 0) log($"net restarted: readiness subscription refused (errno {-subscribed}); sockets will not wake epoll");
        List<(long Id, SocketRecipe Recipe)> all;
        lock (gate) all = recipes.Select(kv => (kv.Key, kv.Value)).ToList();   // a socket made after this is on the new net already
        int remade = 0, reset = 0;
        foreach (var (id, recipe) in all)
        {
            long oldNetId;
            SocketRecipe? plan;                                 // a copy to make the socket from, or null: a connection
            lock (gate)
            {
                if (recipe.Reset) continue;
                oldNetId = recipe.NetId;
                plan = recipe.CanBeRemade ? recipe.Copy() : null;
            }
            // First let go of the old id: the link's cache forgets it, and a socket made on the new
            // instance before posix noticed the restart gives its port back before it is made again.
            if (oldNetId != 0) net.Close(oldNetId);
            long newNetId = plan != null ? Remake(plan) : -Errno.ECONNRESET;
            bool closedMeanwhile;
            lock (gate)
            {
                if (byNetId.TryGetValue(oldNetId, out long owner) && owner == id) byNetId.Remove(oldNetId);
                closedMeanwhile = !recipes.ContainsKey(id);
                if (!closedMeanwhile) Adopt(id, recipe, newNetId);
            }
            if (closedMeanwhile)
            {
                if (newNetId > 0) net.Close(newNetId);
                continue;
            }
            if (newNetId > 0) remade++; else reset++;
            sink?.ReadinessChanged(id, newNetId > 0 ? net.Readiness(newNetId) : ResetReadiness);
        }
        log($"net restarted: {remade} sockets made again on the new instance, {reset} connections reset");
    }

    // The socket now lives as `newNetId` on the new net, or, if that is an errno, is reset. Gate held.
    private void Adopt(long id, SocketRecipe recipe, long newNetId)
    {
        if (newNetId > 0)
        {
            recipe.NetId = newNetId;
            byNetId[newNetId] = id;
            return;
        }
        recipe.Reset = true;
        recipe.NetId = 0;
        recipe.PendingError = -newNetId;
    }

    // The socket made again from (a copy of) its recipe on the new net: its new id, or -errno (the step that failed).
    private long Remake(SocketRecipe recipe)
    {
        long id = net.Create(recipe.Type, recipe.Protocol);
        if (id < 0) return id;
        foreach (var (level, name, value) in recipe.Options)
        {
            long r = net.SetOption(id, level, name, value);
            if (r < 0) log($"net restarted: option {level}/{name} not set again (errno {-r})");
        }
        long step = 0;
        if (recipe.Bound is { } local) step = net.Bind(id, local);
        if (step == 0 && recipe.DatagramPeer is { } peer) step = net.Connect(id, peer);
        if (step == 0 && recipe.Backlog is { } backlog) step = net.Listen(id, backlog);
        if (step == 0) return id;
        net.Close(id);
        log($"net restarted: a socket bound to {recipe.Bound} could not be made again (errno {-step})");
        return step;
    }
}
