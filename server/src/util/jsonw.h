/* Compact JSON text of a jansson value, byte for byte what json_dumps(j, JSON_COMPACT) writes,
 * with fewer instructions: jansson's dump guards against cycles by formatting each container's
 * address with snprintf into a hash table, and calls its sink for every token. Every reply, event
 * frame and stored event payload is written here, so that cost was paid many times per write.
 *
 * Identical output is the contract (tests/unit/test_jsonw.c compares both on many values): what
 * this writer does not do itself - a real number, invalid UTF-8, nesting deeper than
 * KT_JSONW_MAX_DEPTH - goes to jansson (the one value, or the whole text), so the result is
 * jansson's in every case. */
#ifndef KT_UTIL_JSONW_H
#define KT_UTIL_JSONW_H

#include <jansson.h>
#include <stddef.h>

#define KT_JSONW_MAX_DEPTH 256

/* Appends the text of j (any value, as with JSON_ENCODE_ANY) to *buf, growing it with realloc:
 * *buf holds *len bytes of *cap; room is kept for `pre` bytes before the text (allocated but
 * not written: a frame's header room) and one byte after it (a NUL is written there). *buf may
 * be NULL with *cap 0. 0, or -1 (out of memory, or a value jansson cannot write either: a
 * cycle, a real that is not finite); *buf stays the caller's to free either way. */
int kt_jsonw_append(const json_t *j, size_t pre, char **buf, size_t *len, size_t *cap);

/* json_dumps(j, JSON_COMPACT) (an object or array; any value with JSON_ENCODE_ANY's output) as a
 * malloc'd NUL-terminated string, NULL on error. */
char *kt_jsonw_dumps(const json_t *j);

#endif
