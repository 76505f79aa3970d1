/* search: one box across agenda items, verslagen, besluiten, actions and chat (issue 13).
 *
 * Order of work, and why: (1) the store returns candidates only from the reader's bodies;
 * (2) each candidate passes kt_acl_visible() for the reader's view of its body, at read time;
 * (3) only then is anything counted or ranked. BM25 here takes its statistics (how many rows
 * hold a word) from the visible candidates alone, with a fixed corpus size and average length,
 * so a row the reader may not see changes no score, no order and no total. */
#include "domain/search.h"

#include "domain/handlers.h"
#include "domain/model.h"
#include "store/search.h"

#include "detect/text.h"
#include "util/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Candidates looked at per query (newest first); more would cost time for little. */
#define SEARCH_MAX_CANDIDATES 20000
/* BM25 with constants instead of corpus-wide statistics (see above). */
#define BM25_K1    1.2
#define BM25_B     0.75
#define BM25_AVGDL 60.0
#define BM25_N     1000000.0

typedef struct terms {
    char w[KT_SEARCH_MAX_TERMS][KT_TEXT_MAX_WORD];
    const char *p[KT_SEARCH_MAX_TERMS];
    size_t n;
} terms;

static int add_term(const kt_word *w, void *ctx)
{
    terms *t = ctx;
    if (t->n == KT_SEARCH_MAX_TERMS)
        return 1;
    if (kt_text_is_stopword(w->folded) || (w->len < 2 && !w->digits))
        return 0;
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->w[i], w->folded))
            return 0;
    memcpy(t->w[t->n], w->folded, (size_t)w->len + 1);
    t->p[t->n] = t->w[t->n];
    t->n++;
    return 0;
}

typedef struct view {
    int64_t body;
    kt_viewer v;
    int64_t *items; /* storage behind v.items */
} view;

static void views_free(view *vs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(vs[i].items);
    free(vs);
}

/* The reader's view of each body they belong to (sorted by body). */
static int load_views(kt_store *st, const kt_principal *me, int64_t only, view **out, size_t *n)
{
    json_t *ms = NULL;
    int rc = kt_store_search_memberships(st, me->person, &ms);
    if (rc)
        return rc;
    *n = 0;
    *out = calloc(json_array_size(ms) + 1, sizeof **out);
    if (!*out) {
        json_decref(ms);
        return KT_ENOMEM;
    }
    size_t i;
    json_t *m;
    json_array_foreach(ms, i, m)
    {
        int64_t body = json_integer_value(json_object_get(m, "body"));
        if (only && body != only)
            continue;
        view *w = &(*out)[(*n)++];
        w->body = body;
        w->v.person = me->person;
        w->v.org = me->org;
        w->v.admin = me->admin;
        w->v.role = kt_role_parse(json_string_value(json_object_get(m, "role")));
        w->v.n_items = -1;
        json_t *items = json_object_get(m, "items");
        if (json_is_array(items)) {
            size_t k, ni = json_array_size(items);
            w->items = calloc(ni ? ni : 1, sizeof *w->items);
            if (!w->items) {
                json_decref(ms);
                return KT_ENOMEM;
            }
            json_t *x;
            json_array_foreach(items, k, x) w->items[k] = json_integer_value(x);
            w->v.items = w->items;
            w->v.n_items = (int)ni;
        }
    }
    json_decref(ms);
    return 0;
}

static const view *view_of(const view *vs, size_t n, int64_t body)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (vs[mid].body < body)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && vs[lo].body == body ? &vs[lo] : NULL;
}

/* Whether the reader may see the candidate: the one visibility function, with the row's
 * visibility as it is now. */
static int visible(kt_store *st, const view *w, const kt_search_cand *cand, bool *ok)
{
    kt_vis vis = {0};
    if (cand->kind == KT_SEARCH_MINUTES) {
        vis.agenda_wide = true; /* a verslag speaks of every item */
    } else if (cand->item && cand->confidential) {
        int rc = kt_item_vis_load(st, cand->item, &vis);
        if (rc == KT_ENOTFOUND) {
            *ok = false;
            return 0;
        }
        if (rc)
            return rc;
    } else if (cand->item) {
        vis.item = cand->item;
    }
    *ok = kt_acl_visible(&w->v, &vis);
    kt_vis_clear(&vis);
    return 0;
}

typedef struct ranked {
    const kt_search_cand *c;
    double score;
} ranked;

static int by_score(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    if (x->c->at != y->c->at)
        return x->c->at < y->c->at ? 1 : -1;
    return x->c->id < y->c->id ? 1 : (x->c->id > y->c->id ? -1 : 0);
}

/* "aanpak \x02drugslabs\x03 in ..." -> [{"text": "aanpak "}, {"text": "drugslabs", "hit": true},
 * ...]: the client renders text, never markup. */
static json_t *segments(const char *s)
{
    json_t *a = json_array();
    if (!a || !s)
        return a;
    bool hit = false;
    const char *p = s;
    while (*p) {
        const char *e = p;
        while (*e && *e != '\x02' && *e != '\x03')
            e++;
        if (e > p) {
            json_t *seg = json_pack("{s:s%}", "text", p, (size_t)(e - p));
            if (seg && hit)
                json_object_set_new(seg, "hit", json_true());
            json_array_append_new(a, seg);
        }
        if (!*e)
            break;
        hit = *e == '\x02';
        p = e + 1;
    }
    return a;
}

