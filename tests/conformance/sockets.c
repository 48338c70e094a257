/* sockets.c — AF_INET sockets over loopback inside one system (socket(7), tcp(7), udp(7), ip(7)):
 * TCP listen/connect/accept on 127.0.0.1 at fixed ports, data both ways, getsockname/getpeername,
 * shutdown(SHUT_WR) seen as end of file, a closed peer seen as EPOLLRDHUP and POLLHUP, ECONNREFUSED
 * from a closed port, a non-blocking connect (EINPROGRESS, then writable with SO_ERROR 0), accept4
 * on an empty backlog (EAGAIN), epoll on a listener, SO_REUSEADDR and EADDRINUSE, a 128 KiB transfer
 * checked by a sum, MSG_PEEK, UDP sendto/recvfrom, and bad input (EBADF, ENOTSOCK, EFAULT, EINVAL).
 * Only what every Linux prints is printed: families, 127.0.0.1, the fixed ports, counts and bytes;
 * never ephemeral ports or fd numbers. SIGPIPE is ignored. Output: check.h's lines. */
#define _GNU_SOURCE
#include "check.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>

const char *check_prefix = "sockets";

enum { PORT = 47011, CLOSED_PORT = 47012, NONBLOCKING_PORT = 47013, UDP_PORT = 47014, BULK_PORT = 47015 };

static struct sockaddr_in localhost(int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* "family 2 127.0.0.1:47011 (length 16)", the port only when it is one of ours (fixed). */
static void say_address(const char *what, const struct sockaddr_in *a, socklen_t length, int with_port)
{
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    if (with_port) say("%s: family %d %s:%d (length %d)", what, a->sin_family, text, ntohs(a->sin_port), (int)length);
    else say("%s: family %d %s (length %d)", what, a->sin_family, text, (int)length);
}

static int listener_on(int port, int type_flags)
{
    int s = socket(AF_INET, SOCK_STREAM | type_flags, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = localhost(port);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 8) < 0) say("listener on %d: %s", port, outcome(-1));
    return s;
}

/* Reads exactly n bytes (blocking socket); returns what it got. */
static long read_fully(int fd, char *buffer, long n)
{
    long got = 0;
    while (got < n) {
        long r = recv(fd, buffer + got, n - got, 0);
        if (r <= 0) break;
        got += r;
    }
    return got;
}

