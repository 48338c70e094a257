// A fixture server: Ping needs a 32-byte scratch buffer (24 + 32 = 56 B); Remember stores an
// 8-element array (24 + 8 * 8 = 88 B) into the server's state.
using Biscuit.Annotations;

namespace GoodServer;

public sealed class Handlers
{
    private long[]? _last;

    [RequestHandler("Ping")]
    public int Ping()
    {
        var scratch = new byte[32];
        return scratch.Length;
    }

    [RequestHandler("Remember")]
    public void Remember() => _last = new long[8];
}
