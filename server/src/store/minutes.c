#include "store/minutes.h"

#include "store/db.h"
#include "util/err.h"

int kt_store_item_notes_set(kt_store *st, int64_t item, const char *text, int64_t by, int64_t now,
                            int64_t base_rev, int64_t *rev)
{
    kt_db_stmt *s;
    if (base_rev > 0) {
        s = kt_db_prepare(st, "UPDATE item_notes SET text = ?2, updated_by = ?3, updated_at = ?4, "
                              "rev = rev + 1 WHERE item_id = ?1 AND rev = ?5 RETURNING rev");
    } else {
        /* 0: only when there are none yet; < 0: whatever there is. */
        s = kt_db_prepare(
            st, "INSERT INTO item_notes(item_id, text, updated_by, updated_at, rev) "
                "VALUES (?1, ?2, ?3, ?4, 1) ON CONFLICT(item_id) DO UPDATE SET text = "
                "excluded.text, updated_by = excluded.updated_by, updated_at = "
                "excluded.updated_at, rev = item_notes.rev + 1 WHERE ?5 < 0 RETURNING rev");
    }
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    kt_db_bind_text(s, 2, text);
    kt_db_bind_ref(s, 3, by);
    kt_db_bind_int(s, 4, now);
    kt_db_bind_int(s, 5, base_rev);
    int rc = kt_db_one_int(s, rev);
    return rc == KT_ENOTFOUND ? KT_ECONFLICT : rc;
}

static const kt_db_col notes_cols[] = {{"item", KT_COL_INT}, {"text", KT_COL_TEXT},
                                       {"by", KT_COL_INT},   {"at", KT_COL_TIME},
                                       {"rev", KT_COL_INT},  {NULL, 0}};

int kt_store_item_notes_get(kt_store *st, int64_t item, json_t **out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT item_id, text, updated_by, updated_at, rev FROM "
                                      "item_notes WHERE item_id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, item);
    return kt_db_one_json(s, notes_cols, out);
}
