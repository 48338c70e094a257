// How a server built on lib/ is configured: its name (in Stats and log lines), its MAXLIVE budget
// table, the admission queue, where heap figures and log lines go.
using Biscuit.Lib.Telemetry;

namespace Biscuit.Lib.Server;

public sealed class ServerOptions
{
    /// <summary>The server's name, as in the boot manifest ("fs", "net").</summary>
    public string Name { get; init; } = "server";

    /// <summary>Request name -> heap budget in bytes, as tools/maxlive generates it
    /// (Biscuit.Generated.MaxLiveBudgets.All). Null: no table, every request's budget is 0 (admission
    /// always succeeds and is still counted).</summary>
    public IReadOnlyDictionary<string, long>? Budgets { get; init; }

    /// <summary>Budget for a registered request type the table does not list (lib's own Stats, or a
    /// table out of date with the code). Ignored when Budgets is null.</summary>
    public long UnlistedBudgetBytes { get; init; } = 64 * 1024;

    /// <summary>How many requests may wait for heap room at once before new ones are refused (Busy).</summary>
    public int AdmissionQueueCapacity { get; init; } = 4;

    /// <summary>The longest a queued request waits for room before it is refused (Busy).</summary>
    public TimeSpan AdmissionMaxWait { get; init; } = TimeSpan.FromSeconds(1);

    public IHeapGauge HeapGauge { get; init; } = GcHeapGauge.Instance;

    /// <summary>Turns the generated MAXLIVE table (Biscuit.Generated.MaxLiveBudgets.All: request name and
    /// bytes) into Budgets. A negative budget (maxlive's mark of a refused request) or a name listed
    /// twice is an error: such a table must not reach a running server.</summary>
    public static IReadOnlyDictionary<string, long> BudgetsFrom(IEnumerable<(string Request, long Bytes)> table)
    {
        var budgets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (request, bytes) in table)
        {
            if (bytes < 0) throw new ArgumentException($"request {request} has no budget ({bytes}): maxlive refused it", nameof(table));
            if (!budgets.TryAdd(request, bytes)) throw new ArgumentException($"request {request} is listed twice", nameof(table));
        }
        return budgets;
    }

    /// <summary>Heap a request's decoding and its reply's encoding may hold on top of the handler's
    /// own MAXLIVE budget (maxlive analyses handlers, not lib's codecs). A message is at most one
    /// IPC payload (4032 bytes); decoded, a body is at most a few times that (a string doubles in
    /// UTF-16), plus the reader's and the client's bookkeeping. Added to every listed budget.</summary>
    public long MessageOverheadBytes { get; init; } = 16 * 1024;

    /// <summary>Heap that requests with budgets at least this large must leave free, so that small
    /// requests are admitted at once even while large ones queue (AdmissionControl).</summary>
    public long HeadroomForSmallRequestsBytes { get; init; } = 1 << 20;

    /// <summary>Measure the bytes each request allocates on its worker thread and report the maximum
    /// per request type in Stats (issue 10's soundness check; costs two counter reads a request).</summary>
    public bool MeasureAllocations { get; init; }

    /// <summary>Where the one-line reports of failed handlers go (default: standard error).</summary>
    public Action<string> Log { get; init; } = line => Console.Error.WriteLine(line);
}
