/* manybench: many bodies, each subscribed to by a few of many connections (issue 15), driven
 * from one process (plus helper processes for idle connections) against one ketentafel node.
 *
 * Three kinds of connection share one session cookie:
 *   - C active subscribers, each subscribed to S distinct bodies drawn at random from --hot;
 *   - N idle connections, each subscribed to S bodies drawn from --idle-bodies, which get no
 *     posts; they only answer the server's keepalive pings. They live in --idle-procs helper
 *     processes (a process holds at most ~20,000 sockets here), so the open-file limit of one
 *     process does not cap them;
 *   - P publishers, posting chat.post into random --hot bodies at --rate posts/s in total, with
 *     "KTTS<CLOCK_MONOTONIC ns>" in the text.
 * With one body in --hot and S = 1 this is the one-body fan-out; with C = 0 and N > 0 it is the
 * idle control: posts cost the server what they cost, whatever else is open.
 *
 * For the posts sent in the measured window it counts deliveries and their latency (receive time
 * - send time); "expected" is, per post, the number of ready subscribers of its body. It reads the
 * server's CPU time (/proc/PID/stat) over the same window, its RSS before connecting and after
 * everything is connected and subscribed, and its own CPU time (and its helpers') so that a
 * client bottleneck shows.
 *
 * Output, key=value pairs for run-bodies to collect:
 *   clients= subs= idle= ready= idle_ready= closed= idle_closed= connect_s=
 *   rss_kib_before= rss_kib_after= rss_kib_per_conn= server_fds=
 *   sent= expected= received= loss_pct= posts_per_s= deliveries_per_s=
 *   p50_us= p90_us= p99_us= max_us=
 *   server_cpu_s= server_cpu_pct= cpu_us_per_post= cpu_us_per_delivery= client_cpu_pct=
 *   pings= idle_pings= idle_closed_end= idle_requested= heartbeat_s= heartbeats= idle_heartbeats=
 *   reply_bytes= delivery_bytes= (mean payload sizes of the publisher's replies and of the
 *   deliveries, so that bench/floor_bodies.c can send the same bytes as the server it stands for)
 *
 * With --heartbeat S every connection opens /ws?heartbeat=S, as the web client does (PROTOCOL.md,
 * heartbeats): the server then sends it a heartbeat frame whenever it sent it nothing for S
 * seconds, and pings it only after a minute of silence (a browser answers pings by itself, as
 * manybench does). heartbeats= counts the heartbeat frames the connections received.
 *
 * The server can hold only as many connections as its open-file limit leaves room for (it keeps
 * 32 descriptors for itself and closes connections beyond that at once); with --pid, --idle is
 * lowered to what fits, and idle_requested= says what was asked for.
 *
 * Build: cc -O2 -o manybench manybench.c common.c. A benchmark tool: it prints figures and never
 * fails on them; it exits non-zero only when it cannot run (bad arguments, the publisher cannot
 * connect). */
#define _GNU_SOURCE
#include "common.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SUBS           16
#define MAX_PROCS          8
#define CONNECTS_IN_FLIGHT 200
#define CONNECT_TIMEOUT_S  300

enum state { CONNECTING, UPGRADING, SUBSCRIBING, READY, CLOSED };

typedef struct client {
    int fd;
    enum state st;
    bool publisher;
    int n_subs, n_ok;
    int bodies[MAX_SUBS]; /* indexes into the body list this client draws from */
    char *buf;            /* bytes received and not yet parsed */
    size_t len, cap;
} client;

typedef struct body_list {
    long long *id;
    int n;
} body_list;

static struct {
    int port, pid;
    const char *cookie;
    body_list hot, idle_bodies;
    int clients, subs, idle, idle_procs, publishers, duration, warmup, heartbeat;
    double rate;
    unsigned seed;
    bool dutch; /* --dutch: posts carry a Dutch sentence after the timestamp (the search index) */
} opt = {.subs = 3, .publishers = 1, .duration = 10, .warmup = 2, .rate = 10, .seed = 15};

