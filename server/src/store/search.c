/* The search index's typed operations; see search.h.
 *
 * Candidates: the words from the index, everything else from the rows as they are now.
 * Indexing: from search_queue, one small transaction per batch, on the indexer's thread.
 *
 * SQLite: one FTS5 query "{title text}: (t1 AND t2) AND scope: (b1 OR b2 ...)" so the index
 * intersects the words with the reader's bodies before any row is read; kt_hits() reports the
 * per-term hits and the length each candidate needs for BM25 (store/sqlite/fts_dutch.h).
 * PostgreSQL (store/pg/search.h): the same tokenizer in C decides what matches, counts and marks;
 * SQL only narrows the rows down. The hits shown are marked by that C code on both backends. */
#include "store/search.h"

#include "feed/strbuf.h"
#include "store/db.h"
#include "store/pg/search.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* The row of a candidate as it is now: body, meeting, item, whether that item is confidential,
 * when, and (actions) what kind. Never the index's copy. */
static const char *const current_sql[] = {
    [KT_SEARCH_ITEM] = "SELECT body_id, meeting_id, id, confidential, created_at, 'agendapunt' "
                       "FROM items WHERE id = ?1",
    [KT_SEARCH_MINUTES] = "SELECT body_id, id, NULL, 0, starts_at, 'verslag' FROM meetings "
                          "WHERE id = ?1 AND minutes <> ''",
    [KT_SEARCH_ACTION] = "SELECT a.body_id, coalesce(i.meeting_id, a.meeting_id), "
                         "a.origin_item_id, coalesce(i.confidential, 0), a.created_at, a.kind "
                         "FROM actions a LEFT JOIN items i ON i.id = a.origin_item_id "
                         "WHERE a.id = ?1",
    [KT_SEARCH_MESSAGE] = "SELECT g.body_id, i.meeting_id, g.item_id, coalesce(i.confidential, "
                          "0), g.created_at, 'chat' FROM messages g LEFT JOIN items i ON i.id = "
                          "g.item_id WHERE g.id = ?1 AND g.deleted_at IS NULL",
    [KT_SEARCH_NOTES] = "SELECT i.body_id, i.meeting_id, i.id, i.confidential, n.updated_at, "
                        "'notulen' FROM item_notes n JOIN items i ON i.id = n.item_id "
                        "WHERE n.item_id = ?1",
};

static bool in_bodies(const kt_search_query *q, int64_t body)
{
    for (size_t i = 0; i < q->nbodies; i++)
        if (q->bodies[i] == body)
            return true;
    return false;
}

/* Fills c from its row as it is now: 0, KT_ENOTFOUND (gone, or no longer in q's bodies) or a
 * store error. */
