/* The search index's typed operations; see search.h.
 *
 * SQLite: one FTS5 query "{title text}: (t1 AND t2) AND scope: (b1 OR b2 ...)" so the index
 * intersects the words with the reader's bodies before any row is read; kt_hits() reports the
 * per-term hits and the length each candidate needs for BM25 (store/sqlite/fts_dutch.h).
 * PostgreSQL (store/pg/search.h): the same tokenizer in C decides what matches, counts and marks;
 * SQL only narrows the rows down. */
#include "store/search.h"

#include "feed/strbuf.h"
#include "store/db.h"
#include "store/pg/search.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_quoted(kt_strbuf *b, const char *s)
{
    kt_sb_add(b, "\"");
    for (const char *p = s; *p; p++)
        kt_sb_add(b, *p == '"' ? "\"\"" : (char[]){*p, 0});
    kt_sb_add(b, "\"");
}

/* The FTS5 query for q (terms first: kt_hits reports phrases in this order). */
static char *match_expr(const kt_search_query *q)
{
    kt_strbuf b = {0};
    kt_sb_add(&b, "{title text} : (");
    for (size_t i = 0; i < q->nterms; i++) {
        if (i)
            kt_sb_add(&b, " AND ");
        add_quoted(&b, q->terms[i]);
    }
    kt_sb_add(&b, ") AND scope : (");
    for (size_t i = 0; i < q->nbodies; i++)
        kt_sb_addf(&b, "%sb%lld", i ? " OR " : "", (long long)q->bodies[i]);
    kt_sb_add(&b, ")");
    return kt_sb_take(&b);
}

static kt_search_kind kind_of_rowid(int64_t rowid)
{
    return (kt_search_kind)(rowid & 7);
}

static void read_hits(const char *s, kt_search_cand *c, size_t nterms)
{
    char *end;
    c->len = s ? (uint32_t)strtoul(s, &end, 10) : 0;
    for (size_t i = 0; s && i < nterms; i++) {
        s = end;
        unsigned long v = strtoul(s, &end, 10);
        c->tf[i] = v > 65535 ? 65535 : (uint16_t)v;
    }
}

int kt_store_search_candidates(kt_store *st, const kt_search_query *q, kt_search_cand **out,
                               size_t *n, bool *truncated)
{
    *out = NULL;
    *n = 0;
    *truncated = false;
    if (!q->nterms || q->nterms > KT_SEARCH_MAX_TERMS || !q->nbodies || !q->max)
        return KT_EINVAL;
    if (st->dialect == KT_DIALECT_PG)
        return kt_pg_search_candidates(st, q, out, n, truncated);
    char *expr = match_expr(q);
    if (!expr)
        return KT_ENOMEM;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT rowid, kind, body, meeting, item, conf, at, "
                                      "kt_hits(search) FROM search WHERE search MATCH ?1 "
                                      "ORDER BY rowid DESC LIMIT ?2");
    if (!s) {
        free(expr);
        return KT_ESTORE;
    }
    kt_db_bind_text(s, 1, expr);
    kt_db_bind_int(s, 2, (int64_t)q->max + 1);
    size_t cap = 0;
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW) {
        if (*n == q->max) {
            *truncated = true;
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            kt_search_cand *a = realloc(*out, cap * sizeof *a);
            if (!a) {
                rc = KT_ENOMEM;
                break;
            }
            *out = a;
        }
        kt_search_cand *c = &(*out)[(*n)++];
        memset(c, 0, sizeof *c);
        int64_t rowid = kt_db_int(s, 0);
        c->id = rowid >> 3;
        c->kind = kind_of_rowid(rowid);
        snprintf(c->subkind, sizeof c->subkind, "%s", kt_db_text(s, 1) ? kt_db_text(s, 1) : "");
        c->body = kt_db_int(s, 2);
        c->meeting = kt_db_int(s, 3);
        c->item = kt_db_int(s, 4);
        c->confidential = kt_db_int(s, 5) != 0;
        c->at = kt_db_int(s, 6);
        read_hits(kt_db_text(s, 7), c, q->nterms);
    }
    kt_db_reset(s);
    free(expr);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

static const kt_db_col ctx_cols[] = {
    {"body_name", KT_COL_TEXT}, {"meeting", KT_COL_INT},     {"starts_at", KT_COL_TIME},
    {"item", KT_COL_INT},       {"item_title", KT_COL_TEXT}, {"author", KT_COL_TEXT},
    {"status", KT_COL_TEXT},    {"due", KT_COL_TEXT},        {NULL, 0}};

