/* nodebench: fan-out across several ketentafel nodes (issue 4), driven from one process so that
 * every figure comes from one clock and one measured window.
 *
 * N subscribers are spread round-robin over the nodes' ports; each subscribes to one body. One
 * publisher per node posts chat.post with "KTTS<CLOCK_MONOTONIC ns>" in the text; together they
 * post --rate posts/s. Every subscriber receives every post, whichever node it was posted on:
 * with more than one node that is the Redis bus at work. For the posts sent in the measured
 * window it counts deliveries and their latency (receive time - send time), and it reads the CPU
 * time of the given processes (nodes, redis-server) over the same window.
 *
 * Output, key=value pairs for run-nodes to collect:
 *   ready= closed= connect_s= sent= expected= received= loss_pct=
 *   deliveries_per_s= p50_us= p90_us= p99_us= max_us=
 *   cpu_s_<pid>= (each --pid) cpu_us_per_delivery= (all of them together)
 *
 * Build: cc -O2 -o nodebench nodebench.c common.c. A benchmark tool: it prints figures and never
 * fails on them; it exits non-zero only when it cannot run (bad arguments, nothing connects). */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_NODES          8
#define MAX_PIDS           8
#define CONNECTS_IN_FLIGHT 200

enum state { CONNECTING, UPGRADING, OPEN, READY, CLOSED };

typedef struct client {
    int fd;
    enum state st;
    int node;
    bool publisher;
    char *buf; /* bytes received and not yet parsed */
    size_t len, cap;
} client;

static struct {
    int ports[MAX_NODES], n_nodes;
    int pids[MAX_PIDS], n_pids;
    int clients, rate, duration, warmup;
    long long body;
    const char *cookie;
} opt = {.clients = 1000, .rate = 10, .duration = 10, .warmup = 2};

static int ep;
static long long window_start, window_end; /* posts sent in [start, end) are measured */
static long long received;
static bench_lat lat;

static void close_client(client *c)
{
    if (c->st == CLOSED)
        return;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->st = CLOSED;
}

static int start_connect(client *c)
{
    c->fd = bench_connect(opt.ports[c->node]);
    if (c->fd < 0) {
        c->st = CLOSED;
        return -1;
    }
    c->st = CONNECTING;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    return 0;
}

static void send_upgrade(client *c)
{
    if (bench_send_upgrade(c->fd, opt.ports[c->node], opt.cookie, "a3RiZW5jaC1ub2RlYmVuY2g=")) {
        close_client(c);
        return;
    }
    c->st = UPGRADING;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void on_text(client *c, const char *p, size_t n)
{
    if (c->st == OPEN && memmem(p, n, "\"ok\":true", 9)) {
        c->st = READY;
        return;
    }
    if (c->publisher)
        return;
    const char *m = memmem(p, n, "KTTS", 4);
    if (!m)
        return;
    long long ts = 0;
    for (const char *q = m + 4; q < p + n && *q >= '0' && *q <= '9'; q++)
        ts = ts * 10 + (*q - '0');
    if (ts < window_start || ts >= window_end)
        return;
    received++;
    bench_lat_add(&lat, (bench_now_ns() - ts) / 1000);
}

/* Parses the complete frames in c->buf (server frames are never masked). */
static void parse_frames(client *c)
{
    size_t off = 0, whole, n;
    int op;
    const char *p;
    while ((whole = bench_next_frame(c->buf + off, c->len - off, &op, &p, &n))) {
        if (op == 1 || op == 0)
            on_text(c, p, n);
        else if (op == 9 && n <= 125)
            bench_send_frame(c->fd, 10, p, n); /* pong with the ping's payload */
        else if (op == 8) {
            close_client(c);
            return;
        }
        off += whole;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
}

static void on_readable(client *c)
{
    for (;;) {
        if (c->cap - c->len < 65536) {
            size_t cap = c->cap ? c->cap * 2 : 65536;
            char *b = realloc(c->buf, cap);
            if (!b) {
                close_client(c);
                return;
            }
            c->buf = b;
            c->cap = cap;
        }
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
            close_client(c);
            return;
        }
        if (r < 0)
            return;
        c->len += (size_t)r;
        if (c->st == UPGRADING) {
            long head = bench_upgrade_reply("nodebench", c->buf, c->len);
            if (head == 0)
                continue;
            if (head < 0) {
                close_client(c);
                return;
            }
            memmove(c->buf, c->buf + head, c->len - (size_t)head);
            c->len -= (size_t)head;
            c->st = OPEN;
            char sub[128];
            int n = snprintf(sub, sizeof sub, "{\"id\":1,\"op\":\"subscribe\",\"body\":%lld}",
                             opt.body);
            if (c->publisher)
                n = snprintf(sub, sizeof sub, "{\"id\":1,\"op\":\"ping\"}");
            bench_send_frame(c->fd, 1, sub, (size_t)n);
        }
        parse_frames(c);
        if (c->st == CLOSED)
            return;
    }
}

static void pump(int ms)
{
    struct epoll_event evs[512];
    int n = epoll_wait(ep, evs, 512, ms);
    for (int i = 0; i < n; i++) {
        client *c = evs[i].data.ptr;
        if (c->st == CLOSED)
            continue;
        if (c->st == CONNECTING) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err || (evs[i].events & (EPOLLERR | EPOLLHUP)))
                close_client(c);
            else if (evs[i].events & EPOLLOUT)
                send_upgrade(c);
            continue;
        }
        if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            on_readable(c);
    }
}

