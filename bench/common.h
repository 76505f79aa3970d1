/* What the load generators (nodebench, manybench, writebench) share: the clock, a process's CPU
 * time, a non-blocking WebSocket client connection to a ketentafel node (connect, upgrade with a
 * session cookie, masked client frames, server frames parsed from a buffer) and latency
 * percentiles. Plain POSIX and Linux /proc; no dependency beyond libc.
 *
 * Build a generator with it: cc -O2 -o writebench writebench.c common.c */
#ifndef KT_BENCH_COMMON_H
#define KT_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_FRAME 4096 /* the longest payload bench_send_frame sends */

/* CLOCK_MONOTONIC in nanoseconds */
long long bench_now_ns(void);

/* user+system CPU seconds of a process, from /proc/PID/stat; -1 if it is gone */
double bench_cpu_seconds(int pid);

/* Writes all of b to a socket (tiny frames: a full socket drains within microseconds); -1 on
 * error. */
int bench_send_all(int fd, const char *b, size_t n);

/* One masked client frame (RFC 6455 5.3; the mask may be constant for a benchmark); -1 when the
 * payload is longer than BENCH_MAX_FRAME or the socket failed. */
int bench_send_frame(int fd, int opcode, const char *payload, size_t n);

/* A non-blocking TCP connection (TCP_NODELAY) to 127.0.0.1:port under way; -1 if it failed. */
int bench_connect(int port);

/* The WebSocket upgrade request for /ws with the session cookie; key names the generator (any
 * base64 of 16 bytes). -1 if it could not be sent. */
int bench_send_upgrade(int fd, int port, const char *cookie, const char *key);
/* The same for another path, e.g. "/ws?heartbeat=30" (what the web client opens). */
int bench_send_upgrade_path(int fd, int port, const char *cookie, const char *key,
                            const char *path);

/* The server's answer to the upgrade at the start of buf: the length of its header when it is a
 * complete 101, 0 while it is incomplete, -1 when the server refused (printed to stderr with
 * the generator's name). */
long bench_upgrade_reply(const char *name, const char *buf, size_t len);

/* The next complete server frame (never masked) at the start of buf: its whole length, header
 * included, with its opcode and payload; 0 while it is incomplete. */
size_t bench_next_frame(const char *buf, size_t len, int *opcode, const char **payload, size_t *n);

/* Latencies in microseconds, and their percentiles once sorted. */
typedef struct bench_lat {
    uint32_t *v;
    size_t n, cap;
} bench_lat;

void bench_lat_add(bench_lat *l, long long us); /* exits when out of memory */
void bench_lat_sort(bench_lat *l);
uint32_t bench_lat_pct(const bench_lat *l, double p); /* p in [0, 1]; 0 when empty */
uint32_t bench_lat_max(const bench_lat *l);

#endif
