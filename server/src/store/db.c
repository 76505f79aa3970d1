/* Helpers over the statement layer, and the one place a row becomes JSON. */
#include "store/db.h"

#include "util/err.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

int kt_db_run(kt_db_stmt *s, int64_t *changed)
{
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        ;
    if (rc == KT_DB_DONE && changed)
        *changed = kt_db_changes(s);
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_db_run_later(kt_db_stmt *s, int64_t expect)
{
    if (s->st->ops->run_later)
        return s->st->ops->run_later(s, expect);
    int64_t got = 0;
    int rc = kt_db_one_int(s, &got);
    if (!rc && got != expect) {
        kt_error("a statement answered otherwise than expected", "sql=\"%.80s\"", s->sql);
        rc = KT_ESTORE;
    }
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

bool kt_db_can_check_later(kt_store *st)
{
    return st->ops->check_later != NULL;
}

int kt_db_check_later(kt_db_stmt *s, int64_t expect)
{
    return s->st->ops->check_later ? s->st->ops->check_later(s, expect) : KT_ESTORE;
}

int kt_db_one_int(kt_db_stmt *s, int64_t *out)
{
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW)
        *out = kt_db_int(s, 0);
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_db_exists(kt_db_stmt *s)
{
    int rc = kt_db_step(s);
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}

int kt_db_ids(kt_db_stmt *s, kt_ivec *out)
{
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW)
        if (kt_ivec_push(out, kt_db_int(s, 0))) {
            rc = KT_ENOMEM;
            break;
        }
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

char *kt_db_dup(kt_db_stmt *s, int col)
{
    const char *t = kt_db_text(s, col);
    return t ? strdup(t) : NULL;
}

static json_t *col_json(kt_db_stmt *s, int i, kt_db_type type)
{
    if (type == KT_COL_PRESENT)
        return json_boolean(!kt_db_null(s, i));
    if (type == KT_COL_BOOL)
        return json_boolean(kt_db_int(s, i) != 0);
    if (kt_db_null(s, i))
        return json_null();
    switch (type) {
    case KT_COL_INT:
        return json_integer(kt_db_int(s, i));
    case KT_COL_TEXT:
        return json_string(kt_db_text(s, i));
    case KT_COL_TIME: {
        char buf[32];
        kt_time_format(kt_db_int(s, i), buf, sizeof buf);
        return json_string(buf);
    }
    case KT_COL_DOUBLE:
        return json_real(kt_db_double(s, i));
    case KT_COL_JSON: {
        json_t *j = json_loads(kt_db_text(s, i), JSON_DECODE_ANY, NULL);
        return j ? j : json_null();
    }
    default:
        return json_null();
    }
}

json_t *kt_db_row_json(kt_db_stmt *s, const kt_db_col *cols)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    for (int i = 0; cols[i].name; i++) {
        if (cols[i].type == KT_COL_SKIP)
            continue;
        json_t *v = col_json(s, i, cols[i].type);
        if (!v || json_object_set_new(j, cols[i].name, v)) {
            json_decref(j);
            return NULL;
        }
    }
    return j;
}

int kt_db_rows_json(kt_db_stmt *s, const kt_db_col *cols, json_t *arr)
{
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW) {
        json_t *j = kt_db_row_json(s, cols);
        if (!j || json_array_append_new(arr, j)) {
            rc = KT_ENOMEM;
            break;
        }
    }
    kt_db_reset(s);
    return rc < 0 ? rc : 0;
}

int kt_db_one_json(kt_db_stmt *s, const kt_db_col *cols, json_t **out)
{
    *out = NULL;
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        *out = kt_db_row_json(s, cols);
        rc = *out ? 0 : KT_ENOMEM;
    } else if (rc == KT_DB_DONE) {
        rc = KT_ENOTFOUND;
    }
    kt_db_reset(s);
    return rc;
}