static int ep;
static long long window_start, window_end; /* posts sent in [start, end) are measured */
static long long received, pings, heartbeats;
static long long reply_n, reply_sum, delivery_n, delivery_sum; /* payload bytes, for the means */
static bench_lat lat;
static int *hot_ready;        /* per hot body: ready subscribers in this process */
static int n_ready, n_closed; /* clients of this process that are READY / CLOSED */

/* busy and total jiffies of the whole machine, from /proc/stat */
static void machine_jiffies(double *busy, double *total)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    *busy = *total = 0;
    if (!f)
        return;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &v[6], &v[7]) == 8) {
        *busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
        *total = *busy + (double)(v[3] + v[4]);
    }
    fclose(f);
}

/* VmRSS of a process in KiB; -1 if it is gone */
static long rss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static int open_fds(int pid)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "ls /proc/%d/fd 2>/dev/null | wc -l", pid);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

/* The soft open-file limit of a process, from /proc/PID/limits; -1 if unknown */
static long nofile_limit(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/limits", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long soft = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Max open files %ld", &soft) == 1)
            break;
    fclose(f);
    return soft;
}

static void close_client(client *c)
{
    if (c->st == CLOSED)
        return;
    if (c->st == READY && !c->publisher && hot_ready)
        for (int i = 0; i < c->n_subs; i++)
            hot_ready[c->bodies[i]]--;
    n_ready -= c->st == READY;
    n_closed++;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->st = CLOSED;
}

static int start_connect(client *c)
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

