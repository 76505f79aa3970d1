#include "store/memberships.h"

#include "store/backend.h"
#include "store/db.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The guest's item limit, stored as a JSON array of ids. */
static int parse_items(const char *text, kt_store_member *out)
{
    out->items = NULL;
    out->n_items = -1;
    if (!text)
        return 0;
    json_t *arr = json_loads(text, 0, NULL);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return 0;
    }
    size_t n = json_array_size(arr);
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items) {
        json_decref(arr);
        return KT_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        out->items[i] = json_integer_value(json_array_get(arr, i));
    out->n_items = (int)n;
    json_decref(arr);
    return 0;
}

/* A membership's role and items from columns col and col + 1 of the row (both NULL when an
 * outer join found none: role "", no limit); KT_DB_ROW, or the error. */
static int member_of_texts(const char *role, const char *items, kt_store_member *out)
{
    snprintf(out->role, sizeof out->role, "%s", role ? role : "");
    int rc = parse_items(items, out);
    return rc ? rc : KT_DB_ROW;
}

static int member_of_row(kt_db_stmt *s, int col, kt_store_member *out)
{
    return member_of_texts(kt_db_text(s, col), kt_db_text(s, col + 1), out);
}

/* ---- memberships remembered across transactions ----
 *
 * Every write on a body reads the body and the writer's membership first (dispatch.c); on
 * PostgreSQL that read is a round trip the write waits for. The store remembers what it read
 * (per body and person, the row's role and items as their texts) and, the next time a write
 * transaction asks, answers from memory and has the server check it later (kt_db_check_later):
 * the check goes out with the write's next statement, in its round trip, under the writers' lock
 * (store/pg/pg.c), so it sees exactly what the write's own statements see. When the row changed
 * meanwhile (another node, or an earlier write of the same transaction) the check fails the
 * write with KT_ESTALE before anything commits; everything remembered is forgotten and the
 * dispatcher runs the write again, now reading. What the store remembers is thus never trusted,
 * only a guess that saves the round trip when it is right. Only in write transactions, not in an
 * operation that runs isolated after its group was rolled back, and only where the backend can
 * defer a check (PostgreSQL; SQLite reads in-process). */

#define MEMO_SLOTS 1024

typedef struct memo_entry {
    int64_t body, person; /* body 0: empty */
    char *role, *items;   /* NULL: SQL NULL */
} memo_entry;

struct kt_member_memo {
    memo_entry e[MEMO_SLOTS];
};

static memo_entry *memo_slot(kt_store *st, int64_t body, int64_t person)
{
    if (!st->member_memo && !(st->member_memo = calloc(1, sizeof *st->member_memo)))
        return NULL;
    uint64_t h = ((uint64_t)body * 0x9E3779B97F4A7C15u) ^ ((uint64_t)person * 0xC2B2AE3D27D4EB4Fu);
    return &st->member_memo->e[(h >> 32) % MEMO_SLOTS];
}

static void memo_entry_clear(memo_entry *e)
{
    free(e->role);
    free(e->items);
    *e = (memo_entry){0};
}

void kt_store_member_memo_forget(kt_store *st)
{
    if (st->member_memo)
        for (int i = 0; i < MEMO_SLOTS; i++)
            if (st->member_memo->e[i].body)
                memo_entry_clear(&st->member_memo->e[i]);
}

void kt_store_member_memo_free(kt_store *st)
{
    kt_store_member_memo_forget(st);
    free(st->member_memo);
    st->member_memo = NULL;
}

static bool memo_usable(kt_store *st)
{
    return kt_db_can_check_later(st) && st->txn_depth && st->txn_write &&
           !(st->in_op && st->op_isolated);
}

static void memo_put(kt_store *st, int64_t body, int64_t person, const char *role,
                     const char *items)
{
    memo_entry *e = memo_slot(st, body, person);
    if (!e)
        return;
    memo_entry_clear(e);
    char *r = role ? strdup(role) : NULL, *i = items ? strdup(items) : NULL;
    if ((role && !r) || (items && !i)) { /* out of memory: not remembered */
        free(r);
        free(i);
        return;
    }
    *e = (memo_entry){.body = body, .person = person, .role = r, .items = i};
}

