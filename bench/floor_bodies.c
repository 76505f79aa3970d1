/* floor_bodies: what the kernel alone costs per delivery in the many-bodies benchmark (issue 15).
 *
 * The simplest single-threaded epoll WebSocket server that bench/manybench.c can drive as it
 * drives ketentafel: the same connections, the same frames in, the same sends out, and nothing
 * else. It speaks just enough of ketentafel's protocol (protocol/PROTOCOL.md):
 *   - the upgrade of any path (the session cookie is not looked at: no authentication);
 *   - {"id":N,"op":"subscribe","body":B}: the connection joins B's subscriber list; the reply
 *     is {"id":N,"ok":true,...};
 *   - {"id":N,"op":"ping"}: {"id":N,"ok":true,"result":{}};
 *   - {"id":N,"op":"chat.post","body":B,"text":"..."}: first the reply to the poster, then one
 *     chat.posted event frame, built once, sent with one send() to each subscriber of B (the
 *     order ketentafel uses: the group's replies, then its events);
 *   - any other op: an error reply; ping frames get their pong; a close frame closes.
 * Nothing is stored, nothing is parsed beyond the op name, the id, the body and the text, and
 * there are no timers (no keepalive, no heartbeats). A frame that does not fit the socket is not
 * kept: short_writes= at the end counts them (a delivery lost that way shows as loss in
 * manybench).
 *
 * The reply and the event are padded to --reply-bytes and --event-bytes payload bytes, the sizes
 * of ketentafel's chat.post reply and chat.posted event in the same benchmark (manybench prints
 * the mean sizes it received: reply_bytes= and delivery_bytes=), so that both servers hand the
 * kernel the same bytes.
 *
 * --reply-last sends the reply after the deliveries instead of before them (an experiment: does
 * the order change what waking the client costs the server?).
 *
 * On SIGTERM or SIGINT it prints its counters to stderr and exits.
 *
 * Build: cc -O2 -o floor_bodies floor_bodies.c -lcrypto (SHA-1 and base64 of the upgrade).
 * Run:   floor_bodies --port P [--listen ADDR] [--reply-bytes N] [--event-bytes N]
 *                     [--reply-last 1] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_BODY   (1 << 22) /* body ids above this are refused */
#define MAX_FRAME  65536     /* client frames longer than this close the connection */
#define MAX_SUBS   64        /* subscriptions per connection */
#define MAX_OUT    8192      /* the longest reply or event payload */
#define WS_MAGIC   "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define SEND_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT)

typedef struct conn {
    int fd;
    bool open; /* upgraded */
    char *buf; /* received, not yet handled */
    size_t len, cap;
    int n_subs;
    int64_t subs[MAX_SUBS];
} conn;

typedef struct body {
    conn **v;
    int n, cap;
    int64_t seq;
} body;

static struct {
    int port;
    const char *listen;
    int reply_bytes, event_bytes;
    bool reply_last;
} opt = {.listen = "127.0.0.1", .reply_bytes = 0, .event_bytes = 0};

static body *bodies; /* indexed by body id */
static int64_t n_bodies;
static int64_t next_message = 1;
static long long posts, deliveries, short_writes, conns_open;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* ---- sending */

/* A server frame (never masked) of payload p[0..n) into out; its length. */
static size_t frame(char *out, const char *p, size_t n)
{
    size_t h = 0;
    out[h++] = (char)0x81;
    if (n < 126) {
        out[h++] = (char)n;
    } else {
        out[h++] = 126;
        out[h++] = (char)(n >> 8);
        out[h++] = (char)n;
    }
    memcpy(out + h, p, n);
    return h + n;
}

static void send_frame(int fd, const char *f, size_t n)
{
    ssize_t w = send(fd, f, n, SEND_FLAGS);
    if (w != (ssize_t)n)
        short_writes++;
}