static void send_upgrade(client *c)
{
    char path[32] = "/ws";
    if (opt.heartbeat)
        snprintf(path, sizeof path, "/ws?heartbeat=%d", opt.heartbeat);
    if (bench_send_upgrade_path(c->fd, opt.port, opt.cookie, "a3RiZW5jaC1tYW55Ym9kaWU=", path)) {
        close_client(c);
        return;
    }
    c->st = UPGRADING;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Subscribes to the client's bodies, or (a publisher) asks for one ping reply. */
static void start_session(client *c, const body_list *from)
{
    char msg[128];
    c->st = SUBSCRIBING;
    if (c->publisher) {
        int n = snprintf(msg, sizeof msg, "{\"id\":1,\"op\":\"ping\"}");
        c->n_subs = 1;
        bench_send_frame(c->fd, 1, msg, (size_t)n);
        return;
    }
    for (int i = 0; i < c->n_subs; i++) {
        int n = snprintf(msg, sizeof msg, "{\"id\":%d,\"op\":\"subscribe\",\"body\":%lld}", i + 1,
                         from->id[c->bodies[i]]);
        if (bench_send_frame(c->fd, 1, msg, (size_t)n)) {
            close_client(c);
            return;
        }
    }
}

static void on_reply(client *c, const char *p, size_t n)
{
    if (!memmem(p, n, "\"ok\":true", 9)) {
        fprintf(stderr, "manybench: refused: %.*s\n", (int)(n > 200 ? 200 : n), p);
        close_client(c);
        return;
    }
    if (++c->n_ok < c->n_subs)
        return;
    c->st = READY;
    n_ready++;
    if (!c->publisher && hot_ready)
        for (int i = 0; i < c->n_subs; i++)
            hot_ready[c->bodies[i]]++;
}

static void on_text(client *c, const char *p, size_t n)
{
    if (n > 13 && memcmp(p, "{\"heartbeat\":", 13) == 0) {
        heartbeats++;
        return;
    }
    if (c->st == SUBSCRIBING && memmem(p, n, "\"ok\":", 5)) {
        on_reply(c, p, n);
        return;
    }
    if (c->publisher) {
        reply_n++;
        reply_sum += (long long)n;
        return;
    }
    const char *m = memmem(p, n, "KTTS", 4);
    if (!m)
        return;
    delivery_n++;
    delivery_sum += (long long)n;
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
        if (op == 1 || op == 0) {
            on_text(c, p, n);
        } else if (op == 9 && n <= 125) {
            pings++;
            bench_send_frame(c->fd, 10, p, n); /* pong with the ping's payload */
        } else if (op == 8) {
            close_client(c);
            return;
        }
        if (c->st == CLOSED)
            return;
        off += whole;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
}

static void on_readable(client *c, const body_list *from)
{
    for (;;) {
        if (c->cap - c->len < 16384) {
            size_t cap = c->cap ? c->cap * 2 : 16384;
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
            long head = bench_upgrade_reply("manybench", c->buf, c->len);
            if (head == 0)
                continue;
            if (head < 0) {
                close_client(c);
                return;
            }
            memmove(c->buf, c->buf + head, c->len - (size_t)head);
            c->len -= (size_t)head;
            start_session(c, from);
            if (c->st == CLOSED)
                return;
        }
        parse_frames(c);
        if (c->st == CLOSED)
            return;
    }
}

/* Waits up to ms for socket events; true when the helper's stop pipe (data.ptr NULL) is ready. */
static bool pump(int ms, const body_list *from)
{
    struct epoll_event evs[512];
    int n = epoll_wait(ep, evs, 512, ms);
    bool ctl = false;
    for (int i = 0; i < n; i++) {
        if (evs[i].data.ptr == NULL) {
            ctl = true;
            continue;
        }
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
            on_readable(c, from);
    }
    return ctl;
}

/* Draws n distinct indexes below max into out (n <= max). */
static void draw_distinct(int *out, int n, int max)
{
    for (int i = 0; i < n; i++) {
        int v;
        bool dup;
        do {
            v = rand() % max;
            dup = false;
            for (int j = 0; j < i; j++)
                dup |= out[j] == v;
        } while (dup);
        out[i] = v;
    }
}

/* Connects cs[0..n) (CONNECTS_IN_FLIGHT at a time) until each is READY or CLOSED. */
static void connect_all(client *cs, int n, const body_list *from)
{
    long long t0 = bench_now_ns();
    int started = 0, base = n_ready + n_closed; /* the counters are per process */
    for (;;) {
        int done = n_ready + n_closed - base, in_flight = started - done;
        while (started < n && in_flight < CONNECTS_IN_FLIGHT) {
            if (start_connect(&cs[started++]))
                n_closed++;
            in_flight++;
        }
        if (started == n && n_ready + n_closed - base >= n)
            return;
        if (bench_now_ns() - t0 > CONNECT_TIMEOUT_S * 1000000000LL) {
            fprintf(stderr, "manybench: connecting timed out: %d of %d done\n", done, n);
            return;
        }
        pump(10, from);
    }
}

static void count(const client *cs, int n, int *ready, int *closed)
{
    *ready = *closed = 0;
    for (int i = 0; i < n; i++) {
        *ready += cs[i].st == READY;
        *closed += cs[i].st == CLOSED;
    }
}

/* ---- idle helpers: each holds a share of the idle connections until its stop pipe closes */

typedef struct helper {
    pid_t pid;
    int result_fd, stop_fd;
    int ready, closed, closed_end;
    long long pings, heartbeats;
} helper;

static void helper_main(int first, int n, int result_fd, int stop_fd)
{
    ep = epoll_create1(0);
    srand(opt.seed * 7919u + (unsigned)first);
    client *cs = calloc((size_t)n, sizeof *cs);
    if (!cs)
        _exit(1);
    for (int i = 0; i < n; i++) {
        cs[i].st = CLOSED;
        cs[i].n_subs = opt.subs < opt.idle_bodies.n ? opt.subs : opt.idle_bodies.n;
        draw_distinct(cs[i].bodies, cs[i].n_subs, opt.idle_bodies.n);
    }
    connect_all(cs, n, &opt.idle_bodies);
    int ready, closed;
    count(cs, n, &ready, &closed);
    dprintf(result_fd, "ready %d closed %d\n", ready, closed);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &ev);
    while (!pump(1000, &opt.idle_bodies))
        ;
    count(cs, n, &ready, &closed);
    dprintf(result_fd, "end ready %d closed %d pings %lld heartbeats %lld\n", ready, closed, pings,
            heartbeats);
    _exit(0);
}

