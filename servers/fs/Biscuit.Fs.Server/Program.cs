// fs-server: the file-system server on Biscuit (servers/fs/README.md).
//   serve NAME [measure]   mounts the disk of the block driver (initial handle 1) and serves the fs protocol on initial handle 0
//   client                 the QEMU test's client: drives the server on initial handle 1
//   check                  mounts the disk with the library and checks it end to end
string mode = args.Length > 0 ? args[0] : "";
return mode switch
{
    "serve" => ServeMode.Run(args.Length > 1 ? args[1] : "fs", args.Contains("measure")),
    "client" => ClientMode.Run(),
    "check" => CheckMode.Run(),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: fs-server serve NAME [measure] | client | check");
    return 2;
}
