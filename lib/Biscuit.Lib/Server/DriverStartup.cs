// What every driver server does before and after its device-specific part (drivers/ixgbe's nic-server,
// drivers/virtio-blk's blk-server): read `serve NAME`, find the device manager capability among the
// initial handles (init passes it with the manifest option `devices`), make the notification the
// device's interrupt will signal, and at the end serve its protocol on initial handle 0 with
// several workers, so that one request blocked in the device does not stop the others.
// Every failure is one console line naming the server and a non-zero exit code (init restarts it).
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;

namespace Biscuit.Lib.Server;

public static class DriverStartup
{
    /// <summary>The initial handles init may pass: the own endpoint, uses, then the device manager.</summary>
    private const int InitialSlots = 8;

    /// <summary>Parses `serve NAME`, finds the device manager and creates the interrupt notification;
    /// 0 when all are there, else the exit code (2: usage, 1: missing handle or notification), the
    /// reason printed.</summary>
    public static int Prepare(string[] args, string program, string device, out string name, out Handle deviceManager, out Notification interrupt)
    {
        name = args.Length > 1 && args[0] == "serve" ? args[1] : program.Split('-')[0];
        deviceManager = default;
        interrupt = default;
        if (args.Length < 1 || args[0] != "serve")
        {
            Console.Error.WriteLine($"usage: {program} serve NAME");
            return 2;
        }
        for (int slot = 0; slot < InitialSlots; slot++)
        {
            var info = Handle.Initial(slot).Info();
            if (info.IsOk && info.Value.Type == CapabilityType.DeviceManager) deviceManager = Handle.Initial(slot);
        }
        if (deviceManager.IsNone)
        {
            Console.WriteLine($"{name}: no device manager handle (manifest option `devices`)");
            return 1;
        }
        var created = Notification.Create();
        if (!created.IsOk)
        {
            Console.WriteLine($"{name}: no notification for the {device}'s interrupt: {created.Error.Symbol()}");
            return 1;
        }
        interrupt = created.Value;
        return 0;
    }

    /// <summary>Serves `server` on initial handle 0 with `workers` threads (this one among them);
    /// returns when this thread's loop ends, with the kernel's error.</summary>
    public static KernelError Serve(MessageServer server, string name, int workers)
    {
        var endpoint = new Endpoint(Handle.Initial(0));
        for (int i = 1; i < workers; i++)
            new Thread(() => Console.WriteLine($"{name}: worker ended: {server.Run(new KernelServerTransport(endpoint))}")) { IsBackground = true }.Start();
        var error = server.Run(new KernelServerTransport(endpoint));
        Console.WriteLine($"{name}: server loop ended: {error}");
        return error;
    }
}
