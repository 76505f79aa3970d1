#include "store/chat.h"

#include "store/db.h"
#include "store/search.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdbool.h>

#define MESSAGE_SELECT                                                                             \
    "SELECT m.id, m.body_id, m.item_id, m.person_id, p.name, m.text, m.created_at, m.edited_at, "  \
    "m.deleted_at IS NOT NULL FROM messages m JOIN persons p ON p.id = m.person_id "

static const kt_db_col message_cols[] = {{"id", KT_COL_INT},           {"body", KT_COL_INT},
                                         {"item", KT_COL_INT},         {"person", KT_COL_INT},
                                         {"person_name", KT_COL_TEXT}, {"text", KT_COL_TEXT},
                                         {"time", KT_COL_TIME},        {"edited", KT_COL_TIME},
                                         {"deleted", KT_COL_BOOL},     {NULL, 0}};

int kt_store_message_insert(kt_store *st, int64_t body, int64_t item, int64_t person,
                            const char *text, int64_t now, json_t **out)
{
    /* PostgreSQL: the message as kt_store_message_get reads it, from the insert itself (one round
     * trip rather than two; the author's name by a subquery, as the join there). SQLite: the
     * insert, then that read by its id: SQLite collects a RETURNING statement's rows in a
     * temporary b-tree of their own, which cost more than the read (and the store's SQLite
     * backend runs "RETURNING id" of one row as the last insert rowid). */
    if (st->dialect == KT_DIALECT_PG) {
        kt_db_stmt *s = kt_db_prepare(
            st, "INSERT INTO messages(body_id, item_id, person_id, text, created_at) VALUES (?1, "
                "?2, ?3, ?4, ?5) RETURNING id, body_id, item_id, person_id, (SELECT p.name FROM "
                "persons p WHERE p.id = messages.person_id), text, created_at, edited_at, "
                "deleted_at IS NOT NULL");
        if (!s)
            return KT_ESTORE;
        kt_db_bind_int(s, 1, body);
        kt_db_bind_ref(s, 2, item);
        kt_db_bind_int(s, 3, person);
        kt_db_bind_text(s, 4, text);
        kt_db_bind_int(s, 5, now);
        int rc = kt_db_one_json(s, message_cols, out);
        return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
    }
    *out = NULL;
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO messages(body_id, item_id, person_id, text, "
                                      "created_at) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_ref(s, 2, item);
    kt_db_bind_int(s, 3, person);
    kt_db_bind_text(s, 4, text);
    kt_db_bind_int(s, 5, now);
    int64_t id = 0;
    int rc = kt_db_one_int(s, &id);
    if (rc)
        return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
    /* Queued for the search index here, not by a trigger (migration 34): an insert with a
     * trigger writes two tables, so SQLite opens a statement journal for it inside the group's
     * transaction and copies every page the insert touches into it first (six per post). */
    if ((rc = kt_store_search_queue_message(st, id)) != 0)
        return rc;
    /* The new row as kt_store_message_get would read it, from what was just written (no read of
     * the row and its join back): only the author's name comes from the store. */
    s = kt_db_prepare(st, "SELECT name FROM persons WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    if ((rc = kt_db_step(s)) != KT_DB_ROW) {
        kt_db_reset(s);
        return rc == KT_DB_DONE ? KT_ESTORE : rc;
    }
    char when[32];
    kt_time_format(now, when, sizeof when);
    *out = json_pack("{s:I, s:I, s:o, s:I, s:s?, s:s, s:s, s:n, s:b}", "id", (json_int_t)id, "body",
                     (json_int_t)body, "item", item ? json_integer(item) : json_null(), "person",
                     (json_int_t)person, "person_name", kt_db_text(s, 0), "text", text, "time",
                     when, "edited", "deleted", 0);
    kt_db_reset(s);
    return *out ? 0 : KT_ENOMEM;
}

int kt_store_message_get(kt_store *st, int64_t id, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, MESSAGE_SELECT "WHERE m.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    return kt_db_one_json(s, message_cols, out);
}

int kt_store_message_text(kt_store *st, int64_t id, char **out)
{
    *out = NULL;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT text FROM messages WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW && !(*out = kt_db_dup(s, 0)))
        rc = KT_ENOMEM;
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_store_messages_before(kt_store *st, int64_t body, int64_t item, int64_t before,
                             int64_t limit, json_t *arr)
{
    kt_db_stmt *s =
        item ? kt_db_prepare(st, MESSAGE_SELECT "WHERE m.body_id = ?1 AND m.id < ?2 AND "
                                                "m.item_id = ?3 ORDER BY m.id DESC LIMIT ?4")
             : kt_db_prepare(st, MESSAGE_SELECT "WHERE m.body_id = ?1 AND m.id < ?2 "
                                                "ORDER BY m.id DESC LIMIT ?4");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, before);
    if (item)
        kt_db_bind_int(s, 3, item);
    kt_db_bind_int(s, 4, limit);
    json_t *newest_first = json_array();
    int rc = kt_db_rows_json(s, message_cols, newest_first);
    for (size_t i = json_array_size(newest_first); !rc && i > 0; i--)
        json_array_append(arr, json_array_get(newest_first, i - 1));
    json_decref(newest_first);
    return rc;
}

