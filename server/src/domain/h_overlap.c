/* The overlap map ("overlegkaart") and "waar hoort dit thuis?". Structure (who sits where, which
 * organisations, who meets in the same weeks) comes from the store; what the agendas are about
 * comes from the body profiles (detect/profiles.h), which never count confidential items. What a
 * body discussed is told in words only to its members. */
#include "detect/detect.h"
#include "detect/profiles.h"
#include "domain/handlers.h"
#include "domain/model.h"
#include "domain/views.h"
#include "store/bodies.h"
#include "store/directory.h"
#include "store/meetings.h"
#include "store/memberships.h"
#include "util/err.h"
#include "util/imap.h"
#include "util/ivec.h"
#include "util/timeutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUGGESTIONS 20
#define MAP_WEEKS_MAX   128

/* ---- helpers ---- */

/* Whether the caller may hear in words what body discussed: a member who sees the body's
 * agenda as a whole. A guest limited to some items is no such member: the words of a body's
 * agenda profile come from items they may not see. *role receives the caller's role. */
static bool member_of(kt_ctx *c, int64_t body, kt_role *role)
{
    kt_store_member m;
    *role = KT_ROLE_NONE;
    bool limited = false;
    if (kt_store_membership_find(c->st, body, c->me->person, &m) == 0) {
        *role = kt_role_parse(m.role);
        limited = m.n_items >= 0;
    }
    free(m.items);
    return *role != KT_ROLE_NONE && !limited;
}

static json_t *body_brief(kt_store *st, int64_t body)
{
    json_t *b = kt_body_json(st, body);
    if (!b)
        return NULL;
    json_object_del(b, "mandate");
    json_object_del(b, "location");
    json_object_del(b, "updated_at");
    return b;
}

/* ---- waar hoort dit thuis? ---- */

static json_t *visible_items(kt_ctx *c, int64_t body, const int64_t *items)
{
    json_t *out = json_array();
    kt_viewer v;
    int64_t *storage = NULL;
    if (kt_viewer_load(c->st, body, c->me, &v, &storage))
        return out;
    for (int k = 0; k < KT_PROF_ITEMS && items[k]; k++) {
        kt_vis vis;
        if (kt_item_vis_load(c->st, items[k], &vis))
            continue;
        bool ok = kt_acl_visible(&v, &vis);
        kt_vis_clear(&vis);
        json_t *it = ok ? kt_item_json(c->st, items[k]) : NULL;
        if (!it)
            continue;
        json_t *m = json_integer_value(json_object_get(it, "meeting"))
                        ? kt_meeting_json(c->st, json_integer_value(json_object_get(it, "meeting")))
                        : NULL;
        json_array_append_new(
            out, json_pack("{s:O, s:O, s:O, s:o}", "id", json_object_get(it, "id"), "title",
                           json_object_get(it, "title"), "meeting", json_object_get(it, "meeting"),
                           "start", m ? json_incref(json_object_get(m, "start")) : json_null()));
        json_decref(m);
        json_decref(it);
    }
    free(storage);
    return out;
}

static void why_suggest(const kt_body_rank *r, bool member, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = 0;
    if (r->mandate_words[0] && r->mandate > 0)
        o += (size_t)snprintf(buf + o, n - o, "Het mandaat gaat over %s", r->mandate_words);
    if (o < n && r->matching_items) {
        const char *items = r->matching_items == 1 ? "agendapunt" : "agendapunten";
        if (member && r->agenda_words[0])
            o += (size_t)snprintf(buf + o, n - o, "%s%u %s over %s", o ? "; " : "",
                                  r->matching_items, items, r->agenda_words);
        else
            o += (size_t)snprintf(buf + o, n - o, "%s%u %s over dit onderwerp", o ? "; " : "",
                                  r->matching_items, items);
    }
    if (o < n && !o)
        snprintf(buf, n, "Sluit aan bij de onderwerpen van dit overleg");
    else if (o < n - 1)
        snprintf(buf + o, n - o, ".");
}

