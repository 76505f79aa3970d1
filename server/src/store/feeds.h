/* Feed tokens: secret, revocable links to a person's calendar or notifications. Only the
 * token's SHA-256 is kept. */
#ifndef KT_STORE_FEEDS_H
#define KT_STORE_FEEDS_H

#include <jansson.h>
#include <stdint.h>

struct kt_store;

/* How many feeds person has that are not revoked. */
int kt_store_feeds_active(struct kt_store *st, int64_t person, int64_t *n);
/* body 0: none. */
int kt_store_feed_insert(struct kt_store *st, const unsigned char hash[32], int64_t person,
                         const char *kind, int64_t body, int64_t now, int64_t *id);
/* Revokes person's feed id (idempotent): KT_ENOTFOUND when it is not theirs. */
int kt_store_feed_revoke(struct kt_store *st, int64_t person, int64_t id, int64_t now);
/* {id, kind, body, body_name, created_at, revoked_at}: 0 or KT_ENOTFOUND. */
int kt_store_feed_get(struct kt_store *st, int64_t id, json_t **out);
/* person's active feeds in that shape, oldest first, appended to arr. */
int kt_store_feeds_list(struct kt_store *st, int64_t person, json_t *arr);

/* The active feed with this token hash. kind holds at least 16 bytes. 0 or KT_ENOTFOUND. */
typedef struct kt_feed_row {
    int64_t id, person, body;
    char kind[16];
} kt_feed_row;
int kt_store_feed_by_hash(struct kt_store *st, const unsigned char hash[32], kt_feed_row *out);

#endif