static json_t *hit_json(kt_store *st, const kt_search_query *q, const ranked *r)
{
    json_t *show = NULL;
    if (kt_store_search_show(st, q, r->c, &show))
        return NULL;
    json_t *title = segments(json_string_value(json_object_get(show, "title")));
    json_t *snippet = segments(json_string_value(json_object_get(show, "snippet")));
    json_object_set_new(show, "title", title);
    json_object_set_new(show, "snippet", snippet);
    json_object_set_new(show, "kind", json_string(r->c->subkind));
    json_object_set_new(show, "id", json_integer(r->c->id));
    json_object_set_new(show, "body", json_integer(r->c->body));
    json_object_set_new(show, "score", json_real(round(r->score * 1000) / 1000));
    return show;
}

int kt_search_run(kt_store *st, const kt_principal *me, const char *text, int64_t only,
                  size_t limit, size_t offset, json_t **out)
{
    *out = NULL;
    terms t = {.n = 0};
    kt_text_words(text, add_term, &t);
    if (!t.n)
        return KT_SEARCH_EMPTY;
    if (!limit)
        limit = 20;
    view *views = NULL;
    size_t nviews = 0;
    int rc = load_views(st, me, only, &views, &nviews);
    if (rc) {
        views_free(views, nviews);
        return rc;
    }
    if (only && !nviews) {
        views_free(views, nviews);
        return KT_SEARCH_NOT_MEMBER;
    }
    json_t *hits = json_array();
    json_t *result =
        json_pack("{s:s, s:o, s:i, s:b}", "q", text, "hits", hits, "total", 0, "more", 0);
    if (!result) {
        views_free(views, nviews);
        return KT_ENOMEM;
    }
    if (!nviews) {
        views_free(views, nviews);
        *out = result;
        return 0;
    }
    int64_t *bodies = calloc(nviews, sizeof *bodies);
    if (!bodies) {
        views_free(views, nviews);
        json_decref(result);
        return KT_ENOMEM;
    }
    for (size_t i = 0; i < nviews; i++)
        bodies[i] = views[i].body;
    kt_search_query q = {t.p, t.n, bodies, nviews, SEARCH_MAX_CANDIDATES};
    kt_search_cand *cands = NULL;
    size_t ncand = 0;
    bool truncated = false;
    rc = kt_store_search_candidates(st, &q, &cands, &ncand, &truncated);
    ranked *vis = rc ? NULL : calloc(ncand + 1, sizeof *vis);
    size_t nvis = 0;
    if (!rc && !vis)
        rc = KT_ENOMEM;
    /* (2) visibility, before anything is counted */
    for (size_t i = 0; !rc && i < ncand; i++) {
        const view *w = view_of(views, nviews, cands[i].body);
        bool ok = false;
        if (w && !(rc = visible(st, w, &cands[i], &ok)) && ok)
            vis[nvis++].c = &cands[i];
    }
    /* (3) BM25 over the visible rows only */
    if (!rc) {
        double idf[KT_SEARCH_MAX_TERMS];
        for (size_t k = 0; k < t.n; k++) {
            size_t df = 0;
            for (size_t i = 0; i < nvis; i++)
                df += vis[i].c->tf[k] > 0;
            idf[k] = log(1.0 + (BM25_N - (double)df + 0.5) / ((double)df + 0.5));
        }
        for (size_t i = 0; i < nvis; i++) {
            double s = 0, norm = BM25_K1 * (1 - BM25_B + BM25_B * vis[i].c->len / BM25_AVGDL);
            for (size_t k = 0; k < t.n; k++) {
                double tf = vis[i].c->tf[k];
                s += idf[k] * tf * (BM25_K1 + 1) / (tf + norm);
            }
            vis[i].score = s;
        }
        qsort(vis, nvis, sizeof *vis, by_score);
        for (size_t i = offset; i < nvis && i < offset + limit; i++) {
            json_t *h = hit_json(st, &q, &vis[i]);
            if (h)
                json_array_append_new(hits, h);
        }
        json_object_set_new(result, "total", json_integer((json_int_t)nvis));
        json_object_set_new(result, "more", json_boolean(offset + limit < nvis || truncated));
    }
    free(vis);
    free(cands);
    free(bodies);
    views_free(views, nviews);
    if (rc) {
        json_decref(result);
        return rc;
    }
    *out = result;
    return 0;
}

int kt_h_search(kt_ctx *c)
{
    json_t *r = NULL;
    int rc =
        kt_search_run(c->st, c->me, kt_arg_str(c, "q"), kt_arg_int(c, "body", 0),
                      (size_t)kt_arg_int(c, "limit", 20), (size_t)kt_arg_int(c, "offset", 0), &r);
    if (rc == KT_SEARCH_EMPTY)
        return kt_fail(c, KT_C_SEARCH_QUERY_EMPTY, NULL);
    if (rc == KT_SEARCH_NOT_MEMBER)
        return kt_fail(c, KT_C_NOT_MEMBER, NULL);
    if (rc)
        return kt_fail_err(c, rc);
    c->result = r;
    return 0;
}