static void connection(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("socket AF_INET SOCK_STREAM", s);
    int one = 1, value = 0;
    socklen_t length = sizeof value;
    CHECK("setsockopt SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    CHECK("getsockopt SO_REUSEADDR", getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &value, &length));
    say("SO_REUSEADDR reads back as set: %d", value != 0);
    struct sockaddr_in a = localhost(PORT), name;
    CHECK("bind 127.0.0.1", bind(s, (struct sockaddr *)&a, sizeof a));
    CHECK("listen", listen(s, 8));
    length = sizeof name;
    CHECK("getsockname of the listener", getsockname(s, (struct sockaddr *)&name, &length));
    say_address("listener name", &name, length, 1);
    length = sizeof name;
    CHECK("getpeername of the listener", getpeername(s, (struct sockaddr *)&name, &length));

    int second = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("a second bind of the listening port", bind(second, (struct sockaddr *)&a, sizeof a));
    close(second);

    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("connect to 127.0.0.1", connect(c, (struct sockaddr *)&a, sizeof a));
    CHECK("connect again", connect(c, (struct sockaddr *)&a, sizeof a));
    struct sockaddr_in peer;
    length = sizeof peer;
    int server = accept(s, (struct sockaddr *)&peer, &length);
    CHECK("accept", server);
    say_address("accepted peer", &peer, length, 0);

    struct sockaddr_in client_name, server_peer;
    length = sizeof client_name;
    CHECK("getsockname of the client", getsockname(c, (struct sockaddr *)&client_name, &length));
    say_address("client name", &client_name, length, 0);
    length = sizeof name;
    CHECK("getpeername of the client", getpeername(c, (struct sockaddr *)&name, &length));
    say_address("client peer", &name, length, 1);
    length = sizeof server_peer;
    CHECK("getpeername of the accepted socket", getpeername(server, (struct sockaddr *)&server_peer, &length));
    say("the accepted socket's peer port is the client's port: %d", server_peer.sin_port == client_name.sin_port);
    length = sizeof name;
    CHECK("getsockname of the accepted socket", getsockname(server, (struct sockaddr *)&name, &length));
    say_address("accepted socket name", &name, length, 1);

    char buffer[64] = {0};
    VALUE("send ping", send(c, "ping", 4, 0));
    VALUE("recv on the accepted socket", read_fully(server, buffer, 4));
    say("bytes: %.4s", buffer);
    VALUE("send pong back", send(server, "pong", 4, 0));
    VALUE("recv on the client", read_fully(c, buffer, 4));
    say("bytes: %.4s", buffer);

    VALUE("send peek", send(c, "peek", 4, 0));
    struct pollfd p = { .fd = server, .events = POLLIN };
    VALUE("poll until readable", poll(&p, 1, 5000));
    memset(buffer, 0, sizeof buffer);
    VALUE("recv MSG_PEEK", recv(server, buffer, 4, MSG_PEEK));
    say("peeked: %.4s", buffer);
    memset(buffer, 0, sizeof buffer);
    VALUE("recv after the peek", read_fully(server, buffer, 4));
    say("bytes: %.4s", buffer);
    CHECK("recv MSG_DONTWAIT with nothing queued", recv(server, buffer, 4, MSG_DONTWAIT));

    CHECK("shutdown SHUT_WR", shutdown(c, SHUT_WR));
    VALUE("the peer reads end of file", recv(server, buffer, sizeof buffer, 0));
    CHECK("send after SHUT_WR", send(c, "x", 1, 0));
    VALUE("the other direction still carries data", send(server, "late", 4, 0));
    memset(buffer, 0, sizeof buffer);
    VALUE("recv on the half-closed client", read_fully(c, buffer, 4));
    say("bytes: %.4s", buffer);

    int ep = epoll_create1(0);
    struct epoll_event e = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = 7 }, got;
    CHECK("epoll_ctl ADD the client (EPOLLIN|EPOLLRDHUP)", epoll_ctl(ep, EPOLL_CTL_ADD, c, &e));
    VALUE("epoll_wait before the peer closes", epoll_wait(ep, &got, 1, 0));
    CHECK("close the accepted socket", close(server));
    VALUE("epoll_wait after the peer closed", epoll_wait(ep, &got, 1, 5000));
    say("events: EPOLLIN %d EPOLLRDHUP %d EPOLLHUP %d EPOLLERR %d", !!(got.events & EPOLLIN), !!(got.events & EPOLLRDHUP),
        !!(got.events & EPOLLHUP), !!(got.events & EPOLLERR));
    p = (struct pollfd){ .fd = c, .events = POLLIN | POLLRDHUP };
    VALUE("poll of the client", poll(&p, 1, 0));
    say("revents: POLLIN %d POLLRDHUP %d POLLHUP %d POLLERR %d", !!(p.revents & POLLIN), !!(p.revents & POLLRDHUP),
        !!(p.revents & POLLHUP), !!(p.revents & POLLERR));
    VALUE("recv at end of file", recv(c, buffer, sizeof buffer, 0));
    close(ep);
    close(c);
    CHECK("close the listener", close(s));

    s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("SO_REUSEADDR on a new socket", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
    CHECK("bind the same port again after close", bind(s, (struct sockaddr *)&a, sizeof a));
    CHECK("listen again", listen(s, 8));
    close(s);
}

static void refusals(void)
{
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in closed = localhost(CLOSED_PORT);
    CHECK("connect to a closed port", connect(c, (struct sockaddr *)&closed, sizeof closed));
    close(c);

    int s = listener_on(NONBLOCKING_PORT, SOCK_NONBLOCK);
    CHECK("accept4 SOCK_NONBLOCK on an empty backlog", accept4(s, NULL, NULL, SOCK_NONBLOCK));
    int ep = epoll_create1(0);
    struct epoll_event e = { .events = EPOLLIN, .data.u32 = 1 }, got;
    CHECK("epoll_ctl ADD the listener", epoll_ctl(ep, EPOLL_CTL_ADD, s, &e));
    VALUE("epoll_wait with no connection waiting", epoll_wait(ep, &got, 1, 0));

    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = localhost(NONBLOCKING_PORT);
    CHECK("non-blocking connect", connect(c, (struct sockaddr *)&a, sizeof a));
    struct pollfd p = { .fd = c, .events = POLLOUT };
    VALUE("poll POLLOUT until connected", poll(&p, 1, 5000));
    say("revents: POLLOUT %d POLLERR %d", !!(p.revents & POLLOUT), !!(p.revents & POLLERR));
    int error = -1;
    socklen_t length = sizeof error;
    CHECK("getsockopt SO_ERROR", getsockopt(c, SOL_SOCKET, SO_ERROR, &error, &length));
    say("SO_ERROR: %d", error);
    VALUE("epoll_wait on the listener", epoll_wait(ep, &got, 1, 5000));
    say("listener events: EPOLLIN %d", !!(got.events & EPOLLIN));
    int server = accept4(s, NULL, NULL, SOCK_NONBLOCK);
    CHECK("accept4 SOCK_NONBLOCK", server);
    say("the accepted socket is non-blocking: %d", (fcntl(server, F_GETFL) & O_NONBLOCK) != 0);
    char buffer[8];
    CHECK("recv on the new non-blocking socket", recv(server, buffer, sizeof buffer, 0));
    close(server);
    close(c);
    close(ep);
    close(s);

    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK("non-blocking connect to a closed port", connect(c, (struct sockaddr *)&closed, sizeof closed));
    p = (struct pollfd){ .fd = c, .events = POLLOUT };
    VALUE("poll until the outcome", poll(&p, 1, 5000));
    say("revents: POLLERR %d", !!(p.revents & POLLERR));
    error = 0;
    length = sizeof error;
    CHECK("getsockopt SO_ERROR", getsockopt(c, SOL_SOCKET, SO_ERROR, &error, &length));
    say("SO_ERROR: %s", errno_name(error));
    close(c);
}

/* 128 KiB one way through non-blocking sockets, sender and receiver taking turns in one process. */
static void bulk(void)
{
    enum { TOTAL = 128 * 1024 };
    static char out[TOTAL], in[16384];
    unsigned long sent_sum = 0, received_sum = 0;
    for (int i = 0; i < TOTAL; i++) { out[i] = (char)(i * 31 + i / 251); sent_sum += (unsigned char)out[i]; }
    int s = listener_on(BULK_PORT, 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = localhost(BULK_PORT);
    CHECK("connect for the bulk transfer", connect(c, (struct sockaddr *)&a, sizeof a));
    int server = accept(s, NULL, NULL);
    fcntl(c, F_SETFL, O_NONBLOCK);
    fcntl(server, F_SETFL, O_NONBLOCK);
    long sent = 0, received = 0;
    while (received < TOTAL) {
        long n = sent < TOTAL ? send(c, out + sent, TOTAL - sent, 0) : 0;
        if (n > 0) sent += n;
        long r = recv(server, in, sizeof in, 0);
        if (r > 0) {
            for (long i = 0; i < r; i++) received_sum += (unsigned char)in[i];
            received += r;
        } else if (r == 0) break;
        if (n <= 0 && r < 0) {
            struct pollfd p[2] = { { .fd = c, .events = sent < TOTAL ? POLLOUT : 0 }, { .fd = server, .events = POLLIN } };
            if (poll(p, 2, 5000) <= 0) break;
        }
    }
    say("bulk: sent %ld, received %ld, sums equal %d", sent, received, sent_sum == received_sum);
    close(c);
    close(server);
    close(s);
}

static void datagrams(void)
{
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK("socket AF_INET SOCK_DGRAM", u);
    struct sockaddr_in a = localhost(UDP_PORT), from, name;
    CHECK("bind udp 127.0.0.1", bind(u, (struct sockaddr *)&a, sizeof a));
    socklen_t length = sizeof name;
    CHECK("getsockname udp", getsockname(u, (struct sockaddr *)&name, &length));
    say_address("udp name", &name, length, 1);
    int v = socket(AF_INET, SOCK_DGRAM, 0);
    VALUE("sendto 127.0.0.1", sendto(v, "dgram", 5, 0, (struct sockaddr *)&a, sizeof a));
    VALUE("sendto a second datagram", sendto(v, "second", 6, 0, (struct sockaddr *)&a, sizeof a));
    char buffer[32] = {0};
    length = sizeof from;
    VALUE("recvfrom MSG_PEEK", recvfrom(u, buffer, sizeof buffer, MSG_PEEK, (struct sockaddr *)&from, &length));
    say("peeked: %.5s", buffer);
    memset(buffer, 0, sizeof buffer);
    length = sizeof from;
    VALUE("recvfrom", recvfrom(u, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length));
    say("bytes: %.5s", buffer);
    say_address("from", &from, length, 0);
    memset(buffer, 0, sizeof buffer);
    VALUE("recvfrom the second", recvfrom(u, buffer, 3, 0, NULL, NULL));
    say("truncated to the buffer: %.3s", buffer);
    CHECK("recvfrom MSG_DONTWAIT with nothing queued", recvfrom(u, buffer, sizeof buffer, MSG_DONTWAIT, NULL, NULL));
    VALUE("sendto back to the sender", sendto(u, "reply", 5, 0, (struct sockaddr *)&from, length));
    memset(buffer, 0, sizeof buffer);
    length = sizeof from;
    VALUE("recvfrom on the sender", recvfrom(v, buffer, sizeof buffer, 0, (struct sockaddr *)&from, &length));
    say("bytes: %.5s", buffer);
    say_address("from", &from, length, 1);
    CHECK("send without a destination", send(v, "x", 1, 0));
    CHECK("listen on a datagram socket", listen(u, 1));
    close(u);
    close(v);
}

static void bad_input(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = localhost(PORT), nowhere = localhost(PORT);
    nowhere.sin_addr.s_addr = htonl(0xC0000201);               /* 192.0.2.1 (TEST-NET-1): never a local address */
    char buffer[8];
    socklen_t length = sizeof a;
    CHECK("send on a bad descriptor", send(999, "x", 1, 0));
    CHECK("bind on a bad descriptor", bind(-1, (struct sockaddr *)&a, sizeof a));
    CHECK("listen on a bad descriptor", listen(999, 1));
    int p[2];
    pipe(p);
    CHECK("bind on a pipe", bind(p[0], (struct sockaddr *)&a, sizeof a));
    CHECK("connect on a pipe", connect(p[0], (struct sockaddr *)&a, sizeof a));
    CHECK("getsockname on a pipe", getsockname(p[0], (struct sockaddr *)&a, &length));
    CHECK("recv on a pipe", recv(p[0], buffer, sizeof buffer, MSG_DONTWAIT));
    CHECK("setsockopt on a pipe", setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &length, sizeof(int)));
    close(p[0]);
    close(p[1]);
    CHECK("bind with a bad address pointer", bind(s, (struct sockaddr *)8, sizeof a));
    CHECK("connect with a bad address pointer", connect(s, (struct sockaddr *)8, sizeof a));
    CHECK("bind with a short address length", bind(s, (struct sockaddr *)&a, 8));
    CHECK("connect with address length 0", connect(s, (struct sockaddr *)&a, 0));
    CHECK("bind an address that is not ours", bind(s, (struct sockaddr *)&nowhere, sizeof nowhere));
    CHECK("accept on a socket that is not listening", accept(s, NULL, NULL));
    CHECK("getpeername of an unconnected socket", getpeername(s, (struct sockaddr *)&a, &length));
    CHECK("recv on an unconnected socket", recv(s, buffer, sizeof buffer, 0));
    CHECK("socket of an unknown type", socket(AF_INET, 77, 0));
    close(s);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    connection();
    refusals();
    bulk();
    datagrams();
    bad_input();
    say("end");
    return 0;
}
