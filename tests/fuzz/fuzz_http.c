/* libFuzzer: what the server itself parses of an HTTP request (libwebsockets parses the rest):
 * the Origin header, a feed path under /feeds/ (token, kind, extension), a listen address, and
 * login attempts through the throttle. Lines of the input feed each parser. */
#include "auth/throttle.h"
#include "feed/feeds.h"
#include "net/origin.h"
#include "net/server.h"
#include "world.h"

#include <stdlib.h>
#include <string.h>

static kt_origins origins;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_world *w = fuzz_world_get();
    static kt_throttle *t;
    if (!t) {
        const char *bad;
        if (!kt_origins_init(&origins, "https://tafel.example.nl", "http://127.0.0.1:8080", 8080,
                             &bad))
            abort();
        t = kt_throttle_new(NULL);
    }
    /* the Origin header, as received (not NUL-terminated, any bytes) */
    char norm[KT_ORIGIN_MAX + 8];
    bool allowed = kt_origins_allow(&origins, (const char *)data, size);
    if (kt_origin_normalise((const char *)data, size, norm, sizeof norm)) {
        if (strncmp(norm, "http://", 7) && strncmp(norm, "https://", 8))
            abort();
    } else if (allowed) {
        abort(); /* nothing unparsable is ever allowed */
    }
    /* the same bytes as a path under /feeds/ and as a listen address */
    char *text = malloc(size + 8);
    if (!text)
        return 0;
    memcpy(text, "/feeds/", 7);
    memcpy(text + 7, data, size);
    text[7 + size] = 0;
    kt_feed_response r;
    kt_feed_http(&w->app, text, &r);
    if ((r.status == 200) != (r.body != NULL))
        abort();
    free(r.body);
    char addr[64];
    int port;
    kt_server_split_listen(text + 7, addr, sizeof addr, &port);
    /* a login attempt: account and client address from the input */
    const char *nl = memchr(text + 7, '\n', size);
    const char *account = text + 7, *client = nl ? nl + 1 : "192.0.2.1";
    if (kt_throttle_begin(t, account, client, 1796202000) == KT_LOGIN_GO)
        kt_throttle_end(t, account, client, size & 1, 1796202000);
    free(text);
    return 0;
}
