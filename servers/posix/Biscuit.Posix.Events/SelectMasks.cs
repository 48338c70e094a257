// SelectMasks: how select(2) reads poll results (fs/select.c POLLIN_SET, POLLOUT_SET, POLLEX_SET).
// The posix server turns each fd of the three sets into a PollEntry asking for the union of the masks of
// the sets it is in, runs PollWait, and puts the fd back in each set whose mask meets its revents.
// An fd in a set that is not open is EBADF for the whole select(2), not POLLNVAL: the server checks that first.
namespace Biscuit.Posix.Events;

/// <summary>select(2)'s readable / writable / exceptional conditions as poll masks.</summary>
public static class SelectMasks
{
    public const short Readable = (short)(PollBits.POLLRDNORM | PollBits.POLLRDBAND | PollBits.POLLIN | PollBits.POLLHUP | PollBits.POLLERR);
    public const short Writable = (short)(PollBits.POLLWRNORM | PollBits.POLLWRBAND | PollBits.POLLOUT | PollBits.POLLERR);
    public const short Exceptional = (short)PollBits.POLLPRI;

    public static bool IsReadable(short revents) => (revents & Readable) != 0;
    public static bool IsWritable(short revents) => (revents & Writable) != 0;
    public static bool IsExceptional(short revents) => (revents & Exceptional) != 0;
}
