// The shared services of one analysis run (one set of assemblies). Created by Analyzer; every
// stage reads it, none mutates it after construction.
using Biscuit.MaxLive.Layout;
using Biscuit.MaxLive.Metadata;

namespace Biscuit.MaxLive.Analysis;

public sealed class AnalysisContext
{
    public AssemblySet Assemblies { get; }
    public MemberResolver Resolver { get; }
    public Annotations Annotations { get; }
    public TypeLayout Layout { get; }
    public BclSummaries Library { get; }

    public AnalysisContext(AssemblySet assemblies)
    {
        Assemblies = assemblies;
        Resolver = new MemberResolver(assemblies);
        Annotations = new Annotations(assemblies);
        Layout = new TypeLayout(assemblies);
        Library = new BclSummaries(assemblies, Layout);
    }
}
