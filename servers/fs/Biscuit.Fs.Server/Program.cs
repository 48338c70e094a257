// fs-server: the file-system server on Biscuit (servers/fs/README.md).
//   serve NAME [measure]   mounts the disk of the block driver (initial handle 1) and serves the fs protocol on initial handle 0
//   client                 the QEMU test's client: drives the server on initial handle 1
//   loop SECONDS           the block-driver restart test's client: write, fsync, read back in a loop
//   check                  mounts the disk with the library and checks it end to end
string mode = args.Length > 0 ? args[0] : "";
return mode switch
{
    "serve" => ServeMode.Run(args.Length > 1 ? args[1] : "fs", args.Contains("measure")),
    "client" => ClientMode.Run(),
    "check" => CheckMode.Run(),
    "loop" when args.Length > 1 && int.TryParse(args[1], out int seconds) && seconds > 0 => LoopMode.Run(seconds),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: fs-server serve NAME [measure] | client | loop SECONDS | check");
    return 2;
}
