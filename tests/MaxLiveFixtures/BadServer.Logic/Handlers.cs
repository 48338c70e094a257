// A fixture server whose List request allocates in a loop without [MaxIterations].
using Biscuit.Annotations;

namespace BadServer;

public sealed class Handlers
{
    [RequestHandler("List")]
    public int List(int count)
    {
        int total = 0;
        for (int i = 0; i < count; i++)
            total += new byte[4].Length;
        return total;
    }
}
