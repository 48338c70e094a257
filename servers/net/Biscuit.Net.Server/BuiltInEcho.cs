// The TCP echo the net server offers by itself on a port (the guest side of NetworkTests and of
// `./biscuit run` until nginx serves port 80): it uses the stack directly, not the socket service,
// and runs in the event loop with StackHost.Gate held. Each connection keeps the bytes it could not
// send back yet (at most one receive's worth, 4 KiB) and reads no more until they are sent.
using Biscuit.Net;

sealed class BuiltInEcho
{
    private readonly TcpSocket listener;                                          // guarded by StackHost.Gate
    private readonly List<(TcpSocket Socket, byte[] Pending, int Length)> connections = new();   // guarded by StackHost.Gate
    private readonly byte[] buffer = new byte[4096];                              // guarded by StackHost.Gate

    public BuiltInEcho(NetStack stack, ushort port)
    {
        listener = stack.CreateTcpSocket();
        var bound = listener.Bind(port);
        if (bound != Errno.None) throw new InvalidOperationException($"echo: bind to port {port}: {bound}");
        listener.Listen(32);
    }

    public int Connections => connections.Count;

    /// <summary>Accepts new connections and echoes what arrived. Gate held.</summary>
    public void Serve()
    {
        TcpSocket? accepted;
        while ((accepted = listener.Accept(out _)) != null) connections.Add((accepted, new byte[4096], 0));
        for (int i = connections.Count - 1; i >= 0; i--)
        {
            var (socket, pending, length) = connections[i];
            if (length > 0)                                  // finish echoing what did not fit before
            {
                int sent = socket.Send(pending.AsSpan(0, length));
                if (sent > 0) { Array.Copy(pending, sent, pending, 0, length - sent); length -= sent; }
                connections[i] = (socket, pending, length);
                if (length > 0) continue;
            }
            int n = socket.Receive(buffer);
            if (n > 0)
            {
                int sent = socket.Send(buffer.AsSpan(0, n));
                if (sent < 0) sent = 0;
                if (sent < n) { Array.Copy(buffer, sent, pending, 0, n - sent); connections[i] = (socket, pending, n - sent); }
            }
            else if (n == 0 || n != -(int)Errno.EAGAIN) { socket.Close(); connections.RemoveAt(i); }   // the peer closed, or an error
        }
    }
}