/* Pads the JSON object text in p (length n, ending in '}') with a "pad" member to want bytes. */
static size_t pad(char *p, size_t n, int want)
{
    const size_t member = sizeof ",\"pad\":\"\"" - 1;
    if (want <= 0 || (size_t)want < n + member || want > MAX_OUT)
        return n;
    size_t fill = (size_t)want - n - member;
    memcpy(p + n - 1, ",\"pad\":\"", 8);
    memset(p + n - 1 + 8, 'x', fill);
    memcpy(p + n - 1 + 8 + fill, "\"}", 2);
    return (size_t)want;
}

static void reply(conn *c, const char *id, size_t id_len, const char *rest, int want)
{
    char p[MAX_OUT + 64], f[MAX_OUT + 80];
    int n = snprintf(p, sizeof p, "{\"id\":%.*s,%s}", (int)id_len, id, rest);
    if (n < 0 || n >= (int)sizeof p - 1)
        return;
    size_t len = pad(p, (size_t)n, want);
    send_frame(c->fd, f, frame(f, p, len));
}

/* ---- bodies */

static body *body_get(int64_t id, bool create)
{
    if (id <= 0 || id >= MAX_BODY)
        return NULL;
    if (id >= n_bodies) {
        if (!create)
            return NULL;
        int64_t n = n_bodies ? n_bodies : 1024;
        while (n <= id)
            n *= 2;
        body *b = realloc(bodies, (size_t)n * sizeof *b);
        if (!b)
            return NULL;
        memset(b + n_bodies, 0, (size_t)(n - n_bodies) * sizeof *b);
        bodies = b;
        n_bodies = n;
    }
    return &bodies[id];
}

