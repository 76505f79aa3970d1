/* Secret, revocable feed links of a person: their calendar (iCalendar), a body's calendar for
 * one of its members, and their notifications (Atom). The URL carries a random token that is
 * shown once, when the feed is created; the store keeps only its SHA-256 (auth/session.h).
 * Every fetch resolves the token again, re-checks that the person is active and, for a body's
 * calendar, still a member, and renders through the one visibility rule (auth/acl.h): a feed is
 * an export path like any other. */
#ifndef KT_FEEDS_H
#define KT_FEEDS_H

#include "app.h"
#include "auth/session.h"
#include "store/store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define KT_FEEDS_MAX 20 /* active feeds per person */

/* Longest feed URL kt_feed_url writes (public_url is at most a few hundred bytes). */
#define KT_FEED_URL_MAX 600

/* Creates a feed of kind ("ical", "atom", "body_ical"; body only with body_ical) for person
 * inside the caller's write transaction. Writes the token (KT_TOKEN_LEN + 1 bytes) and the new
 * feed's id. KT_EFULL when the person has KT_FEEDS_MAX active feeds. */
int kt_feed_create(kt_store *st, int64_t person, const char *kind, int64_t body,
                   char token[KT_TOKEN_LEN + 1], int64_t *id);

/* Revokes person's feed id (idempotent); KT_ENOTFOUND when it is not theirs. Needs a write
 * transaction. */
int kt_feed_revoke(kt_store *st, int64_t person, int64_t id);

/* "{public_url}/feeds/ical/<token>.ics" or ".../atom/<token>.xml" into buf. */
void kt_feed_url(const kt_app *app, const char *kind, const char *token, char *buf, size_t n);

/* The answer to GET path (a path under /feeds/): status 200 with a malloc'd body the caller
 * frees, or 404 (body NULL) for anything unknown, revoked or no longer allowed - the same 404
 * whatever the reason, so a URL reveals nothing. Reads only the local store. */
typedef struct kt_feed_response {
    int status;
    const char *ctype; /* static */
    char *body;        /* malloc'd, NUL-terminated; NULL unless status is 200 */
} kt_feed_response;
void kt_feed_http(kt_app *app, const char *path, kt_feed_response *out);

/* Releases the libraries' global caches (libical's zones, libxml2) at exit. */
void kt_feeds_shutdown(void);

#endif
