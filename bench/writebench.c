/* writebench: acknowledged writes against one ketentafel node (issue 12), from one process.
 *
 * W writer connections. Closed loop (the default): each writer has one request in flight and
 * sends the next when the reply arrives, so W is the number of concurrent writers. Open loop
 * (--rate R): requests are due at R/s in total, evenly spaced, round-robin over the writers,
 * whatever the replies do, so the latency is that of a server under a steady load. The client
 * sleeps between sends (a timerfd, not a busy loop: on a small machine a spinning client takes
 * the server's CPU and its latency with it), and an open-loop request's latency counts from the
 * moment it was due, not from when it went out: a client or a server that falls behind shows in
 * the figures instead of hiding in fewer samples (coordinated omission). A request is
 * chat.post to --body, or agenda.add to its backlog (--op agenda). Only "ok": true replies count
 * as acknowledged. Figures over --duration seconds after --warmup, with the server's CPU time
 * (--pid) over the same window.
 *
 * Output, key=value pairs for run-writes to collect:
 *   writers= rate= op= acked= errors= unanswered= acked_per_s= p50_us= p90_us= p99_us=
 *   p999_us= max_us= late_sends= send_lag_max_us= unsent= cpu_s= cpu_us_per_write=
 * unanswered: requests of the window with no reply 2 s after it ended; late_sends: open-loop
 * requests that went out more than 1 ms after they were due (the client could not keep up);
 * unsent: open-loop requests of the window that could not go (their writer closed).
 * --trace FILE writes each acknowledged write of the window as "due_ns latency_us" lines
 * (CLOCK_MONOTONIC; a first comment line gives CLOCK_REALTIME minus it, for strace -ttt).
 *
 * Build: cc -O2 -o writebench writebench.c common.c. A benchmark tool: it prints figures and never
 * fails on them; it exits non-zero only when it cannot run. */
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
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_INFLIGHT 4096 /* requests of one writer awaiting their reply (open loop) */

enum state { CONNECTING, UPGRADING, OPEN, READY, CLOSED };

typedef struct writer {
    int fd;
    enum state st;
    char *buf;
    size_t len, cap;
    long long next_id;
    long long sent_at[MAX_INFLIGHT]; /* by id % MAX_INFLIGHT; 0: no request */
    int inflight;
} writer;

static struct {
    int port, writers, duration, warmup, rate, pid;
    long long body;
    const char *cookie, *op, *trace;
} opt = {.writers = 1, .duration = 10, .warmup = 2, .op = "chat"};

static int ep, tick_fd = -1;
static long long window_start, window_end, acked, errors, late_sends, send_lag_max, unsent;
static bench_lat lat;
/* --trace FILE: each acknowledged write of the window as "due_ns latency_us" (CLOCK_MONOTONIC),
 * to line the slow ones up with what the server did then (strace -ttt, perf) */
static long long *trace_due;
static unsigned *trace_lat;
static size_t trace_n, trace_cap;

static void trace_add(long long due, unsigned us)
{
    if (!opt.trace)
        return;
    if (trace_n == trace_cap) {
        size_t cap = trace_cap ? trace_cap * 2 : 4096;
        long long *d = realloc(trace_due, cap * sizeof *d);
        if (d)
            trace_due = d;
        unsigned *l = d ? realloc(trace_lat, cap * sizeof *l) : NULL;
        if (!l)
            return;
        trace_lat = l;
        trace_cap = cap;
    }
    trace_due[trace_n] = due;
    trace_lat[trace_n++] = us;
}

static void close_writer(writer *c)
{
    if (c->st == CLOSED)
        return;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->st = CLOSED;
}

static int start_connect(writer *c)
{
    c->fd = bench_connect(opt.port);
    if (c->fd < 0) {
        c->st = CLOSED;
        return -1;
    }
    c->st = CONNECTING;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    return 0;
}

