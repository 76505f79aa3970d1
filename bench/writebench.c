/* writebench: acknowledged writes against one ketentafel node (issue 12), from one process.
 *
 * W writer connections. Closed loop (the default): each writer has one request in flight and
 * sends the next when the reply arrives, so W is the number of concurrent writers. Open loop
 * (--rate R): requests go out at R/s in total, round-robin over the writers, whatever the
 * replies do, so the latency is that of a server under a steady load. A request is
 * chat.post to --body, or agenda.add to its backlog (--op agenda). Only "ok": true replies count
 * as acknowledged; their latency is reply time - send time. Figures over --duration seconds
 * after --warmup, with the server's CPU time (--pid) over the same window.
 *
 * Output, key=value pairs for run-writes to collect:
 *   writers= rate= op= acked= errors= acked_per_s= p50_us= p90_us= p99_us= max_us=
 *   cpu_s= cpu_us_per_write=
 *
 * Build: cc -O2 -o writebench writebench.c. A benchmark tool: it prints figures and never fails
 * on them; it exits non-zero only when it cannot run. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
    const char *cookie, *op;
} opt = {.writers = 1, .duration = 10, .warmup = 2, .op = "chat"};

static int ep;
static long long window_start, window_end, acked, errors;
static uint32_t *lat;
static size_t n_lat, lat_cap;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static double cpu_seconds(int pid)
{
    char path[64], b[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(b, 1, sizeof b - 1, f);
    fclose(f);
    b[n] = 0;
    char *p = strrchr(b, ')');
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int send_all(int fd, const char *b, size_t n)
{
    while (n) {
        ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_frame(writer *c, int opcode, const char *payload, size_t n)
{
    static const unsigned char mask[4] = {0x6b, 0x74, 0x77, 0x62};
    char frame[1024 + 14];
    size_t h = 0;
    if (n > 1024)
        return -1;
    frame[h++] = (char)(0x80 | opcode);
    if (n < 126) {
        frame[h++] = (char)(0x80 | n);
    } else {
        frame[h++] = (char)(0x80 | 126);
        frame[h++] = (char)(n >> 8);
        frame[h++] = (char)n;
    }
    memcpy(frame + h, mask, 4);
    h += 4;
    for (size_t i = 0; i < n; i++)
        frame[h + i] = (char)(payload[i] ^ mask[i & 3]);
    return send_all(c->fd, frame, h + n);
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
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        close(c->fd);
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
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: a3RiZW5jaC13cml0ZWJlbmNo\r\n"
                     "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:%d\r\n"
                     "Cookie: kt_session=%s\r\n\r\n",
                     opt.port, opt.port, opt.cookie);
    if (send_all(c->fd, req, (size_t)n)) {
        close_writer(c);
        return;
    }
    c->st = UPGRADING;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* One write request; false when it could not go (too many in flight, or the socket failed). */
static bool send_write(writer *c)
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
    c->sent_at[id % MAX_INFLIGHT] = now_ns();
    if (send_frame(c, 1, req, (size_t)n)) {
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
    long long sent = c->sent_at[id % MAX_INFLIGHT], t = now_ns();
    c->sent_at[id % MAX_INFLIGHT] = 0;
    if (c->inflight > 0)
        c->inflight--;
    bool ok = memmem(p, n, "\"ok\":true", 9) != NULL;
    if (sent >= window_start && sent < window_end) {
        if (!ok) {
            errors++;
        } else {
            acked++;
            long long us = (t - sent) / 1000;
            if (n_lat == lat_cap) {
                lat_cap = lat_cap ? lat_cap * 2 : 1 << 16;
                lat = realloc(lat, lat_cap * sizeof *lat);
                if (!lat)
                    exit(1);
            }
            lat[n_lat++] = us > 0xffffffffLL ? 0xffffffffu : (uint32_t)us;
        }
    }
    if (!opt.rate && t < window_end)
        send_write(c); /* closed loop: the next one */
}

