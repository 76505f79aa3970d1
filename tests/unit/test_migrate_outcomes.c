/* Migration 10 on a database written by an older ketentafel: a besluit recorded with an owner and
 * status "open" (as the client of old did) keeps its text and origin, loses owner, due date and
 * status, and gets the day of its meeting as its date; actions keep everything. */
#include "store/actions.h"
#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

static char path[64];

/* A database at schema version 8 with a body, a meeting, an item and two outcomes. */
static void write_version_8(void)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int i = 0; i < 8; i++)
        assert_int_equal(sqlite3_exec(db, kt_migration_sql(i), NULL, NULL, NULL), SQLITE_OK);
    const char *rows =
        "PRAGMA user_version=8;"
        "INSERT INTO scopes(id, name, kind) VALUES (1, 'Dordrecht', 'gemeente');"
        "INSERT INTO organisations(id, name, kind, created_at, updated_at) "
        "  VALUES (1, 'Gemeente', 'gemeente', 0, 0);"
        "INSERT INTO persons(id, org_id, name, email, created_at, updated_at) "
        "  VALUES (1, 1, 'Sanne', 's@x', 0, 0);"
        "INSERT INTO bodies(id, name, kind, scope_id, level, created_at, updated_at) "
        "  VALUES (1, 'Regiegroep', 'regiegroep', 1, 'tactisch', 0, 0);"
        /* 2027-03-04 09:30 in Amsterdam */
        "INSERT INTO meetings(id, body_id, starts_at, ends_at, status, created_at, updated_at) "
        "  VALUES (1, 1, 1804149000, 1804154400, 'gehouden', 0, 0);"
        "INSERT INTO items(id, body_id, meeting_id, position, title, kind, created_at, "
        "  updated_at) VALUES (1, 1, 1, 1, 'PmG', 'besluitvorming', 0, 0);"
        "INSERT INTO actions(id, body_id, kind, text, owner_person_id, due_date, status, "
        "  origin_item_id, created_by, created_at, updated_at) VALUES "
        "  (1, 1, 'besluit', 'PmG agenderen', 1, '2027-04-01', 'open', 1, 1, 1804200000, 0),"
        "  (2, 1, 'actiepunt', 'Beeld leveren', 1, '2027-04-01', 'lopend', 1, 1, 0, 0);";
    assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void old_besluiten_get_a_date_and_lose_owner_and_status(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/kt-unit-migrate-%d.db", (int)getpid());
    unlink(path);
    write_version_8();
    kt_store_options o = {.path = path};
    kt_store *st;
    assert_int_equal(kt_store_open(&o, &st), 0);
    assert_int_equal(kt_store_schema_version(st), kt_store_latest_version(st));

    json_t *b = NULL, *a = NULL;
    assert_int_equal(kt_store_action_get(st, 1, &b), 0);
    assert_string_equal(json_string_value(json_object_get(b, "kind")), "besluit");
    assert_string_equal(json_string_value(json_object_get(b, "text")), "PmG agenderen");
    assert_true(json_is_null(json_object_get(b, "owner")));
    assert_true(json_is_null(json_object_get(b, "due")));
    assert_true(json_is_null(json_object_get(b, "status")));
    assert_string_equal(json_string_value(json_object_get(b, "decided_on")), "2027-03-04");
    assert_int_equal(json_integer_value(json_object_get(b, "meeting")), 1);
    assert_int_equal(json_integer_value(json_object_get(b, "item")), 1);

    assert_int_equal(kt_store_action_get(st, 2, &a), 0);
    assert_int_equal(json_integer_value(json_object_get(a, "owner")), 1);
    assert_string_equal(json_string_value(json_object_get(a, "due")), "2027-04-01");
    assert_string_equal(json_string_value(json_object_get(a, "status")), "lopend");
    assert_true(json_is_null(json_object_get(a, "decided_on")));
    json_decref(a);
    json_decref(b);

    /* The shape holds from now on: a besluit with a status is refused by the store itself. */
    kt_store_action_fields bad = {
        .kind = "besluit", .text = "x", .status = "open", .decided_on = "2027-03-04"};
    int64_t id = 0;
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_store_action_insert(st, 1, &bad, 1, 1, 1, 0, &id), KT_ECONFLICT);
    kt_store_rollback(st);
    /* ...and ids are never reused: a new action after the highest ever. */
    kt_store_action_fields ok = {.kind = "actiepunt", .text = "y", .status = "open"};
    assert_int_equal(kt_store_begin(st), 0);
    assert_int_equal(kt_store_exec(st, "DELETE FROM actions WHERE id = 2"), 0);
    assert_int_equal(kt_store_action_insert(st, 1, &ok, 0, 0, 1, 0, &id), 0);
    assert_int_equal(kt_store_commit(st), 0);
    assert_int_equal(id, 3);

    kt_store_close(st);
    char aux[80];
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(old_besluiten_get_a_date_and_lose_owner_and_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
