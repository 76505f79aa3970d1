/* The AVG ops for administrators: a person's data exported (person.export) and a person who
 * left erased (person.erase), the retention policy (retention.get) and the processing log
 * (audit.list). Exports and erasures are written to the audit log in the same transaction. */
#include "domain/handlers.h"
#include "domain/model.h"
#include "privacy/privacy.h"
#include "privacy/retention.h"
#include "store/audit.h"
#include "store/directory.h"
#include "store/events.h"
#include "store/privacy.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONFIDENTIAL "[vertrouwelijk]"

/* Whether the administrator asking may see what hangs under item. The export is the person's
 * data handed over through the administrator: the administrator reads it as a member of the
 * body would, so what is open to the body's members is in it, and a confidential item only
 * when the administrator (or their organisation) is in its audience (the one visibility
 * rule: no path shows a confidential item to someone outside it). */
static bool admin_sees(kt_ctx *c, int64_t item)
{
    kt_vis vis;
    if (kt_under_item_vis(c->st, item, &vis))
        return false;
    kt_viewer v = {.person = c->me->person,
                   .org = c->me->org,
                   .admin = true,
                   .role = KT_ROLE_LID,
                   .n_items = -1};
    bool seen = kt_acl_visible(&v, &vis);
    kt_vis_clear(&vis);
    return seen;
}

/* Rows tied to an item the administrator may not see keep their ids and dates, not their text:
 * the person may ask the body's chair for those. */
static int redact(kt_ctx *c, json_t *export)
{
    int hidden = 0;
    const char *key;
    json_t *rows;
    json_object_foreach(export, key, rows)
    {
        size_t i;
        json_t *row;
        if (!json_is_array(rows))
            continue;
        json_array_foreach(rows, i, row)
        {
            json_int_t item = json_integer_value(json_object_get(row, "item"));
            if (!item || admin_sees(c, item))
                continue;
            static const char *const texts[] = {"title", "text", "note", "old_text"};
            for (int k = 0; k < 4; k++)
                if (json_is_string(json_object_get(row, texts[k])))
                    json_object_set_new(row, texts[k], json_string(CONFIDENTIAL));
            json_object_set_new(row, "hidden", json_true());
            hidden++;
        }
    }
    return hidden;
}

static int audit(kt_ctx *c, const char *action, int64_t person, json_t *detail)
{
    kt_audit_entry e = {.at = kt_now(),
                        .actor = c->me->person,
                        .action = action,
                        .subject_kind = "person",
                        .subject = person,
                        .detail = detail};
    int rc = kt_store_audit_append(c->st, &e, NULL);
    json_decref(detail);
    return rc;
}

/* Part `part` of the export data (PROTOCOL.md, person.export) as the reply's result, or NULL
 * (out of memory): the rows of every array, key by key, cut into runs by their JSON sizes and
 * the summary into chunks of KT_PART_BYTES each; part k holds run k (every key, with the rows of
 * the run: none for most) and chunk k, and the person's own fields in every part. *parts: how
 * many parts there are. */
static json_t *export_part(int64_t person, json_t *data, const size_t *sizes, size_t n,
                           const char *summary, size_t part, size_t *parts)
{
    const char *key;
    json_t *rows, *row;
    size_t at = 0, i, first, end, off, len;
    *parts = kt_parts_of(sizes, n, summary, part, &first, &end, &off, &len);
    json_t *out = json_object();
    json_object_foreach(data, key, rows)
    {
        if (!json_is_array(rows)) {
            json_object_set(out, key, rows);
            continue;
        }
        json_t *mine = json_array();
        json_array_foreach(rows, i, row)
        {
            if (at >= first && at < end)
                json_array_append(mine, row);
            at++;
        }
        json_object_set_new(out, key, mine);
    }
    bool more = part + 1 < *parts;
    return json_pack("{s:I, s:o, s:s%, s:I, s:I, s:b, s:o}", "person", (json_int_t)person, "data",
                     out, "summary", summary + off, len, "part", (json_int_t)part, "parts",
                     (json_int_t)*parts, "more", more, "next_part",
                     more ? json_integer((json_int_t)part + 1) : json_null());
}

/* Sets c->result to part `part` of the export, and keeps all its parts for the parts still to
 * be read (kt_doc_parts_put under key with hidden; not when key is NULL). */
static int export_parts(kt_ctx *c, int64_t person, json_t *data, const char *summary, size_t part,
                        const kt_doc_key *key, int hidden)
{
    const char *k;
    json_t *rows, *row;
    size_t n = 0, at = 0, i, parts = 0, bytes = 0;
    json_object_foreach(data, k, rows) n += json_is_array(rows) ? json_array_size(rows) : 0;
    size_t *sizes = malloc((n ? n : 1) * sizeof *sizes);
    if (!sizes)
        return KT_ENOMEM;
    json_object_foreach(data, k, rows)
    {
        if (json_is_array(rows))
            json_array_foreach(rows, i, row) sizes[at++] =
                json_dumpb(row, NULL, 0, JSON_COMPACT) + 1;
    }
    json_t *r = export_part(person, data, sizes, n, summary, part, &parts);
    char **all = key && part < parts ? calloc(parts, sizeof *all) : NULL;
    for (size_t p = 0, np; all && p < parts; p++) {
        json_t *one =
            p == part ? json_incref(r) : export_part(person, data, sizes, n, summary, p, &np);
        kt_doc_parts_add(&all, parts, p, one, &bytes); /* (drops all: out of memory or room) */
        json_decref(one);
    }
    if (all)
        kt_doc_parts_put(key, all, parts, hidden);
    free(sizes);
    c->result = r;
    return r ? 0 : KT_ENOMEM;
}

