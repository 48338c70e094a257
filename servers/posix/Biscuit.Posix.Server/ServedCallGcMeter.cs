// The GC pause that fell inside each forwarded Linux call, counted in posix's own Stats (lib's
// RequestGcMeter, the same meter posix's Stats loop feeds): one per worker thread, owned by it.
using Biscuit.Lib.Telemetry;
using Biscuit.Posix;

namespace Biscuit.Posix.Server;

public sealed class ServedCallGcMeter(RequestGcMeter meter) : IServedCallMeter
{
    private readonly RequestGcWatch watch = new(meter);   // the worker's thread only

    public void Started() => watch.Started();
    public void Finished() => watch.Finished();
}