int kt_store_membership_find(kt_store *st, int64_t body, int64_t person, kt_store_member *out)
{
    memset(out, 0, sizeof *out);
    out->n_items = -1;
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT role, items FROM memberships WHERE body_id = ?1 AND person_id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW)
        rc = member_of_row(s, 0, out);
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_body_membership_find(kt_store *st, int64_t body, int64_t person, kt_store_member *out)
{
    memset(out, 0, sizeof *out);
    out->n_items = -1;
    bool memo = memo_usable(st) && body > 0;
    memo_entry *e = memo ? memo_slot(st, body, person) : NULL;
    if (e && e->body == body && e->person == person) {
        kt_db_stmt *s = kt_db_prepare(
            st, "SELECT CASE WHEN m.role IS NOT DISTINCT FROM CAST(?3 AS TEXT) AND m.items IS NOT "
                "DISTINCT FROM CAST(?4 AS TEXT) THEN 1 ELSE 0 END FROM bodies b LEFT JOIN "
                "memberships m ON m.body_id = b.id AND m.person_id = ?2 WHERE b.id = ?1");
        if (!s)
            return KT_ESTORE;
        kt_db_bind_int(s, 1, body);
        kt_db_bind_int(s, 2, person);
        kt_db_bind_text(s, 3, e->role);
        kt_db_bind_text(s, 4, e->items);
        int rc = kt_db_check_later(s, 1);
        if (rc)
            return rc;
        rc = member_of_texts(e->role, e->items, out);
        return rc == KT_DB_ROW ? 0 : rc;
    }
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT m.role, m.items FROM bodies b LEFT JOIN memberships m ON m.body_id = b.id AND "
            "m.person_id = ?2 WHERE b.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        if (memo)
            memo_put(st, body, person, kt_db_text(s, 0), kt_db_text(s, 1));
        rc = member_of_row(s, 0, out);
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_viewer_find(kt_store *st, int64_t body, int64_t person, int64_t *org, bool *admin,
                         kt_store_member *out)
{
    memset(out, 0, sizeof *out);
    out->n_items = -1;
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT p.org_id, p.is_admin, m.role, m.items FROM persons p LEFT JOIN memberships m "
            "ON m.body_id = ?1 AND m.person_id = p.id WHERE p.id = ?2 AND p.active = 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *org = kt_db_int(s, 0);
        *admin = kt_db_int(s, 1) != 0;
        rc = member_of_row(s, 2, out);
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

#define MEMBER_SELECT                                                                              \
    "SELECT m.body_id, m.person_id, p.name, p.org_id, o.name, p.function, m.role, "                \
    "m.substitute_for, m.items FROM memberships m JOIN persons p ON p.id = m.person_id "           \
    "JOIN organisations o ON o.id = p.org_id "

static const kt_db_col member_cols[] = {{"body", KT_COL_INT},      {"person", KT_COL_INT},
                                        {"name", KT_COL_TEXT},     {"org", KT_COL_INT},
                                        {"org_name", KT_COL_TEXT}, {"function", KT_COL_TEXT},
                                        {"role", KT_COL_TEXT},     {"substitute_for", KT_COL_INT},
                                        {"items", KT_COL_JSON},    {NULL, 0}};

int kt_store_membership_get(kt_store *st, int64_t body, int64_t person, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, MEMBER_SELECT "WHERE m.body_id = ?1 AND m.person_id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    return kt_db_one_json(s, member_cols, out);
}

int kt_store_members_list(kt_store *st, int64_t body, int64_t offset, int limit, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(st, MEMBER_SELECT "WHERE m.body_id = ?1 ORDER BY o.name, "
                                                    "p.name, p.id LIMIT ?2 OFFSET ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, limit);
    kt_db_bind_int(s, 3, offset);
    return kt_db_rows_json(s, member_cols, arr);
}

int kt_store_members_ids(kt_store *st, int64_t body, int64_t org, bool chairs_only, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT m.person_id FROM memberships m JOIN persons p ON p.id = m.person_id "
            "WHERE m.body_id = ?1 AND p.active = 1 AND (?2 = 0 OR p.org_id = ?2) AND "
            "(?3 = 0 OR m.role IN ('voorzitter', 'secretaris'))");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, org);
    kt_db_bind_int(s, 3, chairs_only);
    return kt_db_ids(s, out);
}

int kt_store_body_contacts(kt_store *st, int64_t body, json_t *arr)
{
    static const kt_db_col cols[] = {{"person", KT_COL_INT},
                                     {"name", KT_COL_TEXT},
                                     {"email", KT_COL_TEXT},
                                     {"role", KT_COL_TEXT},
                                     {NULL, 0}};
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT p.id, p.name, p.email, m.role FROM memberships m JOIN persons p ON p.id = "
            "m.person_id WHERE m.body_id = ?1 AND m.role IN ('voorzitter', 'secretaris') "
            "ORDER BY m.role DESC, p.name");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    return kt_db_rows_json(s, cols, arr);
}

