/* A small world for the fuzz targets: a real store (a file of its own per process), hub and
 * in-process bus, and the people of one body in every role - built once per process through
 * the protocol itself, as clients would. */
#ifndef KT_FUZZ_WORLD_H
#define KT_FUZZ_WORLD_H

#include "app.h"
#include "auth/session.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_world {
    kt_app app;
    kt_principal admin, chair, member, police, guest, observer, outsider;
    int64_t body, meeting, item, secret, action, flag;
} fuzz_world;

/* The world, made on first use (aborts when it cannot be). */
fuzz_world *fuzz_world_get(void);

/* The principal number i (mod 7) of the world. */
const kt_principal *fuzz_principal(fuzz_world *w, unsigned i);

/* Sends request text as me; publishes what it committed; returns the reply (new reference). */
json_t *fuzz_send(fuzz_world *w, const kt_principal *me, const char *text, size_t len);

/* The same with a request object (borrowed). */
json_t *fuzz_request(fuzz_world *w, const kt_principal *me, json_t *req);

/* Bytes made valid UTF-8 without NULs (invalid bytes become '?'), at most max bytes; malloc'd. */
char *fuzz_text(const uint8_t *data, size_t size, size_t max);

#endif
