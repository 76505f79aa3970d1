/* A PostgreSQL server that stops answering must not hang the store (issue 12): every exchange
 * has the deadline kt_store_options.timeout_ms, connecting too. No real server here: a socket
 * that takes connections and never answers, and one that lets a client in (the protocol's
 * startup answered: no authentication, ready for a query) and then answers nothing, as a frozen
 * server does. Before the deadline, both opens waited forever. */
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

/* A listening socket on a free loopback port: its port into *port. */
static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static int64_t open_ms(int port, int timeout_ms, int *rc)
{
    char url[160];
    snprintf(url, sizeof url, "postgresql://kt@127.0.0.1:%d/kt?sslmode=disable&gssencmode=disable",
             port);
    kt_store_options o = {.path = url, .timeout_ms = timeout_ms};
    kt_store *st = NULL;
    int64_t t0 = kt_mono_ns();
    *rc = kt_store_open(&o, &st);
    int64_t ms = (kt_mono_ns() - t0) / 1000000;
    if (st)
        kt_store_close(st);
    return ms;
}

/* Nobody accepts: the kernel completes the handshake, the startup packet is never read. */
static void a_server_that_never_answers_the_connection_is_given_up(void **state)
{
    (void)state;
    int port, fd = listen_any(&port);
    int rc;
    int64_t ms = open_ms(port, 500, &rc);
    assert_int_equal(rc, KT_EUNAVAIL);
    assert_true(ms >= 1500); /* connect_timeout: 2 s at the least (libpq's minimum) */
    assert_true(ms < 20000); /* generous, for a loaded machine */
    close(fd);
}

/* Reads exactly n bytes; false at the end of the stream. */
static bool read_all(int fd, void *buf, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

/* Accepts one client, answers its startup (authentication ok, ready for a query), then reads
 * whatever comes and answers nothing until the client goes. */
static void *frozen_after_startup(void *arg)
{
    int lfd = *(int *)arg;
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    unsigned char len[4], body[1024];
    if (read_all(fd, len, 4)) {
        uint32_t n = (uint32_t)len[0] << 24 | (uint32_t)len[1] << 16 | len[2] << 8 | len[3];
        if (n >= 8 && n - 4 <= sizeof body && read_all(fd, body, n - 4)) {
            static const unsigned char hello[] = {'R', 0, 0, 0, 8, 0,  0, 0, 0, /* auth ok */
                                                  'Z', 0, 0, 0, 5, 'I'};        /* ready */
            if (write(fd, hello, sizeof hello) == (ssize_t)sizeof hello)
                while (read(fd, body, sizeof body) > 0)
                    ; /* a query: no answer, ever */
        }
    }
    close(fd);
    return NULL;
}

/* Connected, then silent: the first exchange (the session's settings) ends at the deadline. */
static void a_server_that_stops_answering_fails_the_exchange_at_its_deadline(void **state)
{
    (void)state;
    int port, fd = listen_any(&port);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, frozen_after_startup, &fd), 0);
    int rc;
    int64_t ms = open_ms(port, 400, &rc);
    assert_int_equal(rc, KT_EUNAVAIL);
    assert_true(ms >= 350);  /* it waited for the answer ... */
    assert_true(ms < 20000); /* ... and not forever (generous, for a loaded machine) */
    pthread_join(t, NULL);   /* the connection was dropped: the server saw it go */
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_server_that_never_answers_the_connection_is_given_up),
        cmocka_unit_test(a_server_that_stops_answering_fails_the_exchange_at_its_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