int kt_h_body_suggest(kt_ctx *c)
{
    if (!c->app->detect)
        return kt_fail(c, KT_C_INVALID_STATE, "De detectie is op deze server niet actief.");
    kt_body_rank ranks[MAX_SUGGESTIONS];
    int64_t limit = kt_arg_int(c, "limit", 5);
    /* Without a scope, where the caller works: their organisation's municipality or region.
     * An explicit null asks for every body. */
    json_t *org = NULL;
    if (!kt_arg_has(c, "scope")) {
        int rc = kt_store_org_get(c->st, c->me->org, &org);
        if (rc && rc != KT_ENOTFOUND)
            return kt_fail_err(c, rc);
    }
    const char *scope =
        org ? json_string_value(json_object_get(org, "scope")) : kt_arg_str(c, "scope");
    int n = kt_detect_suggest(c->app->detect, kt_arg_str(c, "text"), scope, ranks,
                              (size_t)(limit ? limit : 5));
    c->result = json_pack("{s:o}", "scope", scope ? json_string(scope) : json_null());
    json_decref(org);
    if (n < 0)
        return kt_fail_err(c, n);
    json_t *out = json_array();
    bool good = false;
    for (int i = 0; i < n; i++) {
        json_t *b = body_brief(c->st, ranks[i].body_id);
        if (!b)
            continue;
        kt_role role;
        bool words = member_of(c, ranks[i].body_id, &role), member = role != KT_ROLE_NONE;
        char why[400];
        why_suggest(&ranks[i], words, why, sizeof why);
        json_array_append_new(
            out,
            json_pack("{s:o, s:f, s:f, s:f, s:s, s:o, s:I, s:o, s:b, s:o, s:s}", "body", b, "score",
                      ranks[i].score, "mandate", ranks[i].mandate, "agenda", ranks[i].agenda,
                      "mandate_words", ranks[i].mandate_words, "agenda_words",
                      words ? json_string(ranks[i].agenda_words) : json_null(), "matching_items",
                      (json_int_t)ranks[i].matching_items, "items",
                      member ? visible_items(c, ranks[i].body_id, ranks[i].items) : json_array(),
                      "member", member, "role",
                      member ? json_string(kt_role_name(role)) : json_null(), "why", why));
        /* Whom to ask: the chair and secretary (directory information, for everyone). */
        json_t *last = json_array_get(out, json_array_size(out) - 1);
        json_object_set_new(last, "contacts", kt_body_contacts(c->st, ranks[i].body_id));
        /* How well it fits: the share of the text the body knows, not only its rank. */
        const char *fit = ranks[i].coverage >= KT_PROF_FIT_GOOD   ? "goed"
                          : ranks[i].coverage >= KT_PROF_FIT_WEAK ? "matig"
                                                                  : "zwak";
        good |= fit[0] == 'g';
        json_object_set_new(last, "fit", json_string(fit));
    }
    json_object_set_new(c->result, "suggestions", out);
    json_object_set_new(c->result, "good_fit", json_boolean(good));
    return 0;
}

/* ---- the overlap map ---- */

/* The candidate pairs are those that share a person, whose agendas are alike, or that share an
 * organisation sitting in few bodies (at most ORG_PAIR_BODIES); organisations and same weeks are
 * then counted for those. (Pairing every two bodies of a large organisation would be quadratic:
 * a regional police unit sits in a thousand bodies, and sharing it says little on its own.)
 * Names are fetched only for the pairs that are listed. */
#define ORG_PAIR_BODIES 24
typedef struct pair {
    int64_t a, b;
    int persons, orgs, weeks;
    double agenda, score;
    char shared[KT_SIM_SHARED_MAX];
} pair;

typedef struct map {
    kt_imap index; /* (a << 32 | b) -> pair index + 1 */
    pair *v;
    size_t n, cap;
} map;

static pair *pair_get(map *m, int64_t a, int64_t b)
{
    if (a > b) {
        int64_t t = a;
        a = b;
        b = t;
    }
    int64_t key = (a << 32) | b;
    uintptr_t at = (uintptr_t)kt_imap_get(&m->index, key);
    if (at)
        return &m->v[at - 1];
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        pair *v = realloc(m->v, cap * sizeof *v);
        if (!v)
            return NULL;
        m->v = v;
        m->cap = cap;
    }
    pair *p = &m->v[m->n++];
    memset(p, 0, sizeof *p);
    p->a = a;
    p->b = b;
    if (kt_imap_put(&m->index, key, (void *)(uintptr_t)m->n)) {
        m->n--;
        return NULL;
    }
    return p;
}

static void map_free(map *m)
{
    free(m->v);
    kt_imap_free(&m->index);
}

typedef struct pairs_fill {
    map *m;
    int rc;
} pairs_fill;

