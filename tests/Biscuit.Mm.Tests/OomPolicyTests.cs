// Specification of mm's out-of-memory policy (servers/mm/Biscuit.Mm/OomPolicy.cs, issue 8 item 5).
using Biscuit.Mm;
using static Biscuit.Mm.Tests.FakeKernel;

namespace Biscuit.Mm.Tests;

public class OomPolicyTests
{
    private static SystemMemory Free(long frames) => new(frames, 65_536 - frames, 65_536, 0, 0, 0, 0);

    private static readonly ProcessMemory[] Mixed =
    [
        Init(1), Server(2, "fs", 30_000), Server(3, "posix", 20_000),
        Application(10, "nginx", 900), Application(11, "hog", 12_000), Application(12, "sh", 50),
    ];

    [Fact]
    public void With_free_frames_at_or_above_the_low_water_mark_nothing_is_done()
    {
        var d = new OomPolicy(1000).Decide(Free(1000), Mixed);
        Assert.False(d.LowOnMemory);
        Assert.Null(d.Victim);
    }

    [Fact]
    public void Below_the_mark_the_application_with_the_largest_resident_set_is_the_victim()
    {
        var d = new OomPolicy(1000).Decide(Free(999), Mixed);
        Assert.True(d.LowOnMemory);
        Assert.Equal(11, d.Victim!.Id);
    }

    [Fact]
    public void A_server_or_init_is_never_the_victim_however_large()
    {
        var d = new OomPolicy(1000).Decide(Free(10), [Init(1), Server(2, "fs", 60_000), Application(9, "tiny", 1)]);
        Assert.Equal(9, d.Victim!.Id);
        var none = new OomPolicy(1000).Decide(Free(10), [Init(1), Server(2, "fs", 60_000)]);
        Assert.True(none.LowOnMemory);
        Assert.Null(none.Victim);
    }

    [Fact]
    public void An_init_that_has_a_personality_is_still_never_the_victim()
    {
        var odd = new ProcessMemory(1, "init", 50_000, 65_536, 0, 0, IsApplication: true, IsInit: true);
        Assert.Equal(10, new OomPolicy(1000).Decide(Free(10), [odd, Application(10, "a", 5)]).Victim!.Id);
    }

    [Fact]
    public void Equal_resident_sets_go_to_the_newest_process()
    {
        var d = new OomPolicy(1000).Decide(Free(10), [Application(20, "old", 500), Application(21, "new", 500), Application(19, "older", 500)]);
        Assert.Equal(21, d.Victim!.Id);
    }

    [Fact]
    public void The_low_water_mark_must_be_positive_and_defaults_to_a_64th_of_the_machine()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OomPolicy(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OomPolicy(-5));
        Assert.Equal(1024, OomPolicy.DefaultLowWater(65_536));
        Assert.Equal(256, OomPolicy.DefaultLowWater(1000));
    }
}
