// Signal-driven I/O (O_ASYNC, fcntl(2) F_SETOWN; fs/fcntl.c send_sigio): an observer of one open file
// description that asks for SIGIO to its owner whenever the description's readiness changes to
// something I/O can use (readable, writable, error, hang-up). It holds no lock of its own and only
// reads the owner, so it may be called from any source's notification (Readiness.cs contract); the
// post itself goes through posix's signal code (Personality.PostSignal), which takes only leaf locks.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public sealed class SignalDrivenIo(OpenFile file, Action<int> postSigio) : IReadinessObserver
{
    private const Readiness IoPossible = Readiness.In | Readiness.Out | Readiness.Err | Readiness.Hup;

    public void ReadinessChanged(IPollable source, Readiness now)
    {
        int owner = file.Owner;
        if (owner != 0 && (now & IoPossible) != 0) postSigio(owner);
    }
}
