#include "store/carry.h"

#include "store/db.h"
#include "store/items.h"
#include "util/err.h"
#include "util/ivec.h"

/* One meeting of body found by sql (a string literal: statements are cached by its pointer),
 * whose ?1 is the body, ?2 the start to compare with and ?3 a meeting to leave out. */
static int one_meeting(kt_store *st, const char *sql, int64_t body, int64_t start, int64_t except,
                       int64_t *meeting)
{
    kt_db_stmt *s = kt_db_prepare(st, sql);
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, start);
    kt_db_bind_int(s, 3, except);
    return kt_db_one_int(s, meeting);
}

int kt_store_carry_template(kt_store *st, int64_t body, int64_t start, int64_t except,
                            int64_t *meeting)
{
    return one_meeting(
        st,
        "SELECT m.id FROM meetings m WHERE m.body_id = ?1 AND m.starts_at < ?2 AND m.id <> ?3 "
        "AND m.status <> 'geannuleerd' AND EXISTS (SELECT 1 FROM items i WHERE i.meeting_id "
        "= m.id) ORDER BY m.starts_at DESC, m.id DESC LIMIT 1",
        body, start, except, meeting);
}

int kt_store_meeting_before(kt_store *st, int64_t body, int64_t start, int64_t except,
                            int64_t *meeting)
{
    return one_meeting(st,
                       "SELECT id FROM meetings WHERE body_id = ?1 AND starts_at < ?2 AND id <> "
                       "?3 AND status <> 'geannuleerd' ORDER BY starts_at DESC, id DESC LIMIT 1",
                       body, start, except, meeting);
}

int kt_store_meeting_after(kt_store *st, int64_t body, int64_t start, int64_t except,
                           int64_t *meeting)
{
    return one_meeting(st,
                       "SELECT id FROM meetings WHERE body_id = ?1 AND starts_at > ?2 AND id <> "
                       "?3 AND status <> 'geannuleerd' ORDER BY starts_at, id LIMIT 1",
                       body, start, except, meeting);
}

int kt_store_verslag_item(kt_store *st, int64_t meeting, int64_t of, int64_t *item)
{
    kt_db_stmt *s = kt_db_prepare(
        st,
        "SELECT id FROM items WHERE meeting_id = ?1 AND special = 'verslag' AND "
        "(minutes_of = ?2 OR minutes_of IS NULL) ORDER BY minutes_of IS NULL, position LIMIT 1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, of);
    return kt_db_one_int(s, item);
}

int kt_store_carry_items(kt_store *st, int64_t meeting, bool recurring_only, kt_ivec *ids)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT id FROM items WHERE meeting_id = ?1 AND (?2 = 0 OR "
                                      "recurring = 1) ORDER BY position, id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, recurring_only);
    return kt_db_ids(s, ids);
}

int kt_store_item_carried(kt_store *st, int64_t meeting, int64_t from)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "SELECT 1 FROM items WHERE from_item = ?2 AND meeting_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_int(s, 2, from);
    return kt_db_exists(s);
}

int kt_store_item_special_in(kt_store *st, int64_t meeting, const char *special)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT 1 FROM items WHERE meeting_id = ?1 AND special = ?2");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    kt_db_bind_text(s, 2, special);
    return kt_db_exists(s);
}

int kt_store_agenda_last_position(kt_store *st, int64_t meeting, int64_t *pos)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT coalesce(max(position), 0) FROM items WHERE "
                                      "meeting_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, meeting);
    return kt_db_one_int(s, pos);
}

int kt_store_item_copy(kt_store *st, int64_t src, int64_t meeting, int64_t position,
                       int64_t minutes_of, int64_t by, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO items(body_id, meeting_id, position, title, description, presenter_id, "
            "duration_min, kind, recurring, confidential, status, created_by, created_at, "
            "updated_at, attachments, special, minutes_of, from_item) SELECT body_id, ?2, ?3, "
            "title, description, presenter_id, duration_min, kind, recurring, confidential, "
            "'open', ?5, ?6, ?6, '[]', special, CASE WHEN special = 'verslag' THEN CAST(?4 AS "
            "BIGINT) END, "
            "id FROM items WHERE id = ?1 RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, src);
    kt_db_bind_int(s, 2, meeting);
    kt_db_bind_int(s, 3, position);
    kt_db_bind_ref(s, 4, minutes_of);
    kt_db_bind_ref(s, 5, by);
    kt_db_bind_int(s, 6, now);
    int rc = kt_db_one_int(s, id);
    return rc ? rc : kt_store_item_audience_copy(st, src, *id);
}

int kt_store_item_add_special(kt_store *st, int64_t body, int64_t meeting, int64_t position,
                              const kt_store_special_item *it, int64_t by, int64_t now, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(
        st, "INSERT INTO items(body_id, meeting_id, position, title, description, duration_min, "
            "kind, recurring, special, minutes_of, created_by, created_at, updated_at) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, meeting);
    kt_db_bind_int(s, 3, position);
    kt_db_bind_text(s, 4, it->title);
    kt_db_bind_text(s, 5, it->description ? it->description : "");
    kt_db_bind_int(s, 6, it->duration);
    kt_db_bind_text(s, 7, it->kind);
    kt_db_bind_int(s, 8, it->recurring);
    kt_db_bind_text(s, 9, it->special);
    kt_db_bind_ref(s, 10, it->minutes_of);
    kt_db_bind_ref(s, 11, by);
    kt_db_bind_int(s, 12, now);
    int rc = kt_db_one_int(s, id);
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

int kt_store_item_special_set(kt_store *st, int64_t item, const char *special, int64_t minutes_of)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "UPDATE items SET special = ?2, minutes_of = ?3 WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    kt_db_bind_text(s, 2, special);
    kt_db_bind_ref(s, 3, minutes_of);
    int64_t n = 0;
    int rc = kt_db_run(s, &n);
    return rc ? rc : n ? 0 : KT_ENOTFOUND;
}