static void shared_pair(void *arg, int64_t a, int64_t b, int64_t n)
{
    pairs_fill *f = arg;
    pair *p = f->rc ? NULL : pair_get(f->m, a, b);
    if (!p)
        f->rc = KT_ENOMEM;
    else
        p->persons = (int)n;
}

static int shared_persons(kt_store *st, map *m)
{
    pairs_fill f = {m, 0};
    int rc = kt_store_body_pairs_by_person(st, shared_pair, &f);
    return rc ? rc : f.rc;
}

static int body_org(void *arg, int64_t body, int64_t org)
{
    kt_imap *out = arg;
    kt_ivec *orgs = kt_imap_get(out, body);
    if (!orgs) {
        orgs = calloc(1, sizeof *orgs);
        if (!orgs || kt_imap_put(out, body, orgs)) {
            free(orgs);
            return KT_ENOMEM;
        }
    }
    return kt_ivec_push(orgs, org);
}

/* Per body, the sorted organisations of its participating members. */
static int body_orgs(kt_store *st, kt_imap *out)
{
    return kt_store_body_orgs(st, body_org, out);
}

/* Pairs of the bodies of each organisation that sits in few bodies. */
static int small_org_pairs(kt_imap *orgs, map *m)
{
    kt_imap by_org = {0}; /* org -> kt_ivec of bodies */
    int rc = 0;
    for (size_t i = 0; !rc && i < orgs->cap; i++) {
        if (!orgs->slots[i].key)
            continue;
        const kt_ivec *list = orgs->slots[i].val;
        for (size_t k = 0; !rc && k < list->n; k++) {
            kt_ivec *bodies = kt_imap_get(&by_org, list->v[k]);
            if (!bodies) {
                bodies = calloc(1, sizeof *bodies);
                if (!bodies || kt_imap_put(&by_org, list->v[k], bodies)) {
                    free(bodies);
                    rc = KT_ENOMEM;
                    break;
                }
            }
            if (bodies->n <= ORG_PAIR_BODIES)
                rc = kt_ivec_push(bodies, orgs->slots[i].key);
        }
    }
    for (size_t i = 0; !rc && i < by_org.cap; i++) {
        if (!by_org.slots[i].key)
            continue;
        const kt_ivec *bodies = by_org.slots[i].val;
        if (bodies->n > ORG_PAIR_BODIES)
            continue;
        for (size_t x = 0; !rc && x < bodies->n; x++)
            for (size_t y = x + 1; !rc && y < bodies->n; y++)
                if (!pair_get(m, bodies->v[x], bodies->v[y]))
                    rc = KT_ENOMEM;
    }
    for (size_t i = 0; i < by_org.cap; i++)
        if (by_org.slots[i].key) {
            kt_ivec_free(by_org.slots[i].val);
            free(by_org.slots[i].val);
        }
    kt_imap_free(&by_org);
    return rc;
}

static int common_orgs(kt_imap *orgs, int64_t a, int64_t b)
{
    const kt_ivec *x = kt_imap_get(orgs, a), *y = kt_imap_get(orgs, b);
    int n = 0;
    for (size_t i = 0, j = 0; x && y && i < x->n && j < y->n;) {
        if (x->v[i] < y->v[j])
            i++;
        else if (x->v[i] > y->v[j])
            j++;
        else
            n++, i++, j++;
    }
    return n;
}

typedef struct weeks_fill {
    kt_imap *weeks;
    int64_t first_week;
    int rc;
} weeks_fill;

static void meeting_week(void *arg, int64_t body, int64_t start)
{
    weeks_fill *f = arg;
    int64_t w = kt_local_week(start) - f->first_week;
    if (f->rc || w < 0 || w >= MAP_WEEKS_MAX)
        return;
    uint64_t *bits = kt_imap_get(f->weeks, body);
    if (!bits) {
        bits = calloc(MAP_WEEKS_MAX / 64, sizeof *bits);
        if (!bits || kt_imap_put(f->weeks, body, bits)) {
            free(bits);
            f->rc = KT_ENOMEM;
            return;
        }
    }
    bits[w / 64] |= 1ull << (w % 64);
}

/* Calendar weeks (ISO, Monday to Sunday in Europe/Amsterdam, counted from the week of `from`) in
 * which each body meets, as bitmaps: "in dezelfde week" means what a person reads in a calendar. */
