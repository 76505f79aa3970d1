#include "auth/throttle.h"

#include "util/imap.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const kt_throttle_limits kt_throttle_defaults = {
    .window = 15 * 60,
    .limit_account = 8,
    .limit_addr = 30,
    .inflight_addr = 4,
    .inflight_total = 64,
    .max_entries = 10000,
};

typedef struct entry {
    int failures, inflight;
    int64_t since; /* start of the current window */
} entry;

struct kt_throttle {
    kt_throttle_limits lim;
    kt_imap accounts, addrs;
    int inflight;
};

kt_throttle *kt_throttle_new(const kt_throttle_limits *limits)
{
    kt_throttle *t = calloc(1, sizeof *t);
    if (t)
        t->lim = limits ? *limits : kt_throttle_defaults;
    return t;
}

static void table_free(kt_imap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key)
            free(m->slots[i].val);
    kt_imap_free(m);
}

void kt_throttle_free(kt_throttle *t)
{
    if (!t)
        return;
    table_free(&t->accounts);
    table_free(&t->addrs);
    free(t);
}

/* A keyed hash, so the table holds no addresses in clear; case-folded for accounts. */
static int64_t key_of(const char *s, bool fold, char kind)
{
    unsigned char buf[300];
    size_t n = 0;
    buf[n++] = (unsigned char)kind;
    for (; s && *s && n < sizeof buf; s++)
        buf[n++] = (unsigned char)(fold && *s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
    unsigned char h[8];
    crypto_generichash(h, sizeof h, buf, n, NULL, 0);
    int64_t k;
    memcpy(&k, h, sizeof k);
    return k ? k : 1;
}

static bool expired(const kt_throttle *t, const entry *e, int64_t now)
{
    return now - e->since >= t->lim.window;
}

/* Makes room for one more key: expired entries first, then the oldest idle one. */
static void make_room(kt_throttle *t, kt_imap *m, int64_t now)
{
    if ((int)m->len < t->lim.max_entries)
        return;
    int64_t oldest_key = 0, oldest = INT64_MAX;
    for (size_t i = 0; i < m->cap;) {
        entry *e = m->slots[i].val;
        int64_t k = m->slots[i].key;
        if (k && !e->inflight && expired(t, e, now)) {
            free(kt_imap_del(m, k)); /* deletion shifts later slots back: look at i again */
            continue;
        }
        if (k && !e->inflight && e->since < oldest) {
            oldest = e->since;
            oldest_key = k;
        }
        i++;
    }
    if ((int)m->len >= t->lim.max_entries && oldest_key)
        free(kt_imap_del(m, oldest_key));
}

static entry *lookup(kt_throttle *t, kt_imap *m, int64_t key, int64_t now, bool create)
{
    entry *e = kt_imap_get(m, key);
    if (!e && create) {
        make_room(t, m, now);
        if ((int)m->len >= t->lim.max_entries)
            return NULL; /* everything in flight: refuse rather than forget */
        e = calloc(1, sizeof *e);
        if (!e || kt_imap_put(m, key, e)) {
            free(e);
            return NULL;
        }
        e->since = now;
    }
    if (e && !e->inflight && expired(t, e, now)) {
        e->failures = 0;
        e->since = now;
    }
    return e;
}

kt_login_verdict kt_throttle_begin(kt_throttle *t, const char *account, const char *addr,
                                   int64_t now)
{
    entry *acc = lookup(t, &t->accounts, key_of(account, true, 'a'), now, true);
    entry *adr = lookup(t, &t->addrs, key_of(addr, false, 'i'), now, true);
    if (!acc || !adr)
        return KT_LOGIN_BUSY;
    if (acc->failures + acc->inflight >= t->lim.limit_account ||
        adr->failures + adr->inflight >= t->lim.limit_addr)
        return KT_LOGIN_LIMITED;
    if (adr->inflight >= t->lim.inflight_addr || t->inflight >= t->lim.inflight_total)
        return KT_LOGIN_BUSY;
    if (!acc->failures && !acc->inflight)
        acc->since = now;
    if (!adr->failures && !adr->inflight)
        adr->since = now;
    acc->inflight++;
    adr->inflight++;
    t->inflight++;
    return KT_LOGIN_GO;
}

void kt_throttle_end(kt_throttle *t, const char *account, const char *addr, bool ok, int64_t now)
{
    entry *acc = lookup(t, &t->accounts, key_of(account, true, 'a'), now, false);
    entry *adr = lookup(t, &t->addrs, key_of(addr, false, 'i'), now, false);
    if (t->inflight > 0)
        t->inflight--;
    if (acc && acc->inflight > 0)
        acc->inflight--;
    if (adr && adr->inflight > 0)
        adr->inflight--;
    if (ok) {
        if (acc)
            acc->failures = 0;
        return;
    }
    if (acc)
        acc->failures++;
    if (adr)
        adr->failures++;
}

int kt_throttle_inflight(const kt_throttle *t)
{
    return t ? t->inflight : 0;
}
