#include "feed/feeds.h"

#include "feed/atom.h"
#include "feed/ical.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

typedef struct feed_row {
    int64_t id, person, body;
    char kind[16];
} feed_row;

int kt_feed_create(kt_store *st, int64_t person, const char *kind, int64_t body,
                   char token[KT_TOKEN_LEN + 1], int64_t *id)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT count(*) FROM feed_tokens WHERE person_id = ?1 "
                                        "AND revoked_at IS NULL");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, person);
    int64_t active = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    if (active >= KT_FEEDS_MAX)
        return KT_EFULL;
    unsigned char hash[32];
    kt_token_new(token, hash);
    s = kt_store_stmt(st, "INSERT INTO feed_tokens(token_hash, person_id, kind, body_id, "
                          "created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_blob(s, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, person);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
    if (body)
        sqlite3_bind_int64(s, 4, body);
    sqlite3_bind_int64(s, 5, kt_now());
    int rc = kt_store_step_done(st, s);
    if (!rc)
        *id = kt_store_last_id(st);
    return rc;
}

int kt_feed_revoke(kt_store *st, int64_t person, int64_t id)
{
    sqlite3_stmt *s = kt_store_stmt(st, "UPDATE feed_tokens SET revoked_at = coalesce(revoked_at, "
                                        "?3) WHERE id = ?1 AND person_id = ?2");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, person);
    sqlite3_bind_int64(s, 3, kt_now());
    int rc = kt_store_step_done(st, s);
    if (!rc && sqlite3_changes(kt_store_db(st)) == 0)
        rc = KT_ENOTFOUND;
    return rc;
}

json_t *kt_feed_json(kt_store *st, int64_t id)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT f.id, f.kind, f.body_id, b.name, f.created_at, "
                                        "f.revoked_at FROM feed_tokens f LEFT JOIN bodies b ON "
                                        "b.id = f.body_id WHERE f.id = ?1");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, id);
    json_t *j = NULL;
    if (sqlite3_step(s) == SQLITE_ROW)
        j = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id",
                      (json_int_t)sqlite3_column_int64(s, 0), "kind", kt_col_json_text(s, 1),
                      "body", kt_col_json_int(s, 2), "body_name", kt_col_json_text(s, 3),
                      "created_at", kt_col_json_time(s, 4), "revoked_at", kt_col_json_time(s, 5));
    sqlite3_reset(s);
    return j;
}

json_t *kt_feeds_list(kt_store *st, int64_t person)
{
    json_t *out = json_array();
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT id FROM feed_tokens WHERE person_id = ?1 AND "
                                        "revoked_at IS NULL ORDER BY id");
    if (!s)
        return out;
    sqlite3_bind_int64(s, 1, person);
    kt_ivec ids = {0};
    while (sqlite3_step(s) == SQLITE_ROW)
        kt_ivec_push(&ids, sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    for (size_t i = 0; i < ids.n; i++) {
        json_t *j = kt_feed_json(st, ids.v[i]);
        if (j)
            json_array_append_new(out, j);
    }
    kt_ivec_free(&ids);
    return out;
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
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT id, person_id, kind, body_id FROM feed_tokens "
                                        "WHERE token_hash = ?1 AND revoked_at IS NULL");
    if (!s)
        return KT_ESTORE;
    sqlite3_bind_blob(s, 1, hash, sizeof hash, SQLITE_TRANSIENT);
    int rc = KT_ENOTFOUND;
    if (sqlite3_step(s) == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        out->person = sqlite3_column_int64(s, 1);
        snprintf(out->kind, sizeof out->kind, "%s", (const char *)sqlite3_column_text(s, 2));
        out->body = sqlite3_column_int64(s, 3);
        rc = 0;
    }
    sqlite3_reset(s);
    return rc;
}

static bool is_member(kt_store *st, int64_t body, int64_t person)
{
    sqlite3_stmt *s = kt_store_stmt(st, "SELECT 1 FROM memberships WHERE body_id = ?1 AND "
                                        "person_id = ?2");
    if (!s)
        return false;
    sqlite3_bind_int64(s, 1, body);
    sqlite3_bind_int64(s, 2, person);
    bool yes = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_reset(s);
    return yes;
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