int kt_h_person_export(kt_ctx *c)
{
    int64_t person = kt_arg_int(c, "person", 0);
    size_t part = (size_t)kt_arg_int(c, "part", 0);
    /* the parts of this export built for this administrator a moment ago, while no event was
     * appended anywhere (the rows of a person reach into every body, and so does what the
     * administrator may see of them): not built again. Its own entries in the audit log,
     * which are not events, then show in the parts built after them only. */
    kt_doc_key key;
    kt_doc_key_init(&key, c, "person.export", person);
    bool stamped = !kt_store_events_generation(c->st, &key.stamp[0]);
    int hidden = 0;
    json_t *kept = stamped ? kt_doc_parts_get(&key, part, &hidden) : NULL;
    if (kept) { /* every part read is a read of the person's data: each goes in the log */
        int rc = audit(c, "person.export", person,
                       part ? json_pack("{s:i, s:I}", "hidden", hidden, "part", (json_int_t)part)
                            : json_pack("{s:i}", "hidden", hidden));
        if (rc) {
            json_decref(kept);
            return kt_fail_err(c, rc);
        }
        c->result = kept;
        return 0;
    }
    json_t *data = NULL;
    int rc = kt_store_person_export(c->st, person, &data);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon bestaat niet.");
    if (rc)
        return kt_fail_err(c, rc);
    hidden = redact(c, data);
    char by[256] = "";
    kt_store_person_name(c->st, c->me->person, by, sizeof by);
    char *summary = kt_privacy_summary(data, by, kt_now(), hidden);
    if (!summary) {
        json_decref(data);
        return kt_fail(c, KT_C_INTERNAL, NULL);
    }
    /* every part read is a read of the person's data: each goes in the processing log */
    rc = audit(c, "person.export", person,
               part ? json_pack("{s:i, s:I}", "hidden", hidden, "part", (json_int_t)part)
                    : json_pack("{s:i}", "hidden", hidden));
    if (!rc)
        rc = export_parts(c, person, data, summary, part, stamped ? &key : NULL, hidden);
    free(summary);
    json_decref(data);
    return rc ? kt_fail_err(c, rc) : 0;
}

/* Tells each body the person left it, and the directory the person's new name. */
static int emit_erasure(kt_ctx *c, int64_t person, const kt_ivec *bodies)
{
    for (size_t i = 0; i < bodies->n; i++) {
        kt_vis vis = {.subject = person};
        kt_touch_body(c, bodies->v[i]);
        if (kt_emit(c, bodies->v[i], "membership.removed", &vis,
                    json_pack("{s:I, s:I}", "person", (json_int_t)person, "body",
                              (json_int_t)bodies->v[i])))
            return -1;
    }
    json_t *p = NULL;
    int rc = kt_store_person_get(c->st, person, &p);
    if (rc)
        return kt_fail_err(c, rc);
    return kt_emit_directory(c, "person.updated", json_pack("{s:o}", "person", p));
}

int kt_h_person_erase(kt_ctx *c)
{
    int64_t person = kt_arg_int(c, "person", 0);
    const char *confirm = kt_arg_str(c, "confirm");
    json_t *p = NULL;
    int rc = kt_store_person_get(c->st, person, &p);
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "Deze persoon bestaat niet.");
    if (rc)
        return kt_fail_err(c, rc);
    const char *email = json_string_value(json_object_get(p, "email"));
    bool active = json_is_true(json_object_get(p, "active"));
    bool matches = email && confirm && strcasecmp(email, confirm) == 0;
    json_decref(p);
    if (person == c->me->person)
        return kt_fail(c, KT_C_INVALID_STATE, "U kunt uzelf niet wissen.");
    if (active)
        return kt_fail(c, KT_C_INVALID_STATE,
                       "Alleen wie vertrokken is kan worden gewist: deactiveer het account eerst.");
    if (!matches)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Bevestig met het e-mailadres van de persoon die u wilt wissen.");
    kt_ivec bodies = {0};
    rc = kt_store_person_bodies(c->st, person, &bodies);
    char pseudonym[64];
    snprintf(pseudonym, sizeof pseudonym, "Oud-deelnemer %lld", (long long)person);
    json_t *report = NULL;
    if (!rc)
        rc = kt_store_person_erase(c->st, person, kt_now(), pseudonym, &report);
    if (rc) {
        kt_ivec_free(&bodies);
        return kt_fail_err(c, rc);
    }
    if (emit_erasure(c, person, &bodies)) {
        kt_ivec_free(&bodies);
        json_decref(report);
        return -1;
    }
    kt_ivec_free(&bodies);
    rc = audit(c, "person.erase", person, json_incref(report));
    if (rc) {
        json_decref(report);
        return kt_fail_err(c, rc);
    }
    c->result = json_pack("{s:I, s:s, s:o}", "person", (json_int_t)person, "pseudonym", pseudonym,
                          "report", report);
    return 0;
}

int kt_h_retention_get(kt_ctx *c)
{
    json_t *status = kt_retention_status(c->app, kt_now());
    if (!status)
        return kt_fail(c, KT_C_STORE_BUSY, NULL);
    c->result = status;
    return 0;
}

int kt_h_audit_list(kt_ctx *c)
{
    int64_t before = kt_arg_int(c, "before", 0), limit = kt_arg_int(c, "limit", 50);
    if (limit <= 0)
        limit = 50;
    json_t *entries = json_array();
    int rc = kt_store_audit_list(c->st, 0, before, limit + 1, entries);
    if (rc) {
        json_decref(entries);
        return kt_fail_err(c, rc);
    }
    bool more = json_array_size(entries) > (size_t)limit;
    if (more)
        json_array_remove(entries, json_array_size(entries) - 1);
    c->result = json_pack("{s:o, s:b}", "entries", entries, "more", more);
    return 0;
}
