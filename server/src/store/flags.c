#include "store/flags.h"

#include "store/db.h"
#include "util/err.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kt_store_flag_clear(kt_flag_row *r)
{
    free(r->note);
    free(r->evidence);
    r->note = r->evidence = NULL;
}

int kt_store_flag_get(kt_store *st, int64_t id, kt_flag_row *r)
{
    memset(r, 0, sizeof *r);
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT id, kind, state, note, lead_body_id, score, evidence, fingerprint, body_a, "
            "meeting_a, item_a, body_b, meeting_b, item_b, projected_b, created_at, updated_at, "
            "resolved_by FROM flags WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        r->id = kt_db_int(s, 0);
        snprintf(r->kind, sizeof r->kind, "%s", kt_db_text(s, 1));
        snprintf(r->state, sizeof r->state, "%s", kt_db_text(s, 2));
        r->note = kt_db_dup(s, 3);
        r->lead = kt_db_int(s, 4);
        r->score = kt_db_double(s, 5);
        r->evidence = kt_db_dup(s, 6);
        snprintf(r->fingerprint, sizeof r->fingerprint, "%s", kt_db_text(s, 7));
        for (int k = 0; k < 2; k++) {
            r->body[k] = kt_db_int(s, 8 + 3 * k);
            r->meeting[k] = kt_db_int(s, 9 + 3 * k);
            r->item[k] = kt_db_int(s, 10 + 3 * k);
        }
        r->projected_b = kt_db_int(s, 14);
        r->created = kt_db_int(s, 15);
        r->updated = kt_db_int(s, 16);
        r->resolved_by = kt_db_int(s, 17);
        if (!r->note || !r->evidence)
            rc = KT_ENOMEM;
    }
    kt_db_reset(s);
    if (rc < 0)
        kt_store_flag_clear(r);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_flag_by_key(kt_store *st, const char *key, kt_flag_row *r)
{
    memset(r, 0, sizeof *r);
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT id, state, fingerprint, evidence FROM flags WHERE key = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, key);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        r->id = kt_db_int(s, 0);
        snprintf(r->state, sizeof r->state, "%s", kt_db_text(s, 1));
        snprintf(r->fingerprint, sizeof r->fingerprint, "%s", kt_db_text(s, 2));
        r->evidence = kt_db_dup(s, 3);
        if (!r->evidence)
            rc = KT_ENOMEM;
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

/* A flag's id: derived from its key (what it is about) alone, BLAKE2b-64 of the key, 52 bits
 * (exact in a JavaScript number). So an id says nothing of other flags: a global sequence
 * showed a chair, in the gap between two of her flags, that a flag was raised meanwhile that
 * she may not see (issue 11). Taken already (about one in 2^52 / flags): the next free one. */
static int64_t flag_id_of(const char *key)
{
    unsigned char h[8];
    crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | h[i];
    v &= (UINT64_C(1) << 52) - 1;
    return v ? (int64_t)v : 1;
}

/* Whether an item (an SQL expression; NULL: none) is confidential: a flag's mark of that side. */
#define CONF_OF(x) "COALESCE((SELECT i.confidential FROM items i WHERE i.id = " x "), 0)"

int kt_store_flag_insert(kt_store *st, const kt_flag_new *f, int64_t now, int64_t *id)
{
    int64_t want = flag_id_of(f->key);
    for (int tries = 0;; tries++, want = want % ((INT64_C(1) << 52) - 1) + 1) {
        kt_db_stmt *q = kt_db_prepare(st, "SELECT 1 FROM flags WHERE id = ?1");
        if (!q)
            return KT_ESTORE;
        kt_db_bind_int(q, 1, want);
        int rc = kt_db_exists(q);
        if (rc == KT_ENOTFOUND)
            break;
        if (rc || tries == 64)
            return rc ? rc : KT_ESTORE;
    }
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO flags(id, kind, key, score, evidence, fingerprint, body_a, meeting_a, "
            "item_a, body_b, meeting_b, item_b, projected_b, created_at, updated_at, conf_a, "
            "conf_b) VALUES (?14, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
            "?13, " CONF_OF("?8") ", " CONF_OF("?11") ") RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, f->kind);
    kt_db_bind_text(s, 2, f->key);
    kt_db_bind_double(s, 3, f->score);
    kt_db_bind_text(s, 4, f->evidence);
    kt_db_bind_text(s, 5, f->fingerprint);
    kt_db_bind_int(s, 6, f->body_a);
    kt_db_bind_ref(s, 7, f->meeting_a);
    kt_db_bind_ref(s, 8, f->item_a);
    kt_db_bind_int(s, 9, f->body_b);
    kt_db_bind_ref(s, 10, f->meeting_b);
    kt_db_bind_ref(s, 11, f->item_b);
    kt_db_bind_ref(s, 12, f->projected_b);
    kt_db_bind_int(s, 13, now);
    kt_db_bind_int(s, 14, want);
    return kt_db_one_int(s, id);
}

int kt_store_flag_refresh(kt_store *st, int64_t id, double score, const char *evidence,
                          const char *fingerprint, bool reopen, int64_t now)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "UPDATE flags SET score = ?2, evidence = ?3, fingerprint = ?4, "
                          "state = CASE WHEN ?5 = 1 THEN 'open' ELSE state END, "
                          "resolved_by = CASE WHEN ?5 = 1 THEN NULL ELSE resolved_by END, "
                          "updated_at = ?6 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_double(s, 2, score);
    kt_db_bind_text(s, 3, evidence);
    kt_db_bind_text(s, 4, fingerprint);
    kt_db_bind_int(s, 5, reopen);
    kt_db_bind_int(s, 6, now);
    return kt_db_run(s, NULL);
}

