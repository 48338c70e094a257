// `echo-server restart`: the test client of server restarts (issue 9), against the echo server in
// initial handle 1, which init restarts when it dies (tests/manifests/restart). Prints "ok - NAME"
// / "not ok - NAME: why"; exit status = failures.
using Biscuit.Echo;
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;

static class RestartDriver
{
    public static int Run()
    {
        var echo = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))));
        int failures = 0, cases = 0;
        void Check(string name, Func<string?> test)
        {
            cases++;
            string? problem;
            try { problem = test(); } catch (Exception e) { problem = $"{e.GetType().Name}: {e.Message}"; }
            if (problem == null) Console.WriteLine($"ok - {name}");
            else { failures++; Console.WriteLine($"not ok - {name}: {problem}"); }
        }
        string? EchoWorks(byte value)
        {
            var r = echo.Call(EchoContracts.Echo, new[] { value }, 60_000);
            return r.IsOk && r.Value!.Length == 1 && r.Value[0] == value ? null : $"Echo({value}) = {r}";
        }

        Check("the server answers before anything goes wrong", () => EchoWorks(1));

        Check("a call that crashes the server is reported as an I/O error, not retried", () =>
        {
            var r = echo.Call(EchoContracts.Crash, default, 60_000);
            return r.Outcome == CallOutcome.ServerDied && r.Error == KernelError.IoError ? null : $"Crash gave {r}";
        });

        Check("after a crash the restarted server answers on the same endpoint", () => EchoWorks(2));

        Check("a hung server is found by its heartbeat, killed and restarted", () =>
        {
            var r = echo.Call(EchoContracts.Hang, default, 60_000);
            if (r.Outcome != CallOutcome.ServerDied) return $"Hang gave {r}";
            return EchoWorks(3);
        });

        Check("an idempotent call in flight when the server dies is retried and succeeds", () =>
        {
            // Crash from a second thread while this one waits in an idempotent call queued behind it.
            var crasher = new Thread(() => new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))))
                .Call(EchoContracts.Crash, default, 60_000));
            var stats = new ServiceClient(new KernelClientTransport(new Endpoint(Handle.Initial(1))));
            crasher.Start();
            Thread.Sleep(50);
            var r = stats.Call(StandardRequests.Stats, default, 60_000);
            crasher.Join();
            return r.IsOk ? null : $"Stats across a crash gave {r}";
        });

        Check("the restarted server's Stats tell its history: fourth incarnation, three deaths, the last by SIGABRT", () =>
        {
            // init tells a new instance its history a few seconds after the launch (its runtime is up):
            // ask until it has been told, for at most a minute.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var r = echo.Call(StandardRequests.Stats, default, 60_000);
                if (!r.IsOk) return $"Stats gave {r}";
                var h = r.Value!.History;
                if (h.Number == 4)
                    return h.Deaths == 3 && h.InjectedDeaths == 0 && h.LastDeath == "signal 6"
                        && h.LastRestartLatencyMs >= 40 && h.MaxRestartLatencyMs >= h.LastRestartLatencyMs   // the third back-off is 40 ms
                        ? null : $"history {h}";
                if (h.Number != 1 || DateTime.UtcNow > deadline) return $"history {h} (never told incarnation 4)";
                Thread.Sleep(500);
            }
        });

        Console.WriteLine($"restart: {cases - failures} passed, {failures} failed");
        return failures;
    }
}
