// The Linux interoperability tests share the machine's two cores; they run one at a time.
namespace Biscuit.Net.Tests.Linux;

[CollectionDefinition("linux", DisableParallelization = true)]
public sealed class LinuxCollection { }