static int read_line(int fd, char *buf, size_t cap, int timeout_ms)
{
    size_t len = 0;
    while (len + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0)
            break;
        ssize_t r = read(fd, buf + len, 1);
        if (r <= 0)
            break;
        if (buf[len++] == '\n')
            break;
    }
    buf[len] = 0;
    return (int)len;
}

static int start_helpers(helper *hs, int k)
{
    int first = 0;
    for (int i = 0; i < k; i++) {
        int share = opt.idle / k + (i < opt.idle % k);
        int res[2], stop[2];
        if (pipe(res) || pipe(stop))
            return -1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            close(res[0]);
            close(stop[1]);
            for (int j = 0; j < i; j++) {
                close(hs[j].result_fd);
                close(hs[j].stop_fd);
            }
            helper_main(first, share, res[1], stop[0]);
        }
        close(res[1]);
        close(stop[0]);
        hs[i] = (helper){.pid = pid, .result_fd = res[0], .stop_fd = stop[1]};
        first += share;
    }
    for (int i = 0; i < k; i++) {
        char line[128];
        read_line(hs[i].result_fd, line, sizeof line, CONNECT_TIMEOUT_S * 1000 + 10000);
        if (sscanf(line, "ready %d closed %d", &hs[i].ready, &hs[i].closed) != 2)
            fprintf(stderr, "manybench: idle helper %d did not report\n", i);
    }
    return 0;
}

static void stop_helpers(helper *hs, int k)
{
    for (int i = 0; i < k; i++)
        close(hs[i].stop_fd);
    for (int i = 0; i < k; i++) {
        char line[128];
        int ready = 0;
        read_line(hs[i].result_fd, line, sizeof line, 60000);
        if (sscanf(line, "end ready %d closed %d pings %lld heartbeats %lld", &ready,
                   &hs[i].closed_end, &hs[i].pings, &hs[i].heartbeats) != 4)
            fprintf(stderr, "manybench: idle helper %d did not report at the end\n", i);
        close(hs[i].result_fd);
        waitpid(hs[i].pid, NULL, 0);
    }
}

/* ---- arguments */

static int parse_ids(const char *s, body_list *out)
{
    int cap = 16;
    out->id = malloc((size_t)cap * sizeof *out->id);
    out->n = 0;
    for (const char *p = s; *p;) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v <= 0 || (*end && *end != ','))
            return -1;
        if (out->n == cap) {
            cap *= 2;
            out->id = realloc(out->id, (size_t)cap * sizeof *out->id);
        }
        out->id[out->n++] = v;
        p = *end == ',' ? end + 1 : end;
    }
    return out->n;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: manybench --port P --cookie TOKEN --hot ID,ID,... [--clients C] [--subs S]\n"
            "                 [--idle N --idle-bodies ID,ID,... [--idle-procs K]]\n"
            "                 [--rate POSTS_PER_S] [--publishers P] [--duration S] [--warmup S]\n"
            "                 [--pid SERVER_PID] [--seed N] [--heartbeat S] [--dutch 1]\n");
}

