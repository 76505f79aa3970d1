/* Request keys: a client's write with a key is done once; a retry gets the first result. */
#ifndef KT_STORE_REQUESTS_H
#define KT_STORE_REQUESTS_H

#include <stdint.h>

struct kt_store;

/* The op and result (JSON text) person's key was first answered with. Both malloc'd, the
 * caller frees them. 0, KT_ENOTFOUND or a KT_E*. */
int kt_store_request_find(struct kt_store *st, int64_t person, const char *key, char **op,
                          char **result);
/* Remembers the result of person's key (in the write transaction of the op itself). */
int kt_store_request_remember(struct kt_store *st, int64_t person, const char *key, const char *op,
                              const char *result, int64_t now);
/* Forgets keys remembered before cutoff. */
int kt_store_requests_expire(struct kt_store *st, int64_t cutoff);

#endif