static bool subscribe(conn *c, int64_t id)
{
    for (int i = 0; i < c->n_subs; i++)
        if (c->subs[i] == id)
            return true;
    body *b = body_get(id, true);
    if (!b || c->n_subs == MAX_SUBS)
        return false;
    if (b->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 8;
        conn **v = realloc(b->v, (size_t)cap * sizeof *v);
        if (!v)
            return false;
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = c;
    c->subs[c->n_subs++] = id;
    return true;
}

static void unsubscribe_all(conn *c)
{
    for (int i = 0; i < c->n_subs; i++) {
        body *b = body_get(c->subs[i], false);
        for (int k = 0; b && k < b->n; k++)
            if (b->v[k] == c) {
                b->v[k] = b->v[--b->n];
                break;
            }
    }
    c->n_subs = 0;
}

/* ---- requests */

/* The value of "key": in a JSON object text, raw (a number, or a string's inside). */
static const char *member(const char *p, size_t n, const char *key, size_t *len)
{
    char pat[32];
    int k = snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *m = memmem(p, n, pat, (size_t)k), *end = p + n;
    if (!m)
        return NULL;
    const char *v = m + k;
    while (v < end && *v == ' ')
        v++;
    const char *e = v;
    if (v < end && *v == '"') {
        v = e = v + 1;
        while (e < end && *e != '"')
            e += *e == '\\' ? 2 : 1;
        if (e > end)
            return NULL;
    } else {
        while (e < end && *e != ',' && *e != '}' && *e != ' ')
            e++;
    }
    *len = (size_t)(e - v);
    return v;
}

static int64_t member_int(const char *p, size_t n, const char *key)
{
    size_t len;
    const char *v = member(p, n, key, &len);
    char num[24];
    if (!v || len == 0 || len >= sizeof num)
        return -1;
    memcpy(num, v, len);
    num[len] = 0;
    return strtoll(num, NULL, 10);
}

static void chat_post(conn *c, const char *id, size_t id_len, const char *p, size_t n)
{
    int64_t bid = member_int(p, n, "body");
    size_t text_len = 0;
    const char *text = member(p, n, "text", &text_len);
    body *b = body_get(bid, false);
    if (!text || bid <= 0 || text_len > MAX_OUT / 2) {
        reply(c, id, id_len, "\"ok\":false,\"error\":{\"code\":\"invalid_request\"}", 0);
        return;
    }
    int64_t seq = b ? ++b->seq : 1, mid = next_message++;
    char rest[96];
    snprintf(rest, sizeof rest, "\"ok\":true,\"result\":{\"message\":{\"id\":%lld}}",
             (long long)mid);
    posts++;
    if (!opt.reply_last || !b || b->n == 0)
        reply(c, id, id_len, rest, opt.reply_bytes);
    if (!b || b->n == 0)
        return;
    char ev[MAX_OUT + 64], f[MAX_OUT + 80];
    int k = snprintf(ev, sizeof ev,
                     "{\"event\":\"chat.posted\",\"body\":%lld,\"seq\":%lld,\"actor\":1,"
                     "\"data\":{\"message\":{\"id\":%lld,\"text\":\"%.*s\"}}}",
                     (long long)bid, (long long)seq, (long long)mid, (int)text_len, text);
    if (k < 0 || k >= (int)sizeof ev - 1)
        return;
    size_t len = frame(f, ev, pad(ev, (size_t)k, opt.event_bytes));
    for (int i = 0; i < b->n; i++)
        send_frame(b->v[i]->fd, f, len);
    deliveries += b->n;
    if (opt.reply_last)
        reply(c, id, id_len, rest, opt.reply_bytes);
}

static void on_text(conn *c, const char *p, size_t n)
{
    size_t op_len = 0, id_len = 0;
    const char *op = member(p, n, "op", &op_len), *id = member(p, n, "id", &id_len);
    if (!id || id_len == 0 || id_len > 64) {
        id = "null";
        id_len = 4;
    } else if (id[-1] == '"') { /* a string id goes back as a string */
        id--;
        id_len += 2;
    }
    if (op && op_len == 9 && !memcmp(op, "chat.post", 9)) {
        chat_post(c, id, id_len, p, n);
    } else if (op && op_len == 9 && !memcmp(op, "subscribe", 9)) {
        int64_t bid = member_int(p, n, "body");
        char rest[96];
        if (subscribe(c, bid))
            snprintf(rest, sizeof rest, "\"ok\":true,\"result\":{\"body\":%lld,\"seq\":%lld}",
                     (long long)bid, (long long)body_get(bid, false)->seq);
        else
            snprintf(rest, sizeof rest, "\"ok\":false,\"error\":{\"code\":\"invalid_request\"}");
        reply(c, id, id_len, rest, 0);
    } else if (op && op_len == 4 && !memcmp(op, "ping", 4)) {
        reply(c, id, id_len, "\"ok\":true,\"result\":{}", 0);
    } else {
        reply(c, id, id_len, "\"ok\":false,\"error\":{\"code\":\"unknown_op\"}", 0);
    }
}

/* ---- connections */

static void close_conn(int ep, conn *c)
{
    unsubscribe_all(c);
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->buf);
    free(c);
    conns_open--;
}

/* The 101 answer to a complete upgrade request at the start of c->buf; the request's length,
 * 0 while incomplete, -1 when it is no upgrade. */
static long upgrade(conn *c)
{
    char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    *end = 0;
    char *k = strcasestr(c->buf, "\r\nSec-WebSocket-Key:");
    if (!k)
        return -1;
    k += 20;
    while (*k == ' ')
        k++;
    char key[128];
    size_t kl = strcspn(k, "\r ");
    if (kl == 0 || kl > 64)
        return -1;
    memcpy(key, k, kl);
    memcpy(key + kl, WS_MAGIC, sizeof WS_MAGIC);
    unsigned char sha[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)key, kl + sizeof WS_MAGIC - 1, sha);
    char accept[64], resp[256];
    EVP_EncodeBlock((unsigned char *)accept, sha, SHA_DIGEST_LENGTH);
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    send_frame(c->fd, resp, (size_t)n);
    c->open = true;
    return end + 4 - c->buf;
}