static void send_upgrade(writer *c)
{
    if (bench_send_upgrade(c->fd, opt.port, opt.cookie, "a3RiZW5jaC13cml0ZWJlbmNo")) {
        close_writer(c);
        return;
    }
    c->st = UPGRADING;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* One write request, due at `due` (ns; its latency counts from then); false when it could not
 * go (too many in flight, or the socket failed). */
static bool send_write(writer *c, long long due)
{
    if (c->st != READY || c->inflight >= MAX_INFLIGHT)
        return false;
    long long id = c->next_id++;
    char req[512];
    int n = strcmp(opt.op, "agenda") == 0
                ? snprintf(req, sizeof req,
                           "{\"id\":%lld,\"op\":\"agenda.add\",\"body\":%lld,\"title\":"
                           "\"Benchpunt %lld-%d\"}",
                           id, opt.body, id, c->fd)
                : snprintf(req, sizeof req,
                           "{\"id\":%lld,\"op\":\"chat.post\",\"body\":%lld,\"text\":"
                           "\"schrijftest %lld\"}",
                           id, opt.body, id);
    long long now = bench_now_ns();
    if (due && due >= window_start && due < window_end) {
        if (now - due > 1000000)
            late_sends++;
        if (now - due > send_lag_max)
            send_lag_max = now - due;
    }
    c->sent_at[id % MAX_INFLIGHT] = due ? due : now;
    if (bench_send_frame(c->fd, 1, req, (size_t)n)) {
        close_writer(c);
        return false;
    }
    c->inflight++;
    return true;
}

static void on_reply(writer *c, const char *p, size_t n)
{
    const char *idp = memmem(p, n, "\"id\":", 5);
    if (!idp)
        return; /* a push, not a reply */
    long long id = strtoll(idp + 5, NULL, 10);
    if (c->st == OPEN) {
        c->st = READY; /* the ping's reply: the session works */
        return;
    }
    long long sent = c->sent_at[id % MAX_INFLIGHT], t = bench_now_ns();
    c->sent_at[id % MAX_INFLIGHT] = 0;
    if (c->inflight > 0)
        c->inflight--;
    bool ok = memmem(p, n, "\"ok\":true", 9) != NULL;
    if (sent >= window_start && sent < window_end) {
        if (!ok) {
            errors++;
        } else {
            acked++;
            bench_lat_add(&lat, (t - sent) / 1000);
            trace_add(sent, (unsigned)((t - sent) / 1000));
        }
    }
    if (!opt.rate && t < window_end)
        send_write(c, 0); /* closed loop: the next one */
}

static void parse_frames(writer *c)
{
    size_t off = 0, whole, n;
    int op;
    const char *p;
    while ((whole = bench_next_frame(c->buf + off, c->len - off, &op, &p, &n))) {
        if (op == 1 || op == 0)
            on_reply(c, p, n);
        else if (op == 9 && n <= 125)
            bench_send_frame(c->fd, 10, p, n); /* pong with the ping's payload */
        else if (op == 8) {
            close_writer(c);
            return;
        }
        off += whole;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
}

static void on_readable(writer *c)
{
    for (;;) {
        if (c->cap - c->len < 65536) {
            size_t cap = c->cap ? c->cap * 2 : 65536;
            char *b = realloc(c->buf, cap);
            if (!b) {
                close_writer(c);
                return;
            }
            c->buf = b;
            c->cap = cap;
        }
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
            close_writer(c);
            return;
        }
        if (r < 0)
            return;
        c->len += (size_t)r;
        if (c->st == UPGRADING) {
            long head = bench_upgrade_reply("writebench", c->buf, c->len);
            if (head == 0)
                continue;
            if (head < 0) {
                close_writer(c);
                return;
            }
            memmove(c->buf, c->buf + head, c->len - (size_t)head);
            c->len -= (size_t)head;
            c->st = OPEN;
            static const char ping[] = "{\"id\":0,\"op\":\"ping\"}";
            bench_send_frame(c->fd, 1, ping, sizeof ping - 1);
            c->next_id = 1;
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
        writer *c = evs[i].data.ptr;
        if (!c) { /* the open loop's timer: the caller sends what is due */
            uint64_t expirations;
            if (read(tick_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
                fprintf(stderr, "writebench: timerfd read: %s\n", strerror(errno));
            continue;
        }
        if (c->st == CLOSED)
            continue;
        if (c->st == CONNECTING) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err || (evs[i].events & (EPOLLERR | EPOLLHUP)))
                close_writer(c);
            else if (evs[i].events & EPOLLOUT)
                send_upgrade(c);
            continue;
        }
        if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
            on_readable(c);
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: writebench --port P --cookie TOKEN --body ID [--writers W] "
                    "[--rate WRITES_PER_S] [--op chat|agenda] [--duration S] [--warmup S] "
                    "[--pid SERVER_PID] [--trace FILE]\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            usage();
            return 2;
        }
        if (!strcmp(a, "--port"))
            opt.port = atoi(v);
        else if (!strcmp(a, "--cookie"))
            opt.cookie = v;
        else if (!strcmp(a, "--body"))
            opt.body = atoll(v);
        else if (!strcmp(a, "--writers"))
            opt.writers = atoi(v);
        else if (!strcmp(a, "--rate"))
            opt.rate = atoi(v);
        else if (!strcmp(a, "--op"))
            opt.op = v;
        else if (!strcmp(a, "--duration"))
            opt.duration = atoi(v);
        else if (!strcmp(a, "--warmup"))
            opt.warmup = atoi(v);
        else if (!strcmp(a, "--pid"))
            opt.pid = atoi(v);
        else if (!strcmp(a, "--trace"))
            opt.trace = v;
        else {
            usage();
            return 2;
        }
    }
    if (opt.port <= 0 || !opt.cookie || opt.body <= 0 || opt.writers < 1 || opt.duration < 1 ||
        opt.rate < 0 || (strcmp(opt.op, "chat") && strcmp(opt.op, "agenda"))) {
        usage();
        return 2;
    }
    ep = epoll_create1(0);
    writer *ws = calloc((size_t)opt.writers, sizeof *ws);
    if (!ws)
        return 1;
    for (int i = 0; i < opt.writers; i++)
        start_connect(&ws[i]);
    long long deadline = bench_now_ns() + 60 * 1000000000LL;
    for (;;) {
        int ready = 0, closed = 0;
        for (int i = 0; i < opt.writers; i++) {
            ready += ws[i].st == READY;
            closed += ws[i].st == CLOSED;
        }
        if (ready + closed == opt.writers)
            break;
        if (bench_now_ns() > deadline) {
            fprintf(stderr, "writebench: connecting timed out\n");
            return 1;
        }
        pump(10);
    }
    long long start = bench_now_ns();
    window_start = start + (long long)opt.warmup * 1000000000LL;
    window_end = window_start + (long long)opt.duration * 1000000000LL;
    double cpu0 = -1, cpu1 = -1;
    if (!opt.rate)
        for (int i = 0; i < opt.writers; i++)
            send_write(&ws[i], 0);
    long long interval = opt.rate ? 1000000000LL / opt.rate : 0, next = start, k = 0;
    if (opt.rate) { /* wakes the loop at every due time (sends made late go out at once) */
        tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
        struct itimerspec its = {.it_interval = {interval / 1000000000LL, interval % 1000000000LL},
                                 .it_value = {0, 1}};
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
        if (tick_fd < 0 || timerfd_settime(tick_fd, 0, &its, NULL) ||
            epoll_ctl(ep, EPOLL_CTL_ADD, tick_fd, &ev)) {
            fprintf(stderr, "writebench: timerfd: %s\n", strerror(errno));
            return 1;
        }
    }
    while (bench_now_ns() < window_end) {
        long long t = bench_now_ns();
        if (cpu0 < 0 && t >= window_start && opt.pid)
            cpu0 = bench_cpu_seconds(opt.pid);
        while (opt.rate && next <= t) {
            if (!send_write(&ws[k++ % opt.writers], next) && next >= window_start &&
                next < window_end)
                unsent++; /* its writer is closed, or has MAX_INFLIGHT waiting */
            next += interval;
        }
        pump(5);
    }
    if (opt.pid)
        cpu1 = bench_cpu_seconds(opt.pid);
    for (long long drain = bench_now_ns() + 2000000000LL; bench_now_ns() < drain;)
        pump(10);
    long long unanswered = 0;
    for (int i = 0; i < opt.writers; i++)
        for (int j = 0; j < MAX_INFLIGHT; j++)
            unanswered += ws[i].sent_at[j] >= window_start && ws[i].sent_at[j] < window_end;
    bench_lat_sort(&lat);
    printf("writers=%d rate=%d op=%s acked=%lld errors=%lld unanswered=%lld acked_per_s=%.0f "
           "p50_us=%u p90_us=%u p99_us=%u p999_us=%u max_us=%u late_sends=%lld "
           "send_lag_max_us=%lld unsent=%lld",
           opt.writers, opt.rate, opt.op, acked, errors, unanswered, (double)acked / opt.duration,
           bench_lat_pct(&lat, 0.5), bench_lat_pct(&lat, 0.9), bench_lat_pct(&lat, 0.99),
           bench_lat_pct(&lat, 0.999), bench_lat_max(&lat), late_sends, send_lag_max / 1000,
           unsent);
    if (cpu0 >= 0 && cpu1 >= 0)
        printf(" cpu_s=%.2f cpu_us_per_write=%.1f", cpu1 - cpu0,
               acked ? 1e6 * (cpu1 - cpu0) / (double)acked : 0.0);
    printf("\n");
    if (opt.trace) {
        FILE *f = fopen(opt.trace, "w");
        if (!f) {
            fprintf(stderr, "writebench: %s: %s\n", opt.trace, strerror(errno));
            return 1;
        }
        struct timespec rt;
        clock_gettime(CLOCK_REALTIME, &rt);
        /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns: to compare with strace -ttt */
        fprintf(f, "# realtime_minus_monotonic_ns %lld\n",
                rt.tv_sec * 1000000000LL + rt.tv_nsec - bench_now_ns());
        for (size_t i = 0; i < trace_n; i++)
            fprintf(f, "%lld %u\n", trace_due[i], trace_lat[i]);
        fclose(f);
    }
    return 0;
}