static int meeting_weeks(kt_store *st, int64_t from, int64_t to, kt_imap *weeks)
{
    weeks_fill f = {weeks, kt_local_week(from), 0};
    int rc = kt_store_meeting_starts(st, from, to, meeting_week, &f);
    return rc ? rc : f.rc;
}

static int common_weeks(kt_imap *weeks, int64_t a, int64_t b)
{
    uint64_t *x = kt_imap_get(weeks, a), *y = kt_imap_get(weeks, b);
    int n = 0;
    for (int i = 0; x && y && i < MAP_WEEKS_MAX / 64; i++)
        n += __builtin_popcountll(x[i] & y[i]);
    return n;
}

static void free_values(kt_imap *m, bool ivecs)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key) {
            if (ivecs)
                kt_ivec_free(m->slots[i].val);
            free(m->slots[i].val);
        }
    kt_imap_free(m);
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static void join_names(json_t *names, int total, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < json_array_size(names) && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? " · " : "",
                              json_string_value(json_array_get(names, i)));
    if (total > (int)json_array_size(names) && o < n)
        snprintf(buf + o, n - o, " en %d meer", total - (int)json_array_size(names));
}

static void why_pair(const pair *p, json_t *persons, json_t *orgs, bool words, char *buf, size_t n)
{
    size_t o = 0;
    char names[300];
    buf[0] = 0;
    if (p->persons) {
        join_names(persons, p->persons, names, sizeof names);
        o += (size_t)snprintf(buf + o, n - o, "%d gedeelde %s (%s)", p->persons,
                              p->persons == 1 ? "persoon" : "personen", names);
    }
    if (p->orgs && o < n) {
        join_names(orgs, p->orgs, names, sizeof names);
        o += (size_t)snprintf(buf + o, n - o, "%s%d gedeelde %s (%s)", o ? "; " : "", p->orgs,
                              p->orgs == 1 ? "organisatie" : "organisaties", names);
    }
    if (p->agenda > 0 && o < n) {
        if (words && p->shared[0])
            o += (size_t)snprintf(buf + o, n - o, "%svergelijkbare agenda's (%s)", o ? "; " : "",
                                  p->shared);
        else
            o += (size_t)snprintf(buf + o, n - o, "%svergelijkbare agenda's", o ? "; " : "");
    }
    if (p->weeks && o < n)
        o += (size_t)snprintf(buf + o, n - o, "%s%d keer in dezelfde week vergaderd", o ? "; " : "",
                              p->weeks);
    if (o > 0 && o < n - 1)
        snprintf(buf + o, n - o, ".");
}

static int cmp_pair(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    return a->score < b->score ? 1 : a->score > b->score ? -1 : 0;
}

/* The pair as the reply lists it into *out: 0 or a KT_E* (a store error; nothing made). */
static int pair_json(kt_ctx *c, const pair *p, json_t **out)
{
    /* Up to five names of what the two bodies share, for the listed pairs only. */
    json_t *persons = json_array(), *orgs = json_array();
    int rc = kt_store_shared_person_names(c->st, p->a, p->b, 5, persons);
    if (!rc)
        rc = kt_store_shared_org_names(c->st, p->a, p->b, 5, orgs);
    if (rc) {
        json_decref(persons);
        json_decref(orgs);
        return rc;
    }
    kt_role ra, rb;
    /* What two agendas share is told in words only to who sits in both. */
    bool words = member_of(c, p->a, &ra) && member_of(c, p->b, &rb);
    char why[900];
    why_pair(p, persons, orgs, words, why, sizeof why);
    *out = json_pack("{s:I, s:I, s:f, s:i, s:i, s:f, s:i, s:o, s:o, s:o, s:s}", "a",
                     (json_int_t)p->a, "b", (json_int_t)p->b, "score", p->score, "persons",
                     p->persons, "orgs", p->orgs, "agenda", p->agenda, "same_weeks", p->weeks,
                     "person_names", persons, "org_names", orgs, "agenda_words",
                     words && p->shared[0] ? json_string(p->shared) : json_null(), "why", why);
    return *out ? 0 : KT_ENOMEM;
}

/* The bodies of a scope: of that municipality or region, and for a region also those of its
 * municipalities. KT_ENOTFOUND for an unknown scope. */
static int scope_bodies(kt_store *st, const char *scope, kt_imap *out)
{
    int64_t id;
    int rc = kt_store_scope_find(st, scope, &id);
    if (rc)
        return rc;
    kt_ivec ids = {0};
    rc = kt_store_bodies_in_scope(st, id, &ids);
    for (size_t i = 0; !rc && i < ids.n; i++)
        rc = kt_imap_put(out, ids.v[i], (void *)1);
    kt_ivec_free(&ids);
    return rc;
}