int kt_store_membership_insert(kt_store *st, int64_t body, int64_t person, const char *role,
                               int64_t sub, const char *items_json, int64_t now)
{
    kt_store_member_memo_forget(st); /* remembered: a guess the next check would refuse */
    /* since_seq: the stream's head now; the membership.added that follows is the first event
     * the new member may replay. */
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO memberships(body_id, person_id, role, "
                                      "substitute_for, items, created_at, since_seq) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce((SELECT seq FROM "
                                      "streams WHERE body_id = ?1), 0))");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    kt_db_bind_text(s, 3, role);
    kt_db_bind_ref(s, 4, sub);
    kt_db_bind_text(s, 5, items_json);
    kt_db_bind_int(s, 6, now);
    return kt_db_run(s, NULL);
}

int kt_store_membership_update(kt_store *st, int64_t body, int64_t person, const char *role,
                               int64_t sub, const char *items_json)
{
    kt_store_member_memo_forget(st); /* remembered: a guess the next check would refuse */
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE memberships SET role = ?3, substitute_for = ?4, "
                                      "items = ?5 WHERE body_id = ?1 AND person_id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    kt_db_bind_text(s, 3, role);
    kt_db_bind_ref(s, 4, sub);
    kt_db_bind_text(s, 5, items_json);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}

int kt_store_membership_delete(kt_store *st, int64_t body, int64_t person)
{
    kt_store_member_memo_forget(st);
    kt_db_stmt *s =
        kt_db_prepare(st, "DELETE FROM memberships WHERE body_id = ?1 AND person_id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    if (rc)
        return rc;
    if (!n)
        return KT_ENOTFOUND;
    s = kt_db_prepare(st, "UPDATE memberships SET substitute_for = NULL WHERE body_id = ?1 "
                          "AND substitute_for = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    return kt_db_run(s, NULL);
}

/* ---- for the detectors and the overlap map ---- */

int kt_store_roster(kt_store *st, int64_t body, kt_roster_row **out, int *n)
{
    *out = NULL;
    *n = 0;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT m.person_id, p.org_id, m.role, m.substitute_for, "
                                      "m.items IS NOT NULL FROM memberships m JOIN persons p ON "
                                      "p.id = m.person_id WHERE m.body_id = ?1 AND p.active = 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    int rc, cap = 0;
    while ((rc = kt_db_step(s)) == KT_DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            kt_roster_row *v = realloc(*out, (size_t)cap * sizeof *v);
            if (!v) {
                rc = KT_ENOMEM;
                break;
            }
            *out = v;
        }
        kt_roster_row *r = &(*out)[(*n)++];
        r->person = kt_db_int(s, 0);
        r->org = kt_db_int(s, 1);
        snprintf(r->role, sizeof r->role, "%s", kt_db_text(s, 2));
        r->substitute_for = kt_db_int(s, 3);
        r->limited = kt_db_int(s, 4) != 0;
    }
    kt_db_reset(s);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int kt_store_body_pairs_by_person(kt_store *st,
                                  void (*fn)(void *arg, int64_t a, int64_t b, int64_t n), void *arg)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT m1.body_id, m2.body_id, count(*) FROM memberships m1 JOIN memberships m2 ON "
            "m2.person_id = m1.person_id AND m2.body_id > m1.body_id JOIN persons p ON p.id = "
            "m1.person_id WHERE m1.role <> 'waarnemer' AND m2.role <> 'waarnemer' AND "
            "p.active = 1 GROUP BY m1.body_id, m2.body_id");
    if (!s)
        return KT_ESTORE;
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        fn(arg, kt_db_int(s, 0), kt_db_int(s, 1), kt_db_int(s, 2));
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_body_orgs(kt_store *st, int (*fn)(void *arg, int64_t body, int64_t org), void *arg)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT DISTINCT m.body_id, p.org_id FROM memberships m "
                                      "JOIN persons p ON p.id = m.person_id WHERE m.role <> "
                                      "'waarnemer' AND p.active = 1 ORDER BY m.body_id, p.org_id");
    if (!s)
        return KT_ESTORE;
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        if ((rc = fn(arg, kt_db_int(s, 0), kt_db_int(s, 1))))
            break;
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

