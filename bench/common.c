/* What the load generators share; see common.h. */
#define _GNU_SOURCE
#include "common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

long long bench_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

double bench_cpu_seconds(int pid)
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

int bench_send_all(int fd, const char *b, size_t n)
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

int bench_send_frame(int fd, int opcode, const char *payload, size_t n)
{
    static const unsigned char mask[4] = {0x6b, 0x74, 0x6e, 0x62};
    char frame[BENCH_MAX_FRAME + 14];
    size_t h = 0;
    if (n > BENCH_MAX_FRAME)
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
    return bench_send_all(fd, frame, h + n);
}

int bench_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

int bench_send_upgrade(int fd, int port, const char *cookie, const char *key)
{
    return bench_send_upgrade_path(fd, port, cookie, key, "/ws");
}

int bench_send_upgrade_path(int fd, int port, const char *cookie, const char *key, const char *path)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:%d\r\n"
                     "Cookie: kt_session=%s\r\n\r\n",
                     path, port, key, port, cookie);
    if (n < 0 || (size_t)n >= sizeof req)
        return -1;
    return bench_send_all(fd, req, (size_t)n);
}

long bench_upgrade_reply(const char *name, const char *buf, size_t len)
{
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    if (len < 12 || strncmp(buf, "HTTP/1.1 101", 12) != 0) {
        fprintf(stderr, "%s: upgrade refused: %.60s\n", name, buf);
        return -1;
    }
    return (long)(end + 4 - buf);
}

size_t bench_next_frame(const char *buf, size_t len, int *opcode, const char **payload, size_t *n)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t h = 2, m;
    if (len < 2)
        return 0;
    m = b[1] & 0x7f;
    if (m == 126) {
        if (len < 4)
            return 0;
        m = (size_t)b[2] << 8 | b[3];
        h = 4;
    } else if (m == 127) {
        if (len < 10)
            return 0;
        m = 0;
        for (int i = 2; i < 10; i++)
            m = m << 8 | b[i];
        h = 10;
    }
    if (len < h || len - h < m)
        return 0;
    *opcode = b[0] & 0x0f;
    *payload = buf + h;
    *n = m;
    return h + m;
}

void bench_lat_add(bench_lat *l, long long us)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1 << 16;
        uint32_t *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            fprintf(stderr, "bench: out of memory\n");
            exit(1);
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = us < 0 ? 0 : us > 0xffffffffLL ? 0xffffffffu : (uint32_t)us;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void bench_lat_sort(bench_lat *l)
{
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, cmp_u32);
}

uint32_t bench_lat_pct(const bench_lat *l, double p)
{
    return l->n ? l->v[(size_t)(p * (double)(l->n - 1))] : 0;
}

uint32_t bench_lat_max(const bench_lat *l)
{
    return l->n ? l->v[l->n - 1] : 0;
}
