#include "feed/feeds.h"

#include "feed/atom.h"
#include "feed/ical.h"
#include "store/feeds.h"
#include "store/memberships.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

typedef kt_feed_row feed_row;

int kt_feed_create(kt_store *st, int64_t person, const char *kind, int64_t body,
                   char token[KT_TOKEN_LEN + 1], int64_t *id)
{
    int64_t active = 0;
    int rc = kt_store_feeds_active(st, person, &active);
    if (rc)
        return rc;
    if (active >= KT_FEEDS_MAX)
        return KT_EFULL;
    unsigned char hash[32];
    kt_token_new(token, hash);
    return kt_store_feed_insert(st, hash, person, kind, body, kt_now(), id);
}

int kt_feed_revoke(kt_store *st, int64_t person, int64_t id)
{
    return kt_store_feed_revoke(st, person, id, kt_now());
}

void kt_feed_url(const kt_app *app, const char *kind, const char *token, char *buf, size_t n)
{
    const char *base = app->cfg.public_url ? app->cfg.public_url : "";
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    bool atom = strcmp(kind, "atom") == 0;
    snprintf(buf, n, "%.*s/feeds/%s/%s.%s", (int)len, base, atom ? "atom" : "ical", token,
             atom ? "xml" : "ics");
}

/* ---- GET /feeds/... ---- */

/* "<dir><token><ext>" -> token. */
static bool parse_path(const char *path, const char *dir, const char *ext,
                       char token[KT_TOKEN_LEN + 1])
{
    size_t dl = strlen(dir), el = strlen(ext);
    if (strncmp(path, dir, dl) != 0)
        return false;
    const char *t = path + dl;
    if (strlen(t) != KT_TOKEN_LEN + el || strcmp(t + KT_TOKEN_LEN, ext) != 0)
        return false;
    memcpy(token, t, KT_TOKEN_LEN);
    token[KT_TOKEN_LEN] = 0;
    return true;
}

static int lookup(kt_store *st, const char *token, feed_row *out)
{
    unsigned char hash[32];
    if (!kt_token_hash(token, hash))
        return KT_ENOTFOUND;
    return kt_store_feed_by_hash(st, hash, out);
}

static bool is_member(kt_store *st, int64_t body, int64_t person)
{
    kt_store_member m;
    int rc = kt_store_membership_find(st, body, person, &m);
    free(m.items);
    return rc == 0;
}

/* Renders the feed behind token, or returns NULL when there is none for this URL. */
static char *render(kt_app *app, const char *token, bool ical)
{
    feed_row f;
    kt_principal p;
    if (lookup(app->store, token, &f) || ical != (strcmp(f.kind, "atom") != 0) ||
        kt_principal_load(app->store, f.person, &p))
        return NULL;
    if (strcmp(f.kind, "body_ical") == 0 && !is_member(app->store, f.body, f.person))
        return NULL; /* left the body: the calendar went with the membership */
    if (ical)
        return kt_ical_render(app, &p, strcmp(f.kind, "body_ical") == 0 ? f.body : 0, kt_now());
    char self[KT_FEED_URL_MAX];
    kt_feed_url(app, "atom", token, self, sizeof self);
    return kt_atom_render(app, &p, self);
}

void kt_feed_http(kt_app *app, const char *path, kt_feed_response *out)
{
    out->status = 404;
    out->ctype = "text/plain; charset=utf-8";
    out->body = NULL;
    char token[KT_TOKEN_LEN + 1];
    bool ical = parse_path(path, "/feeds/ical/", ".ics", token);
    if (!ical && !parse_path(path, "/feeds/atom/", ".xml", token))
        return;
    bool own_txn = !kt_store_in_txn(app->store) && kt_store_begin_read(app->store) == 0;
    int64_t t0 = kt_mono_ns();
    out->body = render(app, token, ical);
    if (own_txn)
        kt_store_commit(app->store);
    if (!out->body)
        return;
    out->status = 200;
    out->ctype = ical ? "text/calendar; charset=utf-8" : "application/atom+xml; charset=utf-8";
    kt_debug("feed served", "kind=%s bytes=%zu ms=%.1f", ical ? "ical" : "atom", strlen(out->body),
             (double)(kt_mono_ns() - t0) / 1e6);
}

void kt_feeds_shutdown(void)
{
    kt_ical_shutdown();
    kt_atom_shutdown();
}
