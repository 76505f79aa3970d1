/* Login throttling: decided when an attempt arrives, before any password is hashed.
 *
 * An attempt counts against its account (the e-mail address, case-folded, also when no such
 * account exists) and against the client address from the moment it arrives: attempts still
 * being hashed count as failures until they turn out right. So however many guesses arrive at
 * once, at most limit_account of them are ever evaluated per account in a window, and a burst
 * cannot slip in before the first results are counted. Per client address a window allows
 * limit_addr failures, and at most inflight_addr of its attempts wait for the hashing worker at
 * once: one address cannot fill the queue, and the logins of others wait behind a few hashes
 * at most. The whole queue is bounded too (inflight_total).
 *
 * Memory is bounded: at most max_entries keys per kind; when full, expired entries go first,
 * then the oldest. Loop thread only; no locks. Times are unix seconds (kt_now()). */
#ifndef KT_THROTTLE_H
#define KT_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct kt_throttle_limits {
    int window;         /* seconds a count lasts from its first failure (900) */
    int limit_account;  /* failures (and attempts in flight) per account per window (8) */
    int limit_addr;     /* failures per client address per window (30) */
    int inflight_addr;  /* attempts of one address being hashed at once (4) */
    int inflight_total; /* attempts being hashed at once, all together (64) */
    int max_entries;    /* keys remembered per kind (10000) */
} kt_throttle_limits;

extern const kt_throttle_limits kt_throttle_defaults;

typedef struct kt_throttle kt_throttle;

typedef enum kt_login_verdict {
    KT_LOGIN_GO,      /* evaluate it; call kt_throttle_end() with the outcome */
    KT_LOGIN_LIMITED, /* too many failures for the account or the address: 429 */
    KT_LOGIN_BUSY,    /* this address, or everyone together, has enough in flight: 429 */
} kt_login_verdict;

kt_throttle *kt_throttle_new(const kt_throttle_limits *limits);
void kt_throttle_free(kt_throttle *t);

/* On arrival. account: the e-mail address as typed; addr: the client address (text). */
kt_login_verdict kt_throttle_begin(kt_throttle *t, const char *account, const char *addr,
                                   int64_t now);
/* When the hash was checked (after a KT_LOGIN_GO): ok clears the account's failures. */
void kt_throttle_end(kt_throttle *t, const char *account, const char *addr, bool ok, int64_t now);

/* Attempts being hashed now (for /metrics). */
int kt_throttle_inflight(const kt_throttle *t);

#endif