static int names_into(kt_db_stmt *s, int64_t a, int64_t b, int max, json_t *arr)
{
    kt_db_bind_int(s, 1, a);
    kt_db_bind_int(s, 2, b);
    kt_db_bind_int(s, 3, max);
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        json_array_append_new(arr, json_string(kt_db_text(s, 0)));
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_shared_person_names(kt_store *st, int64_t a, int64_t b, int max, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT p.name FROM memberships m1 JOIN memberships m2 ON m2.person_id = m1.person_id "
            "JOIN persons p ON p.id = m1.person_id WHERE m1.body_id = ?1 AND m2.body_id = ?2 AND "
            "m1.role <> 'waarnemer' AND m2.role <> 'waarnemer' AND p.active = 1 ORDER BY p.name "
            "LIMIT ?3");
    return s ? names_into(s, a, b, max, arr) : KT_ESTORE;
}

int kt_store_shared_org_names(kt_store *st, int64_t a, int64_t b, int max, json_t *arr)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT o.name FROM organisations o WHERE o.id IN (SELECT p.org_id FROM memberships m "
            "JOIN persons p ON p.id = m.person_id WHERE m.body_id = ?1 AND m.role <> 'waarnemer' "
            "AND p.active = 1) AND o.id IN (SELECT p.org_id FROM memberships m JOIN persons p ON "
            "p.id = m.person_id WHERE m.body_id = ?2 AND m.role <> 'waarnemer' AND p.active = 1) "
            "ORDER BY o.name LIMIT ?3");
    return s ? names_into(s, a, b, max, arr) : KT_ESTORE;
}

/* ---- guest limits and replay floors (issue 11) ---- */

static int drop_from(kt_store *st, int64_t body, int64_t person, const char *items, int64_t item)
{
    kt_store_member_memo_forget(st); /* remembered: a guess the next check would refuse */
    json_t *old = json_loads(items, 0, NULL), *kept = json_array(), *x;
    size_t i;
    json_array_foreach(old, i, x) if (json_integer_value(x) != item) json_array_append(kept, x);
    json_decref(old);
    char *text = json_dumps(kept, JSON_COMPACT);
    json_decref(kept);
    if (!text)
        return KT_ENOMEM;
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE memberships SET items = ?3 WHERE body_id = ?1 AND "
                                      "person_id = ?2");
    int rc = KT_ESTORE;
    if (s) {
        kt_db_bind_int(s, 1, body);
        kt_db_bind_int(s, 2, person);
        kt_db_bind_text(s, 3, text);
        rc = kt_db_run(s, NULL);
    }
    free(text);
    return rc;
}

int kt_store_memberships_drop_item(kt_store *st, int64_t body, int64_t item, kt_ivec *changed)
{
    /* The guests of one body are few: read their limits and keep the others' items. */
    kt_db_stmt *s = kt_db_prepare(st, "SELECT person_id, items FROM memberships WHERE body_id = "
                                      "?1 AND items IS NOT NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_ivec persons = {0};
    json_t *lists = json_array();
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW) {
        json_t *items = json_loads(kt_db_text(s, 1), 0, NULL);
        bool has = false;
        size_t i;
        json_t *x;
        json_array_foreach(items, i, x) has = has || json_integer_value(x) == item;
        if (has && !kt_ivec_push(&persons, kt_db_int(s, 0)))
            json_array_append_new(lists, json_string(kt_db_text(s, 1)));
        json_decref(items);
    }
    kt_db_reset(s);
    rc = rc < 0 ? rc : 0;
    for (size_t i = 0; !rc && i < persons.n; i++) {
        rc = drop_from(st, body, persons.v[i], json_string_value(json_array_get(lists, i)), item);
        if (!rc)
            rc = kt_ivec_add(changed, persons.v[i]);
    }
    kt_ivec_free(&persons);
    json_decref(lists);
    return rc;
}

int kt_store_membership_since(kt_store *st, int64_t body, int64_t person, int64_t *since)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT since_seq FROM memberships WHERE body_id = ?1 AND "
                                      "person_id = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    return kt_db_one_int(s, since);
}
