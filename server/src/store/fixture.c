/* Bulk rows for benchmarks and tests; see fixture.h. */
#include "store/fixture.h"

#include "store/db.h"
#include "util/err.h"

static int insert_id(kt_db_stmt *s, int64_t *id)
{
    int rc = kt_db_one_int(s, id);
    return rc == KT_ENOTFOUND ? KT_ESTORE : rc;
}

int kt_store_fixture_scope(kt_store *st, const char *name, int64_t *id)
{
    kt_db_stmt *s =
        kt_db_prepare(st, "INSERT INTO scopes(name, kind) VALUES (?1, 'gemeente') RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, name);
    return insert_id(s, id);
}

int kt_store_fixture_org(kt_store *st, const char *name, int64_t scope, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO organisations(name, kind, scope_id, created_at, "
                                      "updated_at) VALUES (?1, 'gemeente', ?2, 0, 0) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, name);
    kt_db_bind_int(s, 2, scope);
    return insert_id(s, id);
}

int kt_store_fixture_person(kt_store *st, int64_t org, const char *name, const char *email,
                            int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO persons(org_id, name, email, created_at, "
                                      "updated_at) VALUES (?1, ?2, ?3, 0, 0) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, org);
    kt_db_bind_text(s, 2, name);
    kt_db_bind_text(s, 3, email);
    return insert_id(s, id);
}

int kt_store_fixture_body(kt_store *st, const char *name, int64_t scope, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO bodies(name, kind, scope_id, level, created_at, "
                                      "updated_at) VALUES (?1, 'regiegroep', ?2, 'tactisch', 0, 0) "
                                      "RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_text(s, 1, name);
    kt_db_bind_int(s, 2, scope);
    return insert_id(s, id);
}

int kt_store_fixture_member(kt_store *st, int64_t body, int64_t person, const char *role)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO memberships(body_id, person_id, role, "
                                      "created_at) VALUES (?1, ?2, ?3, 0) ON CONFLICT DO NOTHING");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, person);
    kt_db_bind_text(s, 3, role);
    return kt_db_run(s, NULL);
}

int kt_store_fixture_meeting(kt_store *st, int64_t body, int64_t starts_at, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO meetings(body_id, starts_at, ends_at, status, "
                                      "created_at, updated_at) VALUES (?1, ?2, ?2 + 7200, "
                                      "'gehouden', 0, 0) RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_int(s, 2, starts_at);
    return insert_id(s, id);
}

int kt_store_fixture_item(kt_store *st, int64_t body, int64_t meeting, const char *title,
                          const char *description, bool confidential, int64_t org,
                          int64_t created_at, int64_t *id)
{
    kt_db_stmt *s = kt_db_prepare(st, "INSERT INTO items(body_id, meeting_id, position, title, "
                                      "description, kind, confidential, created_at, updated_at) "
                                      "VALUES (?1, ?2, 0, ?3, ?4, 'bespreking', ?5, ?6, ?6) "
                                      "RETURNING id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, body);
    kt_db_bind_ref(s, 2, meeting);
    kt_db_bind_text(s, 3, title);
    kt_db_bind_text(s, 4, description);
    kt_db_bind_int(s, 5, confidential ? 1 : 0);
    kt_db_bind_int(s, 6, created_at);
    int rc = insert_id(s, id);
    if (rc || !confidential || !org)
        return rc;
    s = kt_db_prepare(st, "INSERT INTO item_orgs(item_id, org_id) VALUES (?1, ?2)");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, *id);
    kt_db_bind_int(s, 2, org);
    return kt_db_run(s, NULL);
}

int kt_store_fixture_drop_search(kt_store *st)
{
    if (st->dialect != KT_DIALECT_SQLITE)
        return KT_ESTATE;
    return st->ops->exec(
        st, "DROP TRIGGER search_q_item_ins; DROP TRIGGER search_q_item_upd; "
            "DROP TRIGGER search_q_item_del; DROP TRIGGER search_q_minutes_ins; "
            "DROP TRIGGER search_q_minutes_upd; DROP TRIGGER search_q_minutes_del; "
            "DROP TRIGGER search_q_action_ins; DROP TRIGGER search_q_action_upd; "
            "DROP TRIGGER search_q_action_del; "
            "DROP TRIGGER search_q_message_upd; DROP TRIGGER search_q_message_del; "
            "DROP TRIGGER search_q_notes_ins; DROP TRIGGER search_q_notes_upd; "
            "DROP TRIGGER search_q_notes_del; DROP TABLE search_queue; DROP TABLE search;");
}
