// The readiness interfaces agreed between the posix core and Biscuit.Posix.Events (the events
// library, written in parallel). Compiled ONLY while that project is absent (see the csproj): the
// moment it exists, its own declarations replace these and this file is excluded. Keep identical to
// the agreed API; nothing else lives here.
namespace Biscuit.Posix.Events;

[Flags]
public enum Readiness : uint { None = 0, In = 0x001, Pri = 0x002, Out = 0x004, Err = 0x008, Hup = 0x010, RdHup = 0x2000 }

public interface IReadinessObserver { void ReadinessChanged(IPollable source, Readiness now); }

public interface IPollable
{
    Readiness CurrentReadiness();
    void Subscribe(IReadinessObserver observer);
    void Unsubscribe(IReadinessObserver observer);
}

public interface IWaitCancellation { bool IsCancelled { get; } }
