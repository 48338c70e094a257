// net-server: the `net` server (NIC driver core + TCP/IP stack + socket service) or, in one mode, a
// client of it. Modes:
//   net-server [PORT]            the server; the socket service on its endpoint, and a built-in TCP
//                                echo on PORT (default 7): boot/manifest, tests/manifests/net
//   net-server serve             the server with the socket service only
//   net-server socket-echo PORT  a client: a TCP echo on PORT through the socket service of the net
//                                server in initial handle 1 (tests/manifests/net-sockets)
if (args.Length > 0 && args[0] == "socket-echo") return SocketEchoClient.Run(args);
if (args.Length > 0 && args[0] == "serve") return NetLoop.Run(0);
if (args.Length == 0) return NetLoop.Run(7);
if (ushort.TryParse(args[0], out ushort port) && port != 0) return NetLoop.Run(port);
Console.WriteLine("usage: net-server [PORT] | serve | socket-echo PORT");
return 2;