static int context(kt_store *st, const kt_search_cand *c, json_t **out)
{
    const char *sql = NULL;
    switch (c->kind) {
    case KT_SEARCH_ITEM:
        sql = "SELECT b.name, i.meeting_id, m.starts_at, i.id, i.title, NULL, i.status, NULL "
              "FROM items i JOIN bodies b ON b.id = i.body_id "
              "LEFT JOIN meetings m ON m.id = i.meeting_id WHERE i.id = ?1";
        break;
    case KT_SEARCH_MINUTES:
        sql = "SELECT b.name, m.id, m.starts_at, NULL, NULL, NULL, m.status, NULL "
              "FROM meetings m JOIN bodies b ON b.id = m.body_id WHERE m.id = ?1";
        break;
    case KT_SEARCH_ACTION:
        sql = "SELECT b.name, i.meeting_id, m.starts_at, a.origin_item_id, i.title, NULL, "
              "a.status, a.due_date FROM actions a JOIN bodies b ON b.id = a.body_id "
              "LEFT JOIN items i ON i.id = a.origin_item_id "
              "LEFT JOIN meetings m ON m.id = i.meeting_id WHERE a.id = ?1";
        break;
    case KT_SEARCH_NOTES:
        sql =
            "SELECT b.name, i.meeting_id, m.starts_at, i.id, i.title, NULL, NULL, NULL "
            "FROM item_notes n JOIN items i ON i.id = n.item_id JOIN bodies b ON b.id = i.body_id "
            "LEFT JOIN meetings m ON m.id = i.meeting_id WHERE n.item_id = ?1";
        break;
    case KT_SEARCH_MESSAGE:
        sql = "SELECT b.name, i.meeting_id, m.starts_at, g.item_id, i.title, p.name, NULL, NULL "
              "FROM messages g JOIN bodies b ON b.id = g.body_id "
              "JOIN persons p ON p.id = g.person_id LEFT JOIN items i ON i.id = g.item_id "
              "LEFT JOIN meetings m ON m.id = i.meeting_id WHERE g.id = ?1";
        break;
    }
    if (!sql)
        return KT_EINVAL;
    kt_db_stmt *s = kt_db_prepare(st, sql);
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, c->id);
    return kt_db_one_json(s, ctx_cols, out);
}

int kt_store_search_show(kt_store *st, const kt_search_query *q, const kt_search_cand *c,
                         json_t **out)
{
    *out = NULL;
    int rc = context(st, c, out);
    if (rc)
        return rc;
    if (st->dialect == KT_DIALECT_PG) {
        if ((rc = kt_pg_search_marks(st, q, c, *out))) {
            json_decref(*out);
            *out = NULL;
        }
        return rc;
    }
    char *expr = match_expr(q);
    if (!expr) {
        json_decref(*out);
        *out = NULL;
        return KT_ENOMEM;
    }
    kt_db_stmt *s = kt_db_prepare(st, "SELECT highlight(search, 0, char(2), char(3)), "
                                      "snippet(search, 1, char(2), char(3), '\xE2\x80\xA6', 24) "
                                      "FROM search WHERE search MATCH ?1 AND rowid = ?2");
    if (!s) {
        free(expr);
        json_decref(*out);
        *out = NULL;
        return KT_ESTORE;
    }
    kt_db_bind_text(s, 1, expr);
    kt_db_bind_int(s, 2, c->id * 8 + c->kind);
    rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        json_object_set_new(*out, "title", json_string(kt_db_text(s, 0) ? kt_db_text(s, 0) : ""));
        json_object_set_new(*out, "snippet", json_string(kt_db_text(s, 1) ? kt_db_text(s, 1) : ""));
    }
    kt_db_reset(s);
    free(expr);
    if (rc != KT_DB_ROW) {
        json_decref(*out);
        *out = NULL;
        return rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
    }
    return 0;
}

static const kt_db_col member_cols[] = {
    {"body", KT_COL_INT}, {"role", KT_COL_TEXT}, {"items", KT_COL_JSON}, {NULL, 0}};

int kt_store_search_memberships(kt_store *st, int64_t person, json_t **out)
{
    *out = json_array();
    if (!*out)
        return KT_ENOMEM;
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT body_id, role, items FROM memberships WHERE person_id = ?1 ORDER BY body_id");
    if (!s) {
        json_decref(*out);
        *out = NULL;
        return KT_ESTORE;
    }
    kt_db_bind_int(s, 1, person);
    int rc = kt_db_rows_json(s, member_cols, *out);
    if (rc) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
