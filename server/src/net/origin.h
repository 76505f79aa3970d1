/* Which browser origins may open a WebSocket or post to the API.
 *
 * An origin is compared exactly, after normalising, with a fixed list built at start from
 * --public-url and --allowed-origins (and, when no public URL is given, the loopback addresses
 * of the node's own port, for development). The request's Host header plays no part: a page
 * whose name was rebound to this node (DNS rebinding) carries its own origin and is refused.
 * Whatever cannot be parsed as exactly scheme://host[:port] with scheme http or https is
 * refused, however long. Pure functions: no lws, no store. */
#ifndef KT_ORIGIN_H
#define KT_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#define KT_ORIGIN_MAX       255 /* longer origins are refused outright */
#define KT_ORIGINS_MAX_LIST 32

typedef struct kt_origins {
    int n;
    char v[KT_ORIGINS_MAX_LIST][KT_ORIGIN_MAX + 8]; /* normalised: scheme://host:port */
} kt_origins;

/* Normalises in[0..len) ("HTTPS://Example.NL" -> "https://example.nl:443"). in need not be
 * NUL-terminated. Only http and https; a host of letters, digits, '-' and '.', or an IPv6
 * literal in brackets; an optional port 1..65535; nothing after it (no path, no '/', no
 * user info). false, out undefined, when in is not such an origin. */
bool kt_origin_normalise(const char *in, size_t len, char *out, size_t outlen);

/* Same for a URL such as --public-url: its origin part, the path ignored. */
bool kt_origin_of_url(const char *url, char *out, size_t outlen);

/* Builds the list. public_url is required; allowed is a comma-separated list of origins (may
 * be NULL); loopback_port > 0 adds http://localhost, 127.0.0.1 and [::1] on that port. On a
 * malformed entry returns false and points *bad at it (for the start-up error). */
bool kt_origins_init(kt_origins *o, const char *public_url, const char *allowed, int loopback_port,
                     const char **bad);

/* Whether the Origin header value in[0..len) is on the list. */
bool kt_origins_allow(const kt_origins *o, const char *in, size_t len);

#endif
