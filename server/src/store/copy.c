/* copy-store; see copy.h. */
#include "store/copy.h"

#include "store/db.h"
#include "util/err.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

/* Every table of the schema, parents before children, with its columns and their types:
 * i integer, t text, b blob, d real. The search index is the backend's own (it follows
 * from the rows) and is not copied. */
typedef struct table {
    const char *name;
    const char *select; /* the columns in the order of types, ordered by the key */
    const char *insert; /* ?1..?n in the same order */
    const char *types;
    const char *fixup; /* after the rows, on the destination (may be NULL) */
    bool identity;     /* id is an identity column on PostgreSQL (its sequence follows) */
} table;

#define T(name, cols, types, order, placeholders)                                                  \
    name, "SELECT " cols " FROM " name " ORDER BY " order,                                         \
        "INSERT INTO " name "(" cols ") VALUES (" placeholders ")", types

static const table tables[] = {
    {T("scopes", "id, name, kind", "itt", "id", "?1, ?2, ?3"), NULL, true},
    {T("scope_members", "region_id, member_id", "ii", "region_id, member_id", "?1, ?2"), NULL,
     false},
    {T("organisations", "id, name, kind, scope_id, created_at, updated_at", "ittiii", "id",
       "?1, ?2, ?3, ?4, ?5, ?6"),
     NULL, true},
    {T("persons",
       "id, org_id, name, email, function, is_admin, active, password_hash, created_at, "
       "updated_at, due_days, email_changed_by, notes_made",
       "iitttiitiiiii", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13"),
     NULL, true},
    {T("sessions", "token_hash, person_id, created_at, expires_at", "biii", "token_hash",
       "?1, ?2, ?3, ?4"),
     NULL, false},
    {T("setup_tokens", "token_hash, person_id, expires_at", "bii", "token_hash", "?1, ?2, ?3"),
     NULL, false},
    /* parents may come after their children: first without, then set (see fixup) */
    {T("bodies",
       "id, name, kind, scope_id, level, cadence, mandate, location, created_at, updated_at",
       "ittittttii", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10"),
     NULL, true},
    {"bodies (parents)", "SELECT parent_id, id FROM bodies WHERE parent_id IS NOT NULL ORDER BY id",
     "UPDATE bodies SET parent_id = ?1 WHERE id = ?2", "ii", NULL, false},
    {T("memberships", "body_id, person_id, role, substitute_for, items, created_at, since_seq",
       "iititii", "body_id, person_id", "?1, ?2, ?3, ?4, ?5, ?6, ?7"),
     NULL, false},
    {T("meetings",
       "id, body_id, starts_at, ends_at, location, status, version, created_at, updated_at, "
       "minutes, minutes_by, minutes_at, minutes_rev, minutes_deadline",
       "iiiittiiitiiit", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14"),
     NULL, true},
    {T("attendance",
       "id, meeting_id, person_id, name, org_id, org_name, status, notice, leaves_early, "
       "substitute_id, substitute_kind, role, note, updated_by, updated_at, substitute_name",
       "iiititttiitttiit", "id",
       "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16"),
     NULL, true},
    {T("items",
       "id, body_id, meeting_id, position, title, description, presenter_id, duration_min, "
       "kind, recurring, confidential, status, created_by, created_at, updated_at, attachments, "
       "special, minutes_of, from_item",
       "iiiittiitiitiiittii", "id",
       "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19"),
     NULL, true},
    {T("item_orgs", "item_id, org_id, reason", "iit", "item_id, org_id", "?1, ?2, ?3"), NULL,
     false},
    {T("item_persons", "item_id, person_id", "ii", "item_id, person_id", "?1, ?2"), NULL, false},
    {T("item_notes", "item_id, text, updated_by, updated_at, rev", "itiii", "item_id",
       "?1, ?2, ?3, ?4, ?5"),
     NULL, false},
    {T("actions",
       "id, body_id, kind, text, owner_person_id, owner_org_id, due_date, status, decided_on, "
       "origin_item_id, meeting_id, created_by, created_at, updated_at, updated_by",
       "iittiitttiiiiii", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15"),
     NULL, true},
    {T("messages",
       "id, body_id, item_id, person_id, text, created_at, edited_at, deleted_at, moved_at",
       "iiiitiiii", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9"),
     NULL, true},
    {T("message_changes", "id, message_id, kind, old_text, person_id, at", "iittii", "id",
       "?1, ?2, ?3, ?4, ?5, ?6"),
     NULL, true},
    {T("streams", "body_id, seq", "ii", "body_id", "?1, ?2"), NULL, false},
    {T("events", "body_id, seq, type, vis, payload, actor_id, created_at", "iitttii",
       "body_id, seq", "?1, ?2, ?3, ?4, ?5, ?6, ?7"),
     NULL, false},
    {T("minutes_versions",
       "id, meeting_id, version, stage, document, deadline, note, approved_in, created_by, "
       "created_at",
       "iiittttiii", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10"),
     NULL, true},
    {T("minutes_amendments",
       "id, meeting_id, version, item_id, person_id, org_id, text, status, decided_by, "
       "decided_at, created_at",
       "iiiiiittiii", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11"),
     NULL, true},
    {T("agenda_requests",
       "id, body_id, kind, requester_id, title, description, meeting_id, source_body_id, "
       "source_item_id, status, reason, item_id, decided_by, decided_at, created_at",
       "ititttiiittiiii", "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15"),
     NULL, true},
    {T("imports", "id, body_id, meeting_id, fingerprint, imported_by, imported_at", "iiitii", "id",
       "?1, ?2, ?3, ?4, ?5, ?6"),
     NULL, true},
    {T("audit", "id, at, actor_id, action, body_id, subject_kind, subject_id, detail", "iiititit",
       "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8"),
     NULL, true},
    {T("chat_reads", "person_id, body_id, last_read", "iii", "person_id, body_id", "?1, ?2, ?3"),
     NULL, false},
    {T("flags",
       "id, kind, key, state, note, lead_body_id, score, evidence, fingerprint, body_a, "
       "meeting_a, item_a, body_b, meeting_b, item_b, projected_b, created_at, updated_at, "
       "resolved_by, resolved_at, conf_a, conf_b",
       "itttti"
       "dttiiiiiiiiiiiii",
       "id",
       "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
       "?20, ?21, ?22"),
     NULL, true},
    {T("abbreviations", "abbr, expansion, created_at", "tti", "abbr", "?1, ?2, ?3"), NULL, false},
    {T("confidential_batches", "id, runs, last_at", "iii", "id", "?1, ?2, ?3"), NULL, false},
    {T("notifications",
       "id, person_id, kind, delivery, body_id, meeting_id, item_id, action_id, flag_id, "
       "actor_id, title, text, link, dedupe, created_at, read_at, digested_at, burst, "
       "burst_what, changed_at",
       "iittiiiiiittttiiitti", "id",
       "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
       "?20"),
     NULL, true},
    {T("notification_prefs", "person_id, kind, mode", "itt", "person_id, kind", "?1, ?2, ?3"), NULL,
     false},
    {T("feed_tokens", "id, token_hash, person_id, kind, body_id, created_at, revoked_at", "ibitiii",
       "id", "?1, ?2, ?3, ?4, ?5, ?6, ?7"),
     NULL, true},
    {T("digests", "person_id, day, claimed_by, sent_at, error", "ittit", "person_id, day",
       "?1, ?2, ?3, ?4, ?5"),
     NULL, false},
    {T("request_keys", "person_id, key, op, result, created_at", "itttt", "person_id, key",
       "?1, ?2, ?3, ?4, ?5"),
     NULL, false},
    {T("reactions", "id, node, created_at, attempts, payload", "itiit", "id", "?1, ?2, ?3, ?4, ?5"),
     NULL, true},
};
#define N_TABLES (sizeof tables / sizeof tables[0])

/* Tables a backend keeps for itself, never copied nor compared. */
static bool own_table(const char *name)
{
    return strcmp(name, "kt_schema") == 0 || strcmp(name, "sqlite_sequence") == 0 ||
           strncmp(name, "search", 6) == 0 || strncmp(name, "sqlite_", 7) == 0;
}

static bool known_table(const char *name)
{
    for (size_t i = 0; i < N_TABLES; i++)
        if (strcmp(tables[i].name, name) == 0)
            return true;
    return own_table(name);
}

/* Every table of st is one this binary knows (a table added by a migration must be added to
 * the list above, or copy-store would leave it behind). */
static int check_tables(kt_store *st, FILE *report)
{
    kt_db_stmt *s = kt_db_prepare(
        st, kt_db_sql(st, "SELECT name FROM sqlite_master WHERE type = 'table'",
                      "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                      "current_schema() AND table_type = 'BASE TABLE'"));
    if (!s)
        return KT_ESTORE;
    int rc, unknown = 0;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        if (!known_table(kt_db_text(s, 0))) {
            if (report)
                fprintf(report, "copy-store: table %s is not known to this binary\n",
                        kt_db_text(s, 0));
            unknown++;
        }
    kt_db_reset(s);
    return rc < 0 ? rc : unknown ? KT_ESTATE : 0;
}

static int copy_table(kt_store *from, kt_store *to, const table *t, int64_t *rows)
{
    kt_db_stmt *in = kt_db_prepare(from, t->select);
    if (!in)
        return KT_ESTORE;
    int rc;
    *rows = 0;
    while ((rc = kt_db_step(in)) == KT_DB_ROW) {
        kt_db_stmt *out = kt_db_prepare(to, t->insert);
        if (!out) {
            rc = KT_ESTORE;
            break;
        }
        for (int c = 0; t->types[c]; c++) {
            if (kt_db_null(in, c)) {
                kt_db_bind_null(out, c + 1);
                continue;
            }
            size_t n;
            const void *p;
            switch (t->types[c]) {
            case 'i':
                kt_db_bind_int(out, c + 1, kt_db_int(in, c));
                break;
            case 'd':
                kt_db_bind_double(out, c + 1, kt_db_double(in, c));
                break;
            case 'b':
                p = kt_db_blob(in, c, &n);
                kt_db_bind_blob(out, c + 1, p, n);
                break;
            default:
                kt_db_bind_text(out, c + 1, kt_db_text(in, c));
            }
        }
        rc = kt_db_run(out, NULL);
        if (rc) {
            kt_error("copy-store: row refused", "table=%s row=%lld rc=%d", t->name,
                     (long long)*rows + 1, rc);
            break;
        }
        (*rows)++;
    }
    kt_db_reset(in);
    return rc < 0 ? rc : 0;
}

/* PostgreSQL identity columns go on after the highest id copied. */
static int follow_sequences(kt_store *to)
{
    if (to->dialect != KT_DIALECT_PG)
        return 0;
    char sql[256];
    for (size_t i = 0; i < N_TABLES; i++) {
        if (!tables[i].identity)
            continue;
        snprintf(sql, sizeof sql,
                 "SELECT setval(pg_get_serial_sequence('%s', 'id'), coalesce(max(id), 0) + 1, "
                 "false) FROM %s",
                 tables[i].name, tables[i].name);
        int rc = kt_store_exec(to, sql);
        if (rc)
            return rc;
    }
    return 0;
}

static int count_rows(kt_store *st, const char *table, int64_t *n)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return kt_store_scalar(st, sql, n); /* unprepared: the text is built here */
}

static bool empty_store(kt_store *st)
{
    for (size_t i = 0; i < N_TABLES; i++) {
        int64_t n = 0;
        if (strchr(tables[i].name, ' '))
            continue;
        if (count_rows(st, tables[i].name, &n) || n)
            return false;
    }
    return true;
}

/* Both event logs, row by row in (body, seq) order. */
static int compare_events(kt_store *a, kt_store *b, FILE *report, int64_t *compared)
{
    static const char sql[] = "SELECT body_id, seq, type, vis, payload, actor_id, created_at "
                              "FROM events ORDER BY body_id, seq";
    kt_db_stmt *x = kt_db_prepare(a, sql), *y = kt_db_prepare(b, sql);
    if (!x || !y)
        return KT_ESTORE;
    int rx, ry, diff = 0;
    *compared = 0;
    for (;;) {
        rx = kt_db_step(x);
        ry = kt_db_step(y);
        if (rx < 0 || ry < 0 || rx != ry || rx == KT_DB_DONE)
            break;
        bool same = true;
        for (int c = 0; c < 7 && same; c++) {
            if (kt_db_null(x, c) != kt_db_null(y, c))
                same = false;
            else if (!kt_db_null(x, c) && c != 3 && c != 4 && c != 2)
                same = kt_db_int(x, c) == kt_db_int(y, c);
            else if (!kt_db_null(x, c))
                same = strcmp(kt_db_text(x, c), kt_db_text(y, c)) == 0;
        }
        if (!same) {
            if (report && diff < 10)
                fprintf(report, "copy-store: event body %lld seq %lld differs\n",
                        (long long)kt_db_int(x, 0), (long long)kt_db_int(x, 1));
            diff++;
        }
        (*compared)++;
    }
    kt_db_reset(x);
    kt_db_reset(y);
    if (rx < 0 || ry < 0)
        return rx < 0 ? rx : ry;
    if (rx != ry) {
        if (report)
            fprintf(report, "copy-store: the event logs differ in length\n");
        diff++;
    }
    return diff ? KT_ECONFLICT : 0;
}

int kt_store_compare(kt_store *a, kt_store *b, FILE *report)
{
    int diff = 0;
    for (size_t i = 0; i < N_TABLES; i++) {
        if (strchr(tables[i].name, ' '))
            continue;
        int64_t na = 0, nb = 0;
        int rc = count_rows(a, tables[i].name, &na);
        if (!rc)
            rc = count_rows(b, tables[i].name, &nb);
        if (rc)
            return rc;
        if (report)
            fprintf(report, "%-20s %10lld %10lld%s\n", tables[i].name, (long long)na, (long long)nb,
                    na == nb ? "" : "   DIFFERENT");
        diff += na != nb;
    }
    int64_t events = 0;
    int rc = compare_events(a, b, report, &events);
    if (rc && rc != KT_ECONFLICT)
        return rc;
    if (report)
        fprintf(report, "event log: %lld events compared field by field, %s\n", (long long)events,
                rc ? "DIFFERENCES" : "identical");
    return diff || rc ? KT_ECONFLICT : 0;
}

int kt_store_copy(kt_store *from, kt_store *to, FILE *report)
{
    if (kt_store_schema_version(from) != kt_store_schema_version(to)) {
        if (report)
            fprintf(report, "copy-store: the stores are at schema versions %d and %d\n",
                    kt_store_schema_version(from), kt_store_schema_version(to));
        return KT_ESTATE;
    }
    int rc = check_tables(from, report);
    if (rc)
        return rc;
    if (!empty_store(to)) {
        if (report)
            fprintf(report, "copy-store: the destination is not empty\n");
        return KT_ESTATE;
    }
    rc = kt_store_begin_read(from);
    if (!rc && (rc = kt_store_begin(to)))
        kt_store_rollback(from);
    for (size_t i = 0; !rc && i < N_TABLES; i++) {
        int64_t rows = 0;
        rc = copy_table(from, to, &tables[i], &rows);
        if (report && !rc)
            fprintf(report, "copied %-20s %10lld rows\n", tables[i].name, (long long)rows);
    }
    if (!rc)
        rc = follow_sequences(to);
    /* SQLite's search index follows from its queue, and new messages are queued by who inserts
     * them (store/search.h): here this copy (4 is KT_SEARCH_MESSAGE) */
    if (!rc && to->dialect == KT_DIALECT_SQLITE)
        rc = kt_store_exec(to, "INSERT INTO search_queue(kind, id) SELECT 4, id FROM messages "
                               "ORDER BY id");
    if (!rc)
        rc = kt_store_commit(to);
    else if (kt_store_in_txn(to))
        kt_store_rollback(to);
    if (kt_store_in_txn(from))
        kt_store_rollback(from);
    if (rc)
        return rc;
    return kt_store_compare(from, to, report);
}
