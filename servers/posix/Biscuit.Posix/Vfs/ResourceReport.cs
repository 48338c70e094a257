// /proc/biscuit/resources: what every layer holds for applications, one "owner name value" line each —
// posix's processes, descriptors and open file descriptions by kind, then what the fs and net servers
// hold (their open files and sockets, asked at read time). A program that crashes or is killed must
// leave these figures as they were before it ran (issue 7, "Bad input": no leaked fds, sockets or
// memory in the servers); ResourceLeakTests compares them around such programs.
// The reader's own descriptors count too: compare readings made the same way.
using System.Text;

namespace Biscuit.Posix;

public static class ResourceReport
{
    public static string Format(ProcessTable processes, ISystemServices system)
    {
        var all = processes.All();
        int descriptors = 0;
        var descriptions = new HashSet<OpenFile>(ReferenceEqualityComparer.Instance);
        foreach (var p in all)
        {
            var files = p.Fds.Descriptions();
            descriptors += files.Count;
            foreach (var f in files) descriptions.Add(f);
        }
        int fsFiles = 0, sockets = 0, pipes = 0, other = 0;
        foreach (var f in descriptions)
        {
            switch (f)
            {
                case FsFile or FsDirectory: fsFiles++; break;
                case SocketFile: sockets++; break;
                case PipeEnd or StreamPair: pipes++; break;
                default: other++; break;
            }
        }
        var w = new StringBuilder();
        w.Append("posix processes ").Append(all.Count).Append('\n');
        w.Append("posix descriptors ").Append(descriptors).Append('\n');
        w.Append("posix open_files ").Append(descriptions.Count).Append('\n');
        w.Append("posix fs_files ").Append(fsFiles).Append('\n');
        w.Append("posix sockets ").Append(sockets).Append('\n');
        w.Append("posix pipes ").Append(pipes).Append('\n');
        w.Append("posix other_files ").Append(other).Append('\n');
        w.Append(system.ServerResources());
        return w.ToString();
    }
}