static int current(kt_store *st, const kt_search_query *q, kt_search_cand *c)
{
    if (c->kind < KT_SEARCH_ITEM || c->kind > KT_SEARCH_NOTES)
        return KT_ENOTFOUND;
    kt_db_stmt *s = kt_db_prepare(st, current_sql[c->kind]);
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, c->id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        c->body = kt_db_int(s, 0);
        c->meeting = kt_db_int(s, 1);
        c->item = kt_db_int(s, 2);
        c->confidential = kt_db_int(s, 3) != 0;
        c->at = kt_db_int(s, 4);
        snprintf(c->subkind, sizeof c->subkind, "%s", kt_db_text(s, 5) ? kt_db_text(s, 5) : "");
        rc = in_bodies(q, c->body) ? 0 : KT_ENOTFOUND;
    } else if (rc == KT_DB_DONE) {
        rc = KT_ENOTFOUND;
    }
    kt_db_reset(s);
    return rc;
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
    kt_db_stmt *s = kt_db_prepare(st, "SELECT rowid, kt_hits(search) FROM search WHERE search "
                                      "MATCH ?1 ORDER BY rowid DESC");
    if (!s) {
        free(expr);
        return KT_ESTORE;
    }
    kt_db_bind_text(s, 1, expr);
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
        kt_search_cand *c = &(*out)[*n];
        memset(c, 0, sizeof *c);
        int64_t rowid = kt_db_int(s, 0);
        c->id = rowid >> 3;
        c->kind = (kt_search_kind)(rowid & 7);
        read_hits(kt_db_text(s, 1), c, q->nterms);
        int cur = current(st, q, c);
        if (cur == KT_ENOTFOUND)
            continue; /* gone, or moved out of the reader's bodies: the index lags */
        if (cur) {
            rc = cur;
            break;
        }
        (*n)++;
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
    /* Marked by the tokenizer in C on both backends (store/pg/search.h), from the row as it is
     * now. SQLite's highlight() and snippet() would need the MATCH run again for every hit
     * shown: at 1,000,000 items that was two thirds of a query's CPU (bench/README.md). */
    if ((rc = kt_pg_search_marks(st, q, c, *out))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
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

/* ---- keeping the index: from the queue, off the write path ---- */

/* The words of a row as it is now: title, text and body. */
static const char *const words_sql[] = {
    [KT_SEARCH_ITEM] = "SELECT title, description, body_id FROM items WHERE id = ?1",
    [KT_SEARCH_MINUTES] = "SELECT '', minutes, body_id FROM meetings WHERE id = ?1 AND "
                          "minutes <> ''",
    [KT_SEARCH_ACTION] = "SELECT '', text, body_id FROM actions WHERE id = ?1",
    [KT_SEARCH_MESSAGE] = "SELECT '', text, body_id FROM messages WHERE id = ?1",
    [KT_SEARCH_NOTES] = "SELECT '', n.text, i.body_id FROM item_notes n JOIN items i ON i.id = "
                        "n.item_id WHERE n.item_id = ?1",
};

/* Replaces the index's words for (kind, id) by the row's words now (none when it is gone). */
/* Indexes one change; *bytes grows by the text it put into the index. */
static int reindex(kt_store *st, int kind, int64_t id, size_t *bytes)
{
    int64_t rowid = id * 8 + kind;
    kt_db_stmt *del = kt_db_prepare(st, "DELETE FROM search WHERE rowid = ?1");
    if (!del)
        return KT_ESTORE;
    kt_db_bind_int(del, 1, rowid);
    int rc = kt_db_run(del, NULL);
    if (rc || kind < KT_SEARCH_ITEM || kind > KT_SEARCH_NOTES)
        return rc;
    kt_db_stmt *s = kt_db_prepare(st, words_sql[kind]);
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    rc = kt_db_step(s);
    if (rc != KT_DB_ROW) {
        kt_db_reset(s);
        return rc == KT_DB_DONE ? 0 : rc;
    }
    char scope[32];
    snprintf(scope, sizeof scope, "b%lld", (long long)kt_db_int(s, 2));
    kt_db_stmt *ins =
        kt_db_prepare(st, "INSERT INTO search(rowid, title, text, scope) VALUES (?1, ?2, ?3, ?4)");
    if (!ins) {
        kt_db_reset(s);
        return KT_ESTORE;
    }
    const char *title = kt_db_text(s, 0) ? kt_db_text(s, 0) : "";
    const char *text = kt_db_text(s, 1) ? kt_db_text(s, 1) : "";
    *bytes += strlen(title) + strlen(text);
    kt_db_bind_int(ins, 1, rowid);
    kt_db_bind_text(ins, 2, title);
    kt_db_bind_text(ins, 3, text);
    kt_db_bind_text(ins, 4, scope);
    rc = kt_db_run(ins, NULL); /* s's texts stay valid until s is reset */
    kt_db_reset(s);
    return rc;
}

int kt_store_search_ready(kt_store *st)
{
    if (st->dialect != KT_DIALECT_SQLITE)
        return 0;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT rowid FROM search WHERE rowid = 0");
    if (!s)
        return KT_ESTORE;
    int rc = kt_db_step(s);
    kt_db_reset(s);
    return rc == KT_DB_ROW || rc == KT_DB_DONE ? 0 : rc;
}

int kt_store_search_refresh(kt_store *st, kt_search_kind kind, int64_t id)
{
    size_t bytes = 0;
    return st->dialect == KT_DIALECT_SQLITE ? reindex(st, (int)kind, id, &bytes) : 0;
}

#define INDEX_BATCH_MAX 512
/* A timed batch also ends once it has indexed this much text: FTS5 keeps what a transaction
 * indexes in memory and writes it (and merges segments) at the commit, which the batch's time
 * budget does not see. Under load, batches of large texts (8,000 actions of 4 KB) held the write
 * lock for seconds in that commit, and a writer of the node waited out its busy timeout. */
#define INDEX_BATCH_BYTES (32 * 1024)
/* A batch gives way to a writer of this process that waits for the lock only once it has
 * indexed this long: each batch costs a commit (FTS5 writes a segment) and two hand-overs of the
 * lock, and one cut after every change met the loop's group commits every time under a stream
 * of writes (64 writers: nearly one index batch per group; bench/README "writes7"). A writer waits
 * a millisecond more at most. */
#define INDEX_YIELD_US 1000

/* FTS5 merges its segments by itself at commits (automerge): once per 64 leaf pages written, up
 * to 64 pages per level of the index at once, and a whole level at once when it holds 16
 * segments (crisismerge), a cascade that can rewrite megabytes in one commit with the write lock
 * held. The index is set once per database (its config rows, for every node) to merge only when
 * asked (automerge 0), a level once it holds INDEX_USERMERGE segments, and in a crisis only at 64.
 * Each batch adds to what merging is owed (INDEX_MERGE_PAGES, and INDEX_MERGE_PER_KB per KiB of
 * text it indexed: a leaf is merged once per level), and a batch that finds INDEX_MERGE_STEP pages
 * owed merges that many: so merging keeps pace with what is written, at most INDEX_MERGE_STEP
 * pages (512 KB) in one commit. Asking for a merge has a cost of its own (~50k instructions: FTS5
 * reads and writes its structure again), so it is asked for every few batches, not at each. */
#define INDEX_AUTOMERGE    0
#define INDEX_USERMERGE    8
#define INDEX_CRISISMERGE  64
#define INDEX_MERGE_PAGES  16
#define INDEX_MERGE_PER_KB 2
#define INDEX_MERGE_STEP   128

static int set_merging(kt_store *st)
{
    static const struct {
        const char *key;
        int value;
    } want[] = {{"automerge", INDEX_AUTOMERGE},
                {"usermerge", INDEX_USERMERGE},
                {"crisismerge", INDEX_CRISISMERGE}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        kt_db_stmt *q = kt_db_prepare(st, "SELECT coalesce((SELECT v FROM search_config WHERE "
                                          "k = ?1), -1)");
        if (!q)
            return KT_ESTORE;
        kt_db_bind_text(q, 1, want[i].key);
        int64_t now = -1;
        int rc = kt_db_one_int(q, &now);
        if (rc)
            return rc;
        if (now == want[i].value)
            continue;
        kt_db_stmt *set = kt_db_prepare(st, "INSERT INTO search(search, rank) VALUES (?1, ?2)");
        if (!set)
            return KT_ESTORE;
        kt_db_bind_text(set, 1, want[i].key);
        kt_db_bind_int(set, 2, want[i].value);
        if ((rc = kt_db_run(set, NULL)))
            return rc;
    }
    return 0;
}

/* What a batch that indexed bytes of text owes to merging, and a bounded step of it once enough
 * is owed. st->search_merge_owed is given back only when the transaction commits. */
static int merge_step(kt_store *st, size_t bytes, int64_t *owed)
{
    *owed =
        st->search_merge_owed + INDEX_MERGE_PAGES + (int64_t)(bytes / 1024) * INDEX_MERGE_PER_KB;
    if (*owed < INDEX_MERGE_STEP)
        return 0;
    kt_db_stmt *m = kt_db_prepare(st, "INSERT INTO search(search, rank) VALUES ('merge', ?1)");
    if (!m)
        return KT_ESTORE;
    kt_db_bind_int(m, 1, INDEX_MERGE_STEP);
    *owed -= INDEX_MERGE_STEP;
    return kt_db_run(m, NULL);
}

static int64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int kt_store_search_index(kt_store *st, int max, int *done, int64_t *left)
{
    return kt_store_search_index_for(st, max, 0, done, left);
}

int kt_store_search_index_for(kt_store *st, int max, int64_t budget_us, int *done, int64_t *left)
{
    *done = 0;
    if (left)
        *left = 0;
    if (st->dialect != KT_DIALECT_SQLITE)
        return KT_ESTATE;
    if (max < 1)
        max = 1;
    if (max > INDEX_BATCH_MAX)
        max = INDEX_BATCH_MAX;
    int64_t pending = 0;
    int rc = kt_store_search_pending(st, &pending); /* a read: no write lock for nothing */
    if (rc || !pending)
        return rc;
    rc = kt_store_begin(st);
    if (rc)
        return rc;
    struct {
        int64_t id;
        int kind;
        int64_t seq; /* its first place in the queue */
        int before;  /* queue rows read before that place */
    } todo[INDEX_BATCH_MAX];
    int n = 0, taken = 0;
    int64_t last = 0;
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT seq, kind, id FROM search_queue ORDER BY seq LIMIT ?1");
    if (!s)
        rc = KT_ESTORE;
    if (!rc) {
        kt_db_bind_int(s, 1, max);
        while ((rc = kt_db_step(s)) == KT_DB_ROW) {
            int kind = (int)kt_db_int(s, 1);
            int64_t id = kt_db_int(s, 2);
            last = kt_db_int(s, 0);
            taken++;
            bool seen = false;
            for (int i = 0; i < n && !seen; i++)
                seen = todo[i].id == id && todo[i].kind == kind;
            if (!seen)
                todo[n].id = id, todo[n].seq = last, todo[n].before = taken - 1,
                todo[n++].kind = kind;
        }
        kt_db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    /* The lock is held from the begin to the commit: a batch also ends once it has used its
     * budget (at least one change is done), so that a writer waiting for the lock waits
     * milliseconds, whatever the rows' size. What it did not reach stays queued, from the first
     * change not done (later copies of changes done are done again: harmless). */
    int64_t t0 = budget_us > 0 ? mono_us() : 0;
    size_t bytes = 0;
    int i = 0;
    for (; !rc && i < n; i++) {
        if (i > 0 && budget_us > 0 &&
            (mono_us() - t0 >= budget_us || bytes >= INDEX_BATCH_BYTES ||
             (st->background && kt_store_writers_waiting() &&
              mono_us() - t0 >= (budget_us < INDEX_YIELD_US ? budget_us : INDEX_YIELD_US)))) {
            last = todo[i].seq - 1;
            taken = todo[i].before;
            break;
        }
        rc = reindex(st, todo[i].kind, todo[i].id, &bytes);
    }
    if (!rc && !st->search_merging_set)
        rc = set_merging(st); /* once per connection: a read when it is set already */
    int64_t owed = st->search_merge_owed;
    if (!rc && taken)
        rc = merge_step(st, bytes, &owed);
    if (!rc && taken) {
        kt_db_stmt *d = kt_db_prepare(st, "DELETE FROM search_queue WHERE seq <= ?1");
        if (!d)
            rc = KT_ESTORE;
        else {
            kt_db_bind_int(d, 1, last);
            rc = kt_db_run(d, NULL);
        }
    }
    if (!rc && left)
        rc = kt_store_search_pending(st, left);
    if (rc) {
        kt_store_rollback(st);
        return rc;
    }
    rc = kt_store_commit(st);
    if (!rc) {
        *done = taken;
        st->search_merging_set = true;
        st->search_merge_owed = owed;
    }
    return rc;
}

int kt_store_search_queue_message(kt_store *st, int64_t id)
{
    if (st->dialect != KT_DIALECT_SQLITE)
        return 0;
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO search_queue(kind, id) VALUES (?1, ?2)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, KT_SEARCH_MESSAGE);
    kt_db_bind_int(s, 2, id);
    return kt_db_run(s, NULL);
}

int kt_store_search_pending(kt_store *st, int64_t *n)
{
    /* The queue is taken from its head in order: its span is its length, read from the ends of
     * its key without counting rows. */
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM search_queue");
    if (!s)
        return KT_ESTORE;
    return kt_db_one_int(s, n);
}