static int parse_list(const char *s, int *out, int max)
{
    int n = 0;
    for (const char *p = s; *p && n < max;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v <= 0)
            return -1;
        out[n++] = (int)v;
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return n;
}

static void usage(void)
{
    fprintf(stderr, "usage: nodebench --ports P1,P2 --cookie TOKEN --body ID [--clients N] "
                    "[--rate POSTS_PER_S] [--duration S] [--warmup S] [--pids PID,PID]\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage();
            return 2;
        }
        i++;
        if (!strcmp(a, "--ports"))
            opt.n_nodes = parse_list(v, opt.ports, MAX_NODES);
        else if (!strcmp(a, "--pids"))
            opt.n_pids = parse_list(v, opt.pids, MAX_PIDS);
        else if (!strcmp(a, "--cookie"))
            opt.cookie = v;
        else if (!strcmp(a, "--body"))
            opt.body = atoll(v);
        else if (!strcmp(a, "--clients"))
            opt.clients = atoi(v);
        else if (!strcmp(a, "--rate"))
            opt.rate = atoi(v);
        else if (!strcmp(a, "--duration"))
            opt.duration = atoi(v);
        else if (!strcmp(a, "--warmup"))
            opt.warmup = atoi(v);
        else {
            usage();
            return 2;
        }
    }
    if (opt.n_nodes <= 0 || opt.n_pids < 0 || !opt.cookie || opt.body <= 0 || opt.clients < 1 ||
        opt.rate < 1 || opt.duration < 1 || opt.warmup < 0) {
        usage();
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    ep = epoll_create1(0);

    /* subscribers 0..N-1 round-robin over the nodes, then one publisher per node */
    int total = opt.clients + opt.n_nodes;
    client *cs = calloc((size_t)total, sizeof *cs);
    if (!cs)
        return 1;
    for (int i = 0; i < total; i++) {
        cs[i].node = i < opt.clients ? i % opt.n_nodes : i - opt.clients;
        cs[i].publisher = i >= opt.clients;
        cs[i].st = CLOSED;
    }
    long long t0 = bench_now_ns();
    int started = 0, ready = 0, closed = 0;
    for (;;) {
        int in_flight = 0;
        ready = closed = 0;
        for (int i = 0; i < started; i++) {
            in_flight += cs[i].st == CONNECTING || cs[i].st == UPGRADING || cs[i].st == OPEN;
            ready += cs[i].st == READY;
            closed += cs[i].st == CLOSED;
        }
        while (started < total && in_flight < CONNECTS_IN_FLIGHT) {
            start_connect(&cs[started++]);
            in_flight++;
        }
        if (started == total && ready + closed == total)
            break;
        if (bench_now_ns() - t0 > 180 * 1000000000LL) {
            fprintf(stderr, "nodebench: connecting timed out: %d ready, %d closed\n", ready,
                    closed);
            break;
        }
        pump(10);
    }
    double connect_s = (double)(bench_now_ns() - t0) / 1e9;
    int subs_ready = 0;
    for (int i = 0; i < opt.clients; i++)
        subs_ready += cs[i].st == READY;
    for (int i = opt.clients; i < total; i++)
        if (cs[i].st != READY) {
            fprintf(stderr, "nodebench: publisher for port %d not ready\n", opt.ports[cs[i].node]);
            return 1;
        }
    for (int i = 0; i < 50; i++)
        pump(10); /* settle */

    /* Post round-robin over the publishers at opt.rate in total. */
    long long start = bench_now_ns(), interval = 1000000000LL / opt.rate, next = start, n_msg = 0;
    window_start = start + (long long)opt.warmup * 1000000000LL;
    window_end = window_start + (long long)opt.duration * 1000000000LL;
    long long sent = 0;
    double cpu0[MAX_PIDS], cpu1[MAX_PIDS];
    bool cpu_started = false;
    while (bench_now_ns() < window_end) {
        long long t = bench_now_ns();
        if (!cpu_started && t >= window_start) {
            for (int i = 0; i < opt.n_pids; i++)
                cpu0[i] = bench_cpu_seconds(opt.pids[i]);
            cpu_started = true;
        }
        while (next <= t) {
            client *pub = &cs[opt.clients + n_msg % opt.n_nodes];
            long long ts = bench_now_ns();
            char post[256];
            int n =
                snprintf(post, sizeof post,
                         "{\"id\":%lld,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"KTTS%lld\"}",
                         n_msg + 2, opt.body, ts);
            if (pub->st == READY && bench_send_frame(pub->fd, 1, post, (size_t)n) == 0 &&
                ts >= window_start && ts < window_end)
                sent++;
            n_msg++;
            next += interval;
        }
        pump(1);
    }
    for (int i = 0; i < opt.n_pids; i++)
        cpu1[i] = bench_cpu_seconds(opt.pids[i]);
    for (long long drain = bench_now_ns() + 3000000000LL; bench_now_ns() < drain;)
        pump(10);

    bench_lat_sort(&lat);
    long long expected = sent * subs_ready;
    int subs_closed = 0;
    for (int i = 0; i < opt.clients; i++)
        subs_closed += cs[i].st == CLOSED;
    printf("nodes=%d clients=%d ready=%d closed=%d connect_s=%.2f rate=%d duration=%d\n",
           opt.n_nodes, opt.clients, subs_ready, subs_closed, connect_s, opt.rate, opt.duration);
    printf("sent=%lld expected=%lld received=%lld loss_pct=%.4f\n", sent, expected, received,
           expected ? 100.0 * (double)(expected - received) / (double)expected : 0.0);
    printf("deliveries_per_s=%.0f p50_us=%u p90_us=%u p99_us=%u max_us=%u\n",
           (double)received / opt.duration, bench_lat_pct(&lat, 0.5), bench_lat_pct(&lat, 0.9),
           bench_lat_pct(&lat, 0.99), bench_lat_max(&lat));
    double cpu_total = 0;
    for (int i = 0; i < opt.n_pids; i++) {
        double d = cpu0[i] >= 0 && cpu1[i] >= 0 ? cpu1[i] - cpu0[i] : 0;
        cpu_total += d;
        printf("cpu_s_%d=%.2f ", opt.pids[i], d);
    }
    if (opt.n_pids && received)
        printf("cpu_us_per_delivery=%.2f", 1e6 * cpu_total / (double)received);
    printf("\n");
    return 0;
}
