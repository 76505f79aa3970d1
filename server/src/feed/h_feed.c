/* Ops on the caller's own feed links (feed/feeds.h). The URL with its secret is in the reply to
 * feed.create and nowhere else: feed.list and the events show feeds without it. */
#include "domain/handlers.h"
#include "domain/model.h"
#include "feed/feeds.h"
#include "feed/notify.h"
#include "store/bodies.h"
#include "store/feeds.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static int emit_feed(kt_ctx *c, const char *type, json_t *feed)
{
    kt_vis vis = {.subject = c->me->person};
    return kt_emit(c, kt_person_stream(c->me->person), type, &vis,
                   json_pack("{s:O}", "feed", feed));
}

int kt_h_feed_list(kt_ctx *c)
{
    json_t *feeds = json_array();
    int rc = kt_store_feeds_list(c->st, c->me->person, feeds);
    if (rc) {
        json_decref(feeds);
        return kt_fail_err(c, rc);
    }
    c->result = json_pack("{s:o}", "feeds", feeds);
    return 0;
}

/* A body's calendar is for its members: checked here and again at every fetch. */
static int check_body(kt_ctx *c, int64_t body)
{
    int rc = kt_store_body_exists(c->st, body);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Dit overleg bestaat niet.");
    if (rc)
        return kt_fail_err(c, rc);
    kt_viewer v;
    int64_t *items = NULL;
    rc = kt_viewer_load(c->st, body, c->me, &v, &items);
    free(items);
    if (rc)
        return kt_fail_err(c, rc);
    if (v.role == KT_ROLE_NONE)
        return kt_fail(c, KT_C_NOT_MEMBER, "Alleen leden krijgen de agenda van dit overleg.");
    return 0;
}

int kt_h_feed_create(kt_ctx *c)
{
    const char *kind = kt_arg_str(c, "kind");
    int64_t body = kt_arg_int(c, "body", 0);
    bool body_kind = strcmp(kind, "body_ical") == 0;
    if (body_kind && !body)
        return kt_fail(c, KT_C_MISSING_ARGUMENT, "De agenda van een overleg heeft 'body' nodig.");
    if (!body_kind && body)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "'body' hoort alleen bij kind body_ical.");
    if (body_kind && check_body(c, body))
        return -1;
    char token[KT_TOKEN_LEN + 1], url[KT_FEED_URL_MAX];
    int64_t id;
    int rc = kt_feed_create(c->st, c->me->person, kind, body, token, &id);
    if (rc == KT_EFULL)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "U heeft al %d feeds. Trek er eerst een in die u niet meer gebruikt.",
                       KT_FEEDS_MAX);
    if (rc)
        return kt_fail_err(c, rc);
    json_t *feed;
    if ((rc = kt_store_feed_get(c->st, id, &feed)))
        return kt_fail_err(c, rc);
    if (emit_feed(c, "feed.created", feed)) {
        json_decref(feed);
        return -1;
    }
    kt_feed_url(c->app, kind, token, url, sizeof url);
    c->secret_result = true; /* the URL is shown once: never kept for a replay */
    c->result = json_pack("{s:o, s:s}", "feed", feed, "url", url);
    return 0;
}

int kt_h_feed_revoke(kt_ctx *c)
{
    int64_t id = kt_arg_int(c, "feed", 0);
    int rc = kt_feed_revoke(c->st, c->me->person, id);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze feed bestaat niet.");
    if (rc)
        return kt_fail_err(c, rc);
    json_t *feed;
    if ((rc = kt_store_feed_get(c->st, id, &feed)))
        return kt_fail_err(c, rc);
    if (emit_feed(c, "feed.revoked", feed)) {
        json_decref(feed);
        return -1;
    }
    c->result = json_pack("{s:o}", "feed", feed);
    return 0;
}