int kt_store_flag_lapse(kt_store *st, int64_t id, int64_t now)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "UPDATE flags SET state = 'vervallen', updated_at = ?2 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, now);
    return kt_db_run(s, NULL);
}

int kt_store_flag_resolve(kt_store *st, int64_t id, const char *state, const char *note,
                          int64_t lead, int64_t by, int64_t now)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "UPDATE flags SET state = ?2, note = coalesce(?3, note), lead_body_id = ?4, "
            "resolved_by = CASE WHEN ?2 = 'open' THEN NULL ELSE CAST(?5 AS BIGINT) END, "
            "resolved_at = ?6, "
            "updated_at = ?6 WHERE id = ?1 AND state <> 'vervallen'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, state);
    kt_db_bind_text(s, 3, note);
    kt_db_bind_ref(s, 4, lead);
    kt_db_bind_int(s, 5, by);
    kt_db_bind_int(s, 6, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ESTATE;
}

int kt_store_flags_involving(kt_store *st, const char *kind, int64_t meeting, int64_t item,
                             int other_conf, int64_t *ids, char **keys, int max, int *n)
{
    *n = 0;
    /* Two statements, so each can use its indexes (an OR of parameters would scan). By item
     * and the other side's mark, the index (item_a, conf_b) reads the flags of the side asked
     * for only: the others cost nothing, however many there are. */
    kt_db_stmt *s;
    if (meeting)
        s = kt_db_prepare(st, "SELECT id, key FROM flags WHERE meeting_a = ?2 AND kind = ?1 AND "
                              "state <> 'vervallen' UNION SELECT id, key FROM flags WHERE "
                              "meeting_b = ?2 AND kind = ?1 AND state <> 'vervallen'");
    else if (other_conf < 0)
        s = kt_db_prepare(st, "SELECT id, key FROM flags WHERE item_a = ?2 AND kind = ?1 AND "
                              "state <> 'vervallen' UNION SELECT id, key FROM flags WHERE item_b "
                              "= ?2 AND kind = ?1 AND state <> 'vervallen'");
    else
        s = kt_db_prepare(st, "SELECT id, key FROM flags WHERE item_a = ?2 AND conf_b = ?3 AND "
                              "kind = ?1 AND state <> 'vervallen' UNION SELECT id, key FROM flags "
                              "WHERE item_b = ?2 AND conf_a = ?3 AND kind = ?1 AND state <> "
                              "'vervallen'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, kind);
    kt_db_bind_int(s, 2, meeting ? meeting : item);
    if (!meeting && other_conf >= 0)
        kt_db_bind_int(s, 3, other_conf);
    int rc = 0;
    while (*n < max && (rc = kt_db_step(s)) == KT_DB_ROW) {
        keys[*n] = kt_db_dup(s, 1);
        if (!keys[*n]) {
            rc = KT_ENOMEM;
            break;
        }
        ids[(*n)++] = kt_db_int(s, 0);
    }
    kt_db_reset(s);
    if (rc < 0) {
        for (int i = 0; i < *n; i++)
            free(keys[i]);
        *n = 0;
        return rc;
    }
    return 0;
}

int kt_store_flags_item_marks(kt_store *st, int64_t item, bool confidential, bool hidden)
{
    /* At once (hidden false): through the index, the flags whose other item is open only. In
     * the batch (hidden true): every flag of the item whose mark is not so yet. */
    static const char *const sql[2][2] = {
        {"UPDATE flags SET conf_a = ?2 WHERE item_a = ?1 AND conf_b = 0 AND conf_a <> ?2",
         "UPDATE flags SET conf_b = ?2 WHERE item_b = ?1 AND conf_a = 0 AND conf_b <> ?2"},
        {"UPDATE flags SET conf_a = ?2 WHERE item_a = ?1 AND conf_a <> ?2",
         "UPDATE flags SET conf_b = ?2 WHERE item_b = ?1 AND conf_b <> ?2"}};
    for (int k = 0; k < 2; k++) {
        kt_db_stmt *s = kt_db_prepare(st, sql[hidden][k]);
        if (!s)
            return KT_ESTORE;
        kt_db_bind_int(s, 1, item);
        kt_db_bind_int(s, 2, confidential ? 1 : 0);
        int rc = kt_db_run(s, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

int kt_store_flags_batch_ran(kt_store *st, int64_t at)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO confidential_batches (id, runs, last_at) VALUES (1, 1, ?1) "
            "ON CONFLICT (id) DO UPDATE SET runs = confidential_batches.runs + 1, last_at = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, at);
    return kt_db_run(s, NULL);
}

int kt_store_flags_page(kt_store *st, int64_t body, const char *state, int64_t after_at,
                        int64_t after_id, int max, int64_t *ids, int64_t *ats, int *n)
{
    *n = 0;
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT id, updated_at FROM flags WHERE (body_a = ?1 OR body_b = ?1) AND "
            "(CAST(?2 AS TEXT) IS NULL AND state <> 'vervallen' OR state = ?2) AND (?4 = 0 OR "
            "updated_at < ?3 OR (updated_at = ?3 AND id < ?4)) ORDER BY updated_at DESC, id DESC "
            "LIMIT ?5");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_text(s, 2, state);
    kt_db_bind_int(s, 3, after_at);
    kt_db_bind_int(s, 4, after_id);
    kt_db_bind_int(s, 5, max);
    int rc = 0;
    while (*n < max && (rc = kt_db_step(s)) == KT_DB_ROW) {
        ids[*n] = kt_db_int(s, 0);
        ats[*n] = kt_db_int(s, 1);
        (*n)++;
    }
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_flags_projection_dependents(kt_store *st, int64_t body, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT DISTINCT meeting_a FROM flags WHERE body_b = ?1 "
                                      "AND projected_b IS NOT NULL AND state <> 'vervallen'");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_ivec found = {0};
    int rc = kt_db_ids(s, &found);
    for (size_t i = 0; !rc && i < found.n; i++)
        rc = kt_ivec_add(out, found.v[i]);
    kt_ivec_free(&found);
    return rc;
}

int kt_store_flag_decisions_each(kt_store *st, kt_flag_decision_fn fn, void *arg)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT item_a, item_b, state FROM flags WHERE kind = 'duplicate' AND state IN "
            "('afgestemd', 'bewust_dubbel', 'geen_overlap') AND item_a IS NOT NULL AND item_b IS "
            "NOT NULL ORDER BY resolved_at, id");
    if (!s)
        return KT_ESTORE;
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        fn(arg, kt_db_int(s, 0), kt_db_int(s, 1), kt_db_text(s, 2));
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

/* ---- abbreviations ---- */

int kt_store_abbreviations_list(kt_store *st, json_t *arr)
{
    static const kt_db_col cols[] = {{"abbr", KT_COL_TEXT}, {"expansion", KT_COL_TEXT}, {NULL, 0}};
    kt_db_stmt *s = kt_db_prepare(
        st, kt_db_sql(st, "SELECT abbr, expansion FROM abbreviations ORDER BY abbr COLLATE NOCASE",
                      "SELECT abbr, expansion FROM abbreviations ORDER BY lower(abbr)"));
    return s ? kt_db_rows_json(s, cols, arr) : KT_ESTORE;
}

int kt_store_abbreviation_set(kt_store *st, const char *abbr, const char *expansion, int64_t now)
{
    kt_db_stmt *s =
        expansion ? kt_db_prepare(st, "INSERT INTO abbreviations(abbr, expansion, created_at) "
                                      "VALUES (?1, ?2, ?3) ON CONFLICT(abbr) DO UPDATE SET "
                                      "expansion = excluded.expansion")
                  : kt_db_prepare(st, "DELETE FROM abbreviations WHERE abbr = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, abbr);
    if (expansion) {
        kt_db_bind_text(s, 2, expansion);
        kt_db_bind_int(s, 3, now);
    }
    return kt_db_run(s, NULL);
}

int kt_store_abbreviations_each(kt_store *st,
                                void (*fn)(void *arg, const char *abbr, const char *expansion),
                                void *arg)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT abbr, expansion FROM abbreviations");
    if (!s)
        return KT_ESTORE;
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        fn(arg, kt_db_text(s, 0), kt_db_text(s, 1));
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}
