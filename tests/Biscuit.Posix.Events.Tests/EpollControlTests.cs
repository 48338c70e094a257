// epoll_ctl(2): what ADD, DEL and MOD accept and refuse, and what closing an fd does to its registration.
using static Biscuit.Posix.Events.EpollConstants;

namespace Biscuit.Posix.Events.Tests;

public class EpollControlTests
{
    private const uint In = PollBits.POLLIN;
    private readonly EpollEvent[] _events = new EpollEvent[8];

    [Fact]
    public void Adding_an_fd_twice_is_EEXIST()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        Assert.Equal(0, epoll.Control(EPOLL_CTL_ADD, 3, source, In, 1));
        Assert.Equal(-LinuxErrno.EEXIST, epoll.Control(EPOLL_CTL_ADD, 3, source, In, 1));
    }

    [Fact]
    public void Deleting_an_fd_never_added_is_ENOENT()
    {
        using var epoll = new EpollInstance();
        Assert.Equal(-LinuxErrno.ENOENT, epoll.Control(EPOLL_CTL_DEL, 3, new ManualSource(), 0, 0));
    }

    [Fact]
    public void Modifying_an_fd_never_added_is_ENOENT()
    {
        using var epoll = new EpollInstance();
        Assert.Equal(-LinuxErrno.ENOENT, epoll.Control(EPOLL_CTL_MOD, 3, new ManualSource(), In, 0));
    }

    [Fact]
    public void Deleting_with_a_different_file_than_registered_is_ENOENT()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(), In, 0);
        Assert.Equal(-LinuxErrno.ENOENT, epoll.Control(EPOLL_CTL_DEL, 3, new ManualSource(), 0, 0));
        Assert.Equal(1, epoll.RegistrationCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(-1)]
    public void An_unknown_operation_is_EINVAL(int op)
    {
        using var epoll = new EpollInstance();
        Assert.Equal(-LinuxErrno.EINVAL, epoll.Control(op, 3, new ManualSource(), In, 0));
    }

    [Fact]
    public void A_missing_target_is_EBADF_not_a_crash()
    {
        using var epoll = new EpollInstance();
        Assert.Equal(-LinuxErrno.EBADF, epoll.Control(EPOLL_CTL_ADD, 3, null!, In, 0));
    }

    [Fact]
    public void Adding_an_epoll_instance_to_itself_is_EINVAL()
    {
        using var epoll = new EpollInstance();
        Assert.Equal(-LinuxErrno.EINVAL, epoll.Control(EPOLL_CTL_ADD, 3, epoll, In, 0));
    }

    [Fact]
    public void Deleting_stops_reports_and_unsubscribes_from_the_target()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        Assert.Equal(0, epoll.Control(EPOLL_CTL_DEL, 3, source, 0, 0));
        Assert.Equal(0, epoll.Wait(_events, 0, WaitCancellation.Never));
        Assert.Equal(0, source.ObserverCount);
        Assert.Equal(0, epoll.RegistrationCount);
    }

    [Fact]
    public void A_deleted_fd_can_be_added_again()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 1);
        epoll.Control(EPOLL_CTL_DEL, 3, source, 0, 0);
        Assert.Equal(0, epoll.Control(EPOLL_CTL_ADD, 3, source, In, 2));
        Assert.Equal(1, epoll.Wait(_events, 0, WaitCancellation.Never));
        Assert.Equal(2UL, _events[0].Data);
    }

    [Fact]
    public void Forgetting_a_closed_fd_drops_its_queued_registration()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        epoll.Forget(3);
        Assert.Equal(0, epoll.Wait(_events, 0, WaitCancellation.Never));
        Assert.Equal(0, source.ObserverCount);
        Assert.Equal(-LinuxErrno.ENOENT, epoll.Control(EPOLL_CTL_DEL, 3, source, 0, 0));
    }

    [Fact]
    public void Forgetting_an_fd_that_is_not_registered_changes_nothing()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        epoll.Forget(4);
        Assert.Equal(1, epoll.Wait(_events, 0, WaitCancellation.Never));
    }

    [Fact]
    public void Forgetting_a_target_drops_every_fd_registered_for_it()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        var other = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 3);
        epoll.Control(EPOLL_CTL_ADD, 4, source, In, 4);
        epoll.Control(EPOLL_CTL_ADD, 5, other, In, 5);
        epoll.ForgetTarget(source);
        Assert.Equal(1, epoll.Wait(_events, 0, WaitCancellation.Never));
        Assert.Equal(5UL, _events[0].Data);
        Assert.Equal(0, source.ObserverCount);
    }

    [Fact]
    public void Exclusive_is_accepted_with_in_and_out_and_reports_as_usual()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        Assert.Equal(0, epoll.Control(EPOLL_CTL_ADD, 3, source, In | PollBits.POLLOUT | EPOLLEXCLUSIVE | EPOLLET, 9));
        Assert.Equal(1, epoll.Wait(_events, 0, WaitCancellation.Never));
        Assert.Equal(new EpollEvent(In, 9), _events[0]);
    }

    [Theory]
    [InlineData(EPOLLONESHOT)]
    [InlineData(PollBits.POLLRDHUP)]
    [InlineData(PollBits.POLLPRI)]
    public void Exclusive_with_a_bit_it_does_not_allow_is_EINVAL(uint extra)
    {
        using var epoll = new EpollInstance();
        Assert.Equal(-LinuxErrno.EINVAL, epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(), In | EPOLLEXCLUSIVE | extra, 0));
        Assert.Equal(0, epoll.RegistrationCount);
    }

    [Fact]
    public void Exclusive_on_an_epoll_target_is_EINVAL()
    {
        using var epoll = new EpollInstance();
        using var inner = new EpollInstance();
        Assert.Equal(-LinuxErrno.EINVAL, epoll.Control(EPOLL_CTL_ADD, 3, inner, In | EPOLLEXCLUSIVE, 0));
    }

    [Fact]
    public void Modify_asking_for_exclusive_is_EINVAL()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        Assert.Equal(-LinuxErrno.EINVAL, epoll.Control(EPOLL_CTL_MOD, 3, source, In | EPOLLEXCLUSIVE, 0));
    }

    [Fact]
    public void An_exclusive_registration_cannot_be_modified()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In | EPOLLEXCLUSIVE, 0);
        Assert.Equal(-LinuxErrno.EINVAL, epoll.Control(EPOLL_CTL_MOD, 3, source, In, 0));
    }

    [Fact]
    public void After_dispose_control_and_wait_are_EBADF_and_targets_are_unsubscribed()
    {
        var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        epoll.Dispose();
        Assert.Equal(0, source.ObserverCount);
        Assert.Equal(-LinuxErrno.EBADF, epoll.Control(EPOLL_CTL_ADD, 4, source, In, 0));
        Assert.Equal(-LinuxErrno.EBADF, epoll.Wait(_events, 0, WaitCancellation.Never));
        Assert.Equal(Readiness.None, epoll.CurrentReadiness());
    }

    [Fact]
    public void Wakeups_after_delete_are_ignored()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource();
        epoll.Control(EPOLL_CTL_ADD, 3, source, In, 0);
        var registrationObserverless = source.ObserverCount;
        epoll.Control(EPOLL_CTL_DEL, 3, source, 0, 0);
        source.Set(Readiness.In);
        Assert.Equal(1, registrationObserverless);
        Assert.Equal(0, epoll.Wait(_events, 0, WaitCancellation.Never));
    }

    [Fact]
    public void Forgetting_a_target_after_one_of_its_fds_was_deleted_drops_the_others()
    {
        using var epoll = new EpollInstance();
        var source = new ManualSource(Readiness.In);
        for (int fd = 3; fd <= 5; fd++) epoll.Control(EPOLL_CTL_ADD, fd, source, In, (ulong)fd);
        Assert.Equal(0, epoll.Control(EPOLL_CTL_DEL, 4, source, 0, 0));
        epoll.ForgetTarget(source);
        Assert.Equal(0, epoll.RegistrationCount);
        Assert.Equal(0, source.ObserverCount);
        Assert.Equal(0, epoll.Control(EPOLL_CTL_ADD, 4, source, In, 4)); // the chain is clean
        epoll.ForgetTarget(source);
        Assert.Equal(0, epoll.RegistrationCount);
    }

    [Fact]
    public void Forgetting_a_target_that_was_never_registered_changes_nothing()
    {
        using var epoll = new EpollInstance();
        epoll.Control(EPOLL_CTL_ADD, 3, new ManualSource(Readiness.In), In, 0);
        epoll.ForgetTarget(new ManualSource());
        epoll.ForgetTarget(null!);
        Assert.Equal(1, epoll.RegistrationCount);
    }
}