static void parse_frames(writer *c)
{
    size_t off = 0;
    for (;;) {
        unsigned char *b = (unsigned char *)c->buf + off;
        size_t have = c->len - off, h = 2;
        if (have < 2)
            break;
        size_t n = b[1] & 0x7f;
        if (n == 126) {
            if (have < 4)
                break;
            n = (size_t)b[2] << 8 | b[3];
            h = 4;
        } else if (n == 127) {
            if (have < 10)
                break;
            n = 0;
            for (int i = 2; i < 10; i++)
                n = n << 8 | b[i];
            h = 10;
        }
        if (have < h + n)
            break;
        int op = b[0] & 0x0f;
        if (op == 1 || op == 0)
            on_reply(c, (char *)b + h, n);
        else if (op == 9 && n <= 125)
            send_frame(c, 10, (char *)b + h, n);
        else if (op == 8) {
            close_writer(c);
            return;
        }
        off += h + n;
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
            char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
            if (!end)
                continue;
            if (strncmp(c->buf, "HTTP/1.1 101", 12) != 0) {
                fprintf(stderr, "writebench: upgrade refused: %.60s\n", c->buf);
                close_writer(c);
                return;
            }
            size_t head = (size_t)(end + 4 - c->buf);
            memmove(c->buf, c->buf + head, c->len - head);
            c->len -= head;
            c->st = OPEN;
            static const char ping[] = "{\"id\":0,\"op\":\"ping\"}";
            send_frame(c, 1, ping, sizeof ping - 1);
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

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void usage(void)
{
    fprintf(stderr, "usage: writebench --port P --cookie TOKEN --body ID [--writers W] "
                    "[--rate WRITES_PER_S] [--op chat|agenda] [--duration S] [--warmup S] "
                    "[--pid SERVER_PID]\n");
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
    long long deadline = now_ns() + 60 * 1000000000LL;
    for (;;) {
        int ready = 0, closed = 0;
        for (int i = 0; i < opt.writers; i++) {
            ready += ws[i].st == READY;
            closed += ws[i].st == CLOSED;
        }
        if (ready + closed == opt.writers)
            break;
        if (now_ns() > deadline) {
            fprintf(stderr, "writebench: connecting timed out\n");
            return 1;
        }
        pump(10);
    }
    long long start = now_ns();
    window_start = start + (long long)opt.warmup * 1000000000LL;
    window_end = window_start + (long long)opt.duration * 1000000000LL;
    double cpu0 = -1, cpu1 = -1;
    if (!opt.rate)
        for (int i = 0; i < opt.writers; i++)
            send_write(&ws[i]);
    long long interval = opt.rate ? 1000000000LL / opt.rate : 0, next = start, k = 0;
    while (now_ns() < window_end) {
        long long t = now_ns();
        if (cpu0 < 0 && t >= window_start && opt.pid)
            cpu0 = cpu_seconds(opt.pid);
        while (opt.rate && next <= t) {
            send_write(&ws[k++ % opt.writers]);
            next += interval;
        }
        pump(opt.rate ? 0 : 5);
    }
    if (opt.pid)
        cpu1 = cpu_seconds(opt.pid);
    for (long long drain = now_ns() + 2000000000LL; now_ns() < drain;)
        pump(10);
    qsort(lat, n_lat, sizeof *lat, cmp_u32);
#define PCT(p) (n_lat ? lat[(size_t)((p) * (double)(n_lat - 1))] : 0)
    printf("writers=%d rate=%d op=%s acked=%lld errors=%lld acked_per_s=%.0f p50_us=%u "
           "p90_us=%u p99_us=%u max_us=%u",
           opt.writers, opt.rate, opt.op, acked, errors, (double)acked / opt.duration, PCT(0.5),
           PCT(0.9), PCT(0.99), n_lat ? lat[n_lat - 1] : 0);
    if (cpu0 >= 0 && cpu1 >= 0)
        printf(" cpu_s=%.2f cpu_us_per_write=%.1f", cpu1 - cpu0,
               acked ? 1e6 * (cpu1 - cpu0) / (double)acked : 0.0);
    printf("\n");
    return 0;
}