int kt_store_message_change(kt_store *st, int64_t id, const char *text, int64_t by, int64_t now)
{
    bool del = text == NULL;
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO message_changes(message_id, kind, old_text, person_id, at) SELECT id, ?2, "
            "text, ?3, ?4 FROM messages WHERE id = ?1 AND deleted_at IS NULL");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_text(s, 2, del ? "verwijderd" : "bewerkt");
    kt_db_bind_int(s, 3, by);
    kt_db_bind_int(s, 4, now);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    if (rc)
        return rc;
    if (!n)
        return KT_ENOTFOUND;
    s = del ? kt_db_prepare(st, "UPDATE messages SET text = '', deleted_at = ?2 WHERE id = ?1")
            : kt_db_prepare(st, "UPDATE messages SET text = ?3, edited_at = ?2 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, now);
    if (!del)
        kt_db_bind_text(s, 3, text);
    rc = kt_db_run(s, NULL);
    return rc ? rc : kt_store_search_refresh(st, KT_SEARCH_MESSAGE, id);
}

int kt_store_chat_read(kt_store *st, int64_t person, int64_t body)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO chat_reads(person_id, body_id, last_read) SELECT CAST(?1 AS BIGINT), "
            "CAST(?2 AS BIGINT), coalesce(max(id), 0) FROM messages WHERE body_id = ?2 "
            "ON CONFLICT(person_id, body_id) DO UPDATE SET last_read = CASE WHEN "
            "excluded.last_read > chat_reads.last_read THEN excluded.last_read ELSE "
            "chat_reads.last_read END"); /* SQL both backends read (no two-argument max) */
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, body);
    return kt_db_run(s, NULL);
}

int kt_store_chat_unread(kt_store *st, int64_t person, int64_t body, int limit, kt_ivec *items)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT coalesce(m.item_id, 0) FROM messages m WHERE m.body_id = ?2 AND m.id > "
            "coalesce((SELECT last_read FROM chat_reads WHERE person_id = ?1 AND body_id = ?2), "
            "0) AND m.person_id <> ?1 AND m.deleted_at IS NULL AND m.moved_at IS NULL ORDER BY "
            "m.id LIMIT ?3");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    kt_db_bind_int(s, 2, body);
    kt_db_bind_int(s, 3, limit);
    return kt_db_ids(s, items);
}

int kt_store_message_count(kt_store *st, int64_t item, int64_t *n)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT count(*) FROM messages WHERE item_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    *n = 0;
    return kt_db_one_int(s, n);
}

int kt_store_mention_candidates(kt_store *st, int64_t body, const char *text, int64_t *ids,
                                size_t *lens, int max, int *n)
{
    *n = 0;
    kt_db_stmt *s = kt_db_prepare(
        st, kt_db_sql(st,
                      "SELECT p.id, length(CAST(p.name AS BLOB)) FROM memberships m JOIN "
                      "persons p ON p.id = m.person_id WHERE m.body_id = ?1 AND p.name <> '' AND "
                      "substr(?2, 1, length(p.name)) = p.name COLLATE NOCASE "
                      "ORDER BY length(CAST(p.name AS BLOB)) DESC LIMIT ?3",
                      "SELECT p.id, octet_length(p.name) FROM memberships m JOIN persons p ON "
                      "p.id = m.person_id WHERE m.body_id = ?1 AND p.name <> '' AND "
                      "lower(substr(CAST(?2 AS TEXT), 1, length(p.name))) = lower(p.name) "
                      "ORDER BY octet_length(p.name) DESC LIMIT ?3"));
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_text(s, 2, text);
    kt_db_bind_int(s, 3, max);
    int rc = 0;
    while (*n < max && (rc = kt_db_step(s)) == KT_DB_ROW) {
        ids[*n] = kt_db_int(s, 0);
        lens[*n] = (size_t)kt_db_int(s, 1);
        (*n)++;
    }
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_store_messages_rehome(kt_store *st, int64_t item, int64_t body, int64_t now)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "UPDATE messages SET body_id = ?2, moved_at = ?3 WHERE item_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    kt_db_bind_int(s, 2, body);
    kt_db_bind_int(s, 3, now);
    return kt_db_run(s, NULL);
}

int kt_store_message_backdate(kt_store *st, int64_t id, int64_t time)
{
    kt_db_stmt *s = kt_db_prepare(st, "UPDATE messages SET created_at = ?2 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, id);
    kt_db_bind_int(s, 2, time);
    return kt_db_run(s, NULL);
}