/* Handles the complete frames in c->buf; false when the connection is to close. */
static bool handle_frames(conn *c)
{
    size_t off = 0;
    for (;;) {
        unsigned char *b = (unsigned char *)c->buf + off;
        size_t av = c->len - off, n, h = 2;
        if (av < 2)
            break;
        if (!(b[1] & 0x80)) /* client frames are masked (RFC 6455 5.3) */
            return false;
        n = b[1] & 0x7f;
        if (n == 126) {
            if (av < 4)
                break;
            n = (size_t)b[2] << 8 | b[3];
            h = 4;
        } else if (n == 127) {
            return false;
        }
        if (n > MAX_FRAME)
            return false;
        if (av < h + 4 + n)
            break;
        const unsigned char *mask = b + h;
        char *p = (char *)b + h + 4;
        for (size_t i = 0; i < n; i++)
            p[i] ^= (char)mask[i & 3];
        int op = b[0] & 0x0f;
        if (op == 1) {
            on_text(c, p, n);
        } else if (op == 8) {
            return false;
        } else if (op == 9 && n <= 125) {
            char f[128];
            f[0] = (char)0x8a;
            f[1] = (char)n;
            memcpy(f + 2, p, n);
            send_frame(c->fd, f, n + 2);
        }
        off += h + 4 + n;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    return true;
}

/* Reads what c's socket has; false when the connection is to close. */
static bool on_readable(conn *c)
{
    for (;;) {
        if (c->cap - c->len < 4096) {
            if (c->cap >= 4 * MAX_FRAME)
                return false;
            size_t cap = c->cap ? c->cap * 2 : 8192;
            char *b = realloc(c->buf, cap);
            if (!b)
                return false;
            c->buf = b;
            c->cap = cap;
        }
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
            return false;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return true;
        c->len += (size_t)r;
        if (!c->open) {
            c->buf[c->len] = 0;
            long head = upgrade(c);
            if (head < 0)
                return false;
            if (head == 0)
                continue;
            memmove(c->buf, c->buf + head, c->len - (size_t)head);
            c->len -= (size_t)head;
        }
        if (!handle_frames(c))
            return false;
    }
}

static void accept_all(int ep, int ls)
{
    int fd, one = 1;
    while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn *c = calloc(1, sizeof *c);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (!c || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev)) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        conns_open++;
    }
}

static int listen_on(void)
{
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
    if (ls < 0 || inet_pton(AF_INET, opt.listen, &a.sin_addr) != 1)
        return -1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) {
        close(ls);
        return -1;
    }
    return ls;
}

static int parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        if (!strcmp(a, "--port"))
            opt.port = atoi(v);
        else if (!strcmp(a, "--listen"))
            opt.listen = v;
        else if (!strcmp(a, "--reply-bytes"))
            opt.reply_bytes = atoi(v);
        else if (!strcmp(a, "--event-bytes"))
            opt.event_bytes = atoi(v);
        else if (!strcmp(a, "--reply-last"))
            opt.reply_last = atoi(v) != 0;
        else
            return -1;
    }
    return opt.port > 0 && opt.port < 65536 && opt.reply_bytes >= 0 && opt.reply_bytes <= MAX_OUT &&
                   opt.event_bytes >= 0 && opt.event_bytes <= MAX_OUT
               ? 0
               : -1;
}

int main(int argc, char **argv)
{
    if (parse_args(argc, argv)) {
        fprintf(stderr, "usage: floor_bodies --port P [--listen ADDR] [--reply-bytes N] "
                        "[--event-bytes N] [--reply-last 1]\n");
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int ls = listen_on(), ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (ls < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ls, &lev)) {
        perror("floor_bodies: listen");
        return 1;
    }
    struct epoll_event evs[512];
    while (!stop) {
        int n = epoll_wait(ep, evs, 512, -1);
        for (int i = 0; i < n; i++) {
            conn *c = evs[i].data.ptr;
            if (!c)
                accept_all(ep, ls);
            else if (!on_readable(c))
                close_conn(ep, c);
        }
    }
    fprintf(stderr, "floor_bodies: posts=%lld deliveries=%lld short_writes=%lld conns_open=%lld\n",
            posts, deliveries, short_writes, conns_open);
    return 0;
}