static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        if (!strcmp(a, "--port"))
            opt.port = atoi(v);
        else if (!strcmp(a, "--pid"))
            opt.pid = atoi(v);
        else if (!strcmp(a, "--cookie"))
            opt.cookie = v;
        else if (!strcmp(a, "--hot")) {
            if (parse_ids(v, &opt.hot) <= 0)
                return -1;
        } else if (!strcmp(a, "--idle-bodies")) {
            if (parse_ids(v, &opt.idle_bodies) <= 0)
                return -1;
        } else if (!strcmp(a, "--clients"))
            opt.clients = atoi(v);
        else if (!strcmp(a, "--subs"))
            opt.subs = atoi(v);
        else if (!strcmp(a, "--idle"))
            opt.idle = atoi(v);
        else if (!strcmp(a, "--idle-procs"))
            opt.idle_procs = atoi(v);
        else if (!strcmp(a, "--publishers"))
            opt.publishers = atoi(v);
        else if (!strcmp(a, "--rate"))
            opt.rate = atof(v);
        else if (!strcmp(a, "--duration"))
            opt.duration = atoi(v);
        else if (!strcmp(a, "--warmup"))
            opt.warmup = atoi(v);
        else if (!strcmp(a, "--heartbeat"))
            opt.heartbeat = atoi(v);
        else if (!strcmp(a, "--dutch"))
            opt.dutch = atoi(v) != 0;
        else if (!strcmp(a, "--seed"))
            opt.seed = (unsigned)atoi(v);
        else
            return -1;
    }
    if (!opt.idle_procs)
        opt.idle_procs = opt.idle ? (opt.idle + 9999) / 10000 : 0;
    if (opt.port <= 0 || !opt.cookie || opt.hot.n <= 0 || opt.clients < 0 || opt.subs < 1 ||
        opt.subs > MAX_SUBS || opt.idle < 0 || (opt.idle && opt.idle_bodies.n <= 0) ||
        opt.idle_procs < 0 || opt.idle_procs > MAX_PROCS || opt.publishers < 1 || opt.rate <= 0 ||
        opt.duration < 1 || opt.warmup < 0 || opt.heartbeat < 0 || opt.heartbeat > 3600)
        return -1;
    return 0;
}

/* ---- the run */

static double client_cpu(const helper *hs, int k)
{
    double s = bench_cpu_seconds(getpid());
    for (int i = 0; i < k; i++) {
        double h = bench_cpu_seconds(hs[i].pid);
        if (h > 0)
            s += h;
    }
    return s;
}

/* What --dutch posts say, in turn: chat as the partners write it (the search indexer tokenises
 * it; with the timestamp alone it has one token to do). */
static const char *const dutch[] = {
    "Kunnen we het convenant over de woningsluitingen donderdag in het driehoeksoverleg "
    "bespreken? De burgemeester wil eerst het ondermijningsbeeld van de politie zien.",
    "Ik heb het verslag van vorige week aangepast: de actiepunten over de bestuurlijke "
    "rapportage staan er nu in. Graag voor vrijdag reageren.",
    "De officier van justitie sluit aan bij het overleg over de hennepkwekerij in de wijk; de "
    "gemeente regelt de zaal.",
    "Het RIEC levert de analyse van de vastgoedtransacties volgende maand aan, samen met de "
    "Belastingdienst.",
    "Prima, dan zet ik het agendapunt over de sluiting van de shishalounge op de agenda van het "
    "volgende overleg.",
    "Wie neemt het actiepunt over de integriteitstoets van de vergunningaanvraag op zich?",
    "De wijkagent meldt nieuwe signalen van ondermijning bij de bedrijven op het industrieterrein.",
    "Graag de conceptbrief aan de gemeenteraad over het Bibob-onderzoek voor dinsdag terug.",
};