int kt_h_overlap_map(kt_ctx *c)
{
    if (!c->app->detect)
        return kt_fail(c, KT_C_INVALID_STATE, "De detectie is op deze server niet actief.");
    int64_t days = kt_arg_int(c, "days", 182), limit = kt_arg_int(c, "limit", 200);
    int64_t only = kt_arg_int(c, "body", 0);
    kt_imap in_scope = {0}; /* bodies of the scope asked for (empty: all) */
    const char *scope = kt_arg_str(c, "scope");
    if (scope && scope_bodies(c->st, scope, &in_scope)) {
        kt_imap_free(&in_scope);
        return kt_fail(c, KT_C_NOT_FOUND, "Onbekend gebied '%s'.", scope);
    }
    if (!days)
        days = 182;
    if (!limit)
        limit = 200;
    map m = {0};
    kt_imap orgs = {0}, weeks = {0};
    kt_body_pair *ap = NULL;
    size_t nap = 0;
    int64_t now = kt_now();
    int rc = shared_persons(c->st, &m);
    if (!rc)
        rc = kt_detect_pairs(c->app->detect, 0.1, &ap, &nap);
    for (size_t i = 0; !rc && i < nap; i++) {
        pair *p = pair_get(&m, ap[i].a, ap[i].b);
        if (!p) {
            rc = KT_ENOMEM;
            break;
        }
        p->agenda = ap[i].score;
        snprintf(p->shared, sizeof p->shared, "%s", ap[i].shared);
    }
    free(ap);
    if (!rc)
        rc = body_orgs(c->st, &orgs);
    if (!rc)
        rc = small_org_pairs(&orgs, &m);
    if (!rc)
        rc = meeting_weeks(c->st, now - days * 86400, now + days * 86400, &weeks);
    for (size_t i = 0; !rc && i < m.n; i++) {
        pair *p = &m.v[i];
        p->orgs = common_orgs(&orgs, p->a, p->b);
        p->weeks = common_weeks(&weeks, p->a, p->b);
        p->score = 0.35 * clamp01(p->agenda / 0.5) + 0.3 * clamp01(p->persons / 4.0) +
                   0.2 * clamp01(p->orgs / 6.0) + 0.15 * clamp01(p->weeks / 4.0);
    }
    if (!rc && m.n > 1)
        qsort(m.v, m.n, sizeof *m.v, cmp_pair);
    json_t *pairs = json_array();
    for (size_t i = 0; !rc && i < m.n && (int64_t)json_array_size(pairs) < limit; i++) {
        if (only && m.v[i].a != only && m.v[i].b != only)
            continue;
        if (scope && (!kt_imap_get(&in_scope, m.v[i].a) || !kt_imap_get(&in_scope, m.v[i].b)))
            continue;
        json_t *j = NULL;
        rc = pair_json(c, &m.v[i], &j);
        if (!rc)
            json_array_append_new(pairs, j);
    }
    free_values(&orgs, true);
    free_values(&weeks, false);
    map_free(&m);
    if (rc) {
        kt_imap_free(&in_scope);
        json_decref(pairs);
        return kt_fail_err(c, rc);
    }
    json_t *bodies = json_array();
    kt_ivec ids = {0};
    if (kt_store_bodies_ids(c->st, &ids) == 0) {
        for (size_t i = 0; i < ids.n; i++) {
            if (scope && !kt_imap_get(&in_scope, ids.v[i]))
                continue;
            json_t *b = body_brief(c->st, ids.v[i]);
            if (b)
                json_array_append_new(bodies, b);
        }
    }
    kt_ivec_free(&ids);
    kt_imap_free(&in_scope);
    /* The reply within 1 MiB (PROTOCOL.md): the strongest pairs and the bodies by name that
     * fit; more says some were left out (ask for a scope, a body or a lower limit). */
    bool more = kt_page_cut_to(pairs, (size_t)limit, KT_PAGE_BYTES * 3 / 4);
    more = kt_page_cut_to(bodies, (size_t)-1, KT_PAGE_BYTES / 4) || more;
    c->result = json_pack("{s:o, s:o, s:I, s:b}", "bodies", bodies, "pairs", pairs, "days",
                          (json_int_t)days, "more", more);
    return 0;
}
