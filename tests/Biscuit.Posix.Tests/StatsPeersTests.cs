// posix-server's `stats=NAME,...`: the servers whose Stats /proc/biscuit/gc shows besides fs and net,
// whose endpoints follow fs's and net's in posix's initial handles.
using Biscuit.Posix;
using Xunit;

public sealed class StatsPeersTests
{
    [Fact]
    public void Names_come_back_in_the_order_given_because_that_order_numbers_the_handles() =>
        Assert.Equal(["blk", "nic"], StatsPeers.Parse("blk,nic"));

    [Theory]
    [InlineData("")]                 // no name
    [InlineData("blk,")]             // an empty name
    [InlineData("blk,blk")]          // the same server twice
    [InlineData("fs")]               // posix's own link, already handle 1
    [InlineData("nic,net")]          // posix's own link, already handle 2
    [InlineData("Blk")]              // not a name init's manifest takes
    [InlineData("a,b,c,d,e")]        // more uses than init passes
    [InlineData("a-very-long-server-name")]
    public void A_list_that_would_make_the_handles_ambiguous_is_refused(string list) =>
        Assert.Null(StatsPeers.Parse(list));
}