int main(int argc, char **argv)
{
    if (parse_args(argc, argv)) {
        usage();
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    signal(SIGPIPE, SIG_IGN);
    srand(opt.seed);

    int idle_requested = opt.idle;
    if (opt.pid && opt.idle) {
        long limit = nofile_limit(opt.pid), used = open_fds(opt.pid);
        long room = limit - 32 - used - opt.clients - opt.publishers - 8;
        if (limit > 0 && used > 0 && opt.idle > room) {
            opt.idle = room > 0 ? (int)room : 0;
            opt.idle_procs = opt.idle ? (opt.idle + 9999) / 10000 : 0;
            fprintf(stderr,
                    "manybench: the server's open-file limit (%ld, %ld in use) leaves room "
                    "for %d idle connections of %d\n",
                    limit, used, opt.idle, idle_requested);
        }
    }
    long rss0 = opt.pid ? rss_kib(opt.pid) : -1;
    long long t0 = bench_now_ns();
    helper hs[MAX_PROCS] = {0};
    if (opt.idle && start_helpers(hs, opt.idle_procs)) {
        fprintf(stderr, "manybench: cannot start idle helpers\n");
        return 1;
    }

    ep = epoll_create1(0);
    hot_ready = calloc((size_t)opt.hot.n, sizeof *hot_ready);
    int total = opt.clients + opt.publishers;
    client *cs = calloc((size_t)total, sizeof *cs);
    if (!cs || !hot_ready)
        return 1;
    for (int i = 0; i < total; i++) {
        cs[i].st = CLOSED;
        cs[i].publisher = i >= opt.clients;
        if (!cs[i].publisher) {
            cs[i].n_subs = opt.subs < opt.hot.n ? opt.subs : opt.hot.n;
            draw_distinct(cs[i].bodies, cs[i].n_subs, opt.hot.n);
        }
    }
    connect_all(cs, total, &opt.hot);
    double connect_s = (double)(bench_now_ns() - t0) / 1e9;
    for (int i = opt.clients; i < total; i++)
        if (cs[i].st != READY) {
            fprintf(stderr, "manybench: publisher not ready\n");
            return 1;
        }
    int ready, closed, idle_ready = 0, idle_closed = 0;
    count(cs, opt.clients, &ready, &closed);
    for (int i = 0; i < opt.idle_procs; i++) {
        idle_ready += hs[i].ready;
        idle_closed += hs[i].closed;
    }
    for (int i = 0; i < 50; i++)
        pump(10, &opt.hot); /* settle */
    long rss1 = opt.pid ? rss_kib(opt.pid) : -1;
    int server_fds = opt.pid ? open_fds(opt.pid) : -1;

    /* Post round-robin over the publishers at opt.rate in total, into random hot bodies. */
    long long start = bench_now_ns(), next = start, n_msg = 0, sent = 0, expected = 0;
    double interval = 1e9 / opt.rate;
    window_start = start + (long long)opt.warmup * 1000000000LL;
    window_end = window_start + (long long)opt.duration * 1000000000LL;
    double srv0 = 0, srv1 = 0, cli0 = 0, cli1 = 0, busy0 = 0, busy1 = 0, all0 = 0, all1 = 0;
    bool measuring = false;
    while (bench_now_ns() < window_end) {
        long long t = bench_now_ns();
        if (!measuring && t >= window_start) {
            srv0 = opt.pid ? bench_cpu_seconds(opt.pid) : 0;
            cli0 = client_cpu(hs, opt.idle_procs);
            machine_jiffies(&busy0, &all0);
            measuring = true;
        }
        while (next <= t) {
            client *pub = &cs[opt.clients + n_msg % opt.publishers];
            int b = rand() % opt.hot.n;
            long long ts = bench_now_ns();
            char post[1024];
            int n = snprintf(
                post, sizeof post,
                "{\"id\":%lld,\"op\":\"chat.post\",\"body\":%lld,\"text\":\"KTTS%lld%s%s\"}",
                n_msg + 100, opt.hot.id[b], ts, opt.dutch ? " " : "",
                opt.dutch ? dutch[n_msg % (sizeof dutch / sizeof dutch[0])] : "");
            if (pub->st == READY && bench_send_frame(pub->fd, 1, post, (size_t)n) == 0 &&
                ts >= window_start && ts < window_end) {
                sent++;
                expected += hot_ready[b];
            }
            n_msg++;
            next = start + (long long)((double)n_msg * interval);
        }
        long long wait_ms = (next - bench_now_ns()) / 1000000;
        pump(wait_ms >= 1 ? 1 : 0, &opt.hot);
    }
    srv1 = opt.pid ? bench_cpu_seconds(opt.pid) : 0;
    cli1 = client_cpu(hs, opt.idle_procs);
    machine_jiffies(&busy1, &all1);
    for (long long drain = bench_now_ns() + 3000000000LL; bench_now_ns() < drain;)
        pump(10, &opt.hot);
    int closed_end, ready_end;
    count(cs, opt.clients, &ready_end, &closed_end);
    (void)ready_end;
    long long idle_pings = 0, idle_heartbeats = 0;
    int idle_closed_end = 0;
    if (opt.idle) {
        stop_helpers(hs, opt.idle_procs);
        for (int i = 0; i < opt.idle_procs; i++) {
            idle_pings += hs[i].pings;
            idle_heartbeats += hs[i].heartbeats;
            idle_closed_end += hs[i].closed_end;
        }
    }

    bench_lat_sort(&lat);
    int conns = ready + idle_ready;
    double srv = srv1 - srv0, cli = cli1 - cli0;
    /* what other processes (and unattributed kernel work) used, as a share of the machine */
    double hz = (double)sysconf(_SC_CLK_TCK), other = 0;
    if (all1 > all0)
        other = 100.0 * ((busy1 - busy0) - (srv + cli) * hz) / (all1 - all0);
    printf("clients=%d subs=%d hot=%d idle=%d ready=%d idle_ready=%d closed=%d idle_closed=%d "
           "connect_s=%.2f\n",
           opt.clients, opt.subs, opt.hot.n, opt.idle, ready, idle_ready, closed, idle_closed,
           connect_s);
    printf("rss_kib_before=%ld rss_kib_after=%ld rss_kib_per_conn=%.2f server_fds=%d\n", rss0, rss1,
           rss0 >= 0 && conns ? (double)(rss1 - rss0) / conns : 0.0, server_fds);
    printf("rate=%.2f sent=%lld expected=%lld received=%lld loss_pct=%.4f closed_end=%d\n",
           opt.rate, sent, expected, received,
           expected ? 100.0 * (double)(expected - received) / (double)expected : 0.0, closed_end);
    printf("posts_per_s=%.1f deliveries_per_s=%.0f p50_us=%u p90_us=%u p99_us=%u max_us=%u\n",
           (double)sent / opt.duration, (double)received / opt.duration, bench_lat_pct(&lat, 0.5),
           bench_lat_pct(&lat, 0.9), bench_lat_pct(&lat, 0.99), bench_lat_max(&lat));
    printf("server_cpu_s=%.3f server_cpu_pct=%.1f cpu_us_per_post=%.1f cpu_us_per_delivery=%.2f "
           "client_cpu_pct=%.1f other_cpu_pct=%.1f\n",
           srv, 100.0 * srv / opt.duration, sent ? 1e6 * srv / (double)sent : 0.0,
           received ? 1e6 * srv / (double)received : 0.0, 100.0 * cli / opt.duration, other);
    printf("reply_bytes=%.0f delivery_bytes=%.0f\n",
           reply_n ? (double)reply_sum / (double)reply_n : 0.0,
           delivery_n ? (double)delivery_sum / (double)delivery_n : 0.0);
    printf("pings=%lld idle_pings=%lld idle_closed_end=%d idle_requested=%d heartbeat_s=%d "
           "heartbeats=%lld idle_heartbeats=%lld\n",
           pings, idle_pings, idle_closed_end, idle_requested, opt.heartbeat, heartbeats,
           idle_heartbeats);
    return 0;
}
