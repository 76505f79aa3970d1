/* Importing a verslag (issue 13): import.preview reads the text and says what it recognised,
 * saving nothing; import.commit saves what the secretary confirmed or corrected.
 *
 * The preview's proposal has exactly the shape the commit takes, plus per line what the text
 * said ("recognised"), so a client corrects the proposal and sends it back. The commit is made
 * of the ordinary ops (meeting.create or meeting.update, agenda.add, minutes.note,
 * action.create) run in its one transaction through kt_dispatch_sub(), so it passes the same
 * checks and sends the same events as doing it by hand, and a failure anywhere leaves nothing
 * written. Only attendance is written here through the store, because the verslag's attendance
 * may name a substitute who is not in the directory and guests, which attendance.set does not. */
#include "archive/import.h"
#include "domain/enums.h"
#include "domain/handlers.h"
#include "domain/minutes.h"
#include "domain/model.h"
#include "protocol/dispatch.h"
#include "store/archive.h"
#include "store/directory.h"
#include "store/meetings.h"
#include "util/err.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_NAME_MAX 200
#define TEXT_MAX        4000
#define NOTES_MAX       20000
#define OUTCOMES_MAX    100  /* per item */
#define OUTCOMES_TOTAL  1000 /* per verslag */
#define WHERE_MAX       96
#define FP_HEX          64 /* a fingerprint: BLAKE2b-256 in hex */

/* ---- what was imported before ------------------------------------------------------------ */

/* The fingerprint of a verslag into out (FP_HEX + 1): libsodium's generic hash (BLAKE2b-256)
 * of its text normalised so that the same verslag saved by another editor or system gives the
 * same one: no byte order mark, every line end "\n", no spaces or tabs at the end of a line,
 * a run of blank lines as one, none at the start or the end. */
static void fingerprint(const char *text, size_t len, char *out)
{
    crypto_generichash_state h;
    unsigned char digest[FP_HEX / 2];
    crypto_generichash_init(&h, NULL, 0, sizeof digest);
    size_t i = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    bool any = false, blank = false;
    while (i < len) {
        size_t start = i, end;
        while (i < len && text[i] != '\n' && text[i] != '\r')
            i++;
        end = i;
        if (i < len && text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            i++;
        if (i < len)
            i++;
        while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t'))
            end--;
        if (end == start) {
            blank = any;
            continue;
        }
        if (any)
            crypto_generichash_update(&h, (const unsigned char *)(blank ? "\n\n" : "\n"),
                                      blank ? 2 : 1);
        crypto_generichash_update(&h, (const unsigned char *)text + start, end - start);
        any = true;
        blank = false;
    }
    crypto_generichash_final(&h, digest, sizeof digest);
    sodium_bin2hex(out, FP_HEX + 1, digest, sizeof digest);
}

/* [from, to): the local day of date ("YYYY-MM-DD"); false when it is not one. */
static bool local_day(const char *date, int64_t *from, int64_t *to)
{
    int y, m, d;
    if (!date || sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return false;
    *from = kt_local_to_utc(y, m, d, 0, 0);
    *to = kt_local_to_utc(y, m, d, 23, 59) + 60;
    return true;
}

/* The earlier imports of this body that an import of a verslag with fingerprint fp (or NULL),
 * for the day [from, to) or into meeting, would repeat: a new reference, or NULL after the
 * error was answered. */
static json_t *imported_before(kt_ctx *c, const char *fp, int64_t from, int64_t to, int64_t meeting)
{
    json_t *out = json_array();
    int rc = out ? kt_store_imports_find(c->st, c->body, fp, from, to, meeting, out) : KT_ENOMEM;
    if (rc) {
        json_decref(out);
        kt_fail_err(c, rc);
        return NULL;
    }
    return out;
}

/* ---- import.preview ---------------------------------------------------------------------- */

static kt_code status_code(kt_import_status s)
{
    switch (s) {
    case KT_IMPORT_EMPTY:
        return KT_C_IMPORT_EMPTY;
    case KT_IMPORT_TOO_LARGE:
        return KT_C_IMPORT_TOO_LARGE;
    case KT_IMPORT_NOT_TEXT:
        return KT_C_IMPORT_NOT_TEXT;
    case KT_IMPORT_UNRECOGNISED:
        return KT_C_IMPORT_UNRECOGNISED;
    case KT_IMPORT_TOO_COMPLEX:
        return KT_C_IMPORT_TOO_COMPLEX;
    default:
        return KT_C_INTERNAL;
    }
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static const char *get_str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The role a line proposes: voorzitter, notulist or gast; a member (lid) has none. */
static const char *role_of(const json_t *a)
{
    const char *r = get_str(a, "role");
    return r && strcmp(r, "lid") != 0 ? r : NULL;
}

static json_int_t get_id(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* The entry of the directory with this id (arrays are sorted by id). */
static const json_t *by_id(const json_t *arr, json_int_t id)
{
    size_t lo = 0, hi = json_array_size(arr);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        json_int_t v = get_id(json_array_get(arr, mid), "id");
        if (v == id)
            return json_array_get(arr, mid);
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const char *org_name(const json_t *orgs, json_int_t id)
{
    return id ? get_str(by_id(orgs, id), "name") : NULL;
}

/* A person of the directory as a candidate: {id, name, org_name}. */
static json_t *candidate(const json_t *persons, const json_t *orgs, json_int_t id)
{
    const json_t *p = by_id(persons, id);
    if (!p)
        return NULL;
    return json_pack("{s:I, s:s, s:o}", "id", id, "name", get_str(p, "name"), "org_name",
                     str_or_null(org_name(orgs, get_id(p, "org_id"))));
}

static json_int_t person_named(const json_t *att, const char *name)
{
    size_t i;
    json_t *a;
    json_array_foreach(att, i, a) if (name && get_str(a, "name") &&
                                      !strcmp(get_str(a, "name"), name)) return get_id(a,
                                                                                       "person_id");
    return 0;
}

/* One attendance entry of the parsed document as a line of the commit, with what the text said
 * under "recognised". */
static json_t *line_proposal(const json_t *a, const json_t *att, const json_t *persons,
                             const json_t *orgs)
{
    const char *status = get_str(a, "status"), *sub = get_str(a, "substitute");
    bool absent = status && !strcmp(status, "afwezig");
    const char *st = absent                                     ? (sub ? "vervangen" : "afwezig")
                     : json_is_true(json_object_get(a, "late")) ? "later"
                                                                : "aanwezig";
    json_int_t person = get_id(a, "person_id"), org = get_id(a, "org_id");
    const char *written_org = get_str(a, "org") ? get_str(a, "org") : get_str(a, "function");
    json_t *cands = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(a, "candidates"), i, x)
    {
        json_t *cand = candidate(persons, orgs, json_integer_value(x));
        if (cand)
            json_array_append_new(cands, cand);
    }
    if (person && !json_array_size(cands)) {
        json_t *cand = candidate(persons, orgs, person);
        if (cand)
            json_array_append_new(cands, cand);
    }
    json_t *rec =
        json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:I}", "name", get_str(a, "name"), "org",
                  str_or_null(get_str(a, "org")), "function", str_or_null(get_str(a, "function")),
                  "person_match", get_str(a, "person_match") ? get_str(a, "person_match") : "none",
                  "org_match", get_str(a, "org_match") ? get_str(a, "org_match") : "none",
                  "candidates", cands, "substitutes_for",
                  str_or_null(get_str(a, "substitutes_for")), "line", get_id(a, "line"));
    json_int_t subst = sub ? person_named(att, sub) : 0;
    return json_pack(
        "{s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:o}", "person",
        person ? json_integer(person) : json_null(), "name", get_str(a, "name"), "org",
        org ? json_integer(org) : json_null(), "org_name",
        str_or_null(org ? org_name(orgs, org) : written_org), "role", str_or_null(role_of(a)),
        "status", st, "notice", str_or_null(absent ? get_str(a, "notice") : NULL), "substitute",
        subst ? json_integer(subst) : json_null(), "substitute_name", str_or_null(sub),
        "substitute_kind", str_or_null(sub ? get_str(a, "substitute_kind") : NULL), "leaves_early",
        json_is_true(json_object_get(a, "leaves_early")), "recognised", rec);
}

/* An outcome as the commit would take it. An owner named as a person is that person (the
 * organisation only when the text names an organisation instead), so that an exported verslag
 * reads back the same. */
static json_t *outcome_proposal(const json_t *o)
{
    const char *kind = get_str(o, "kind");
    bool besluit = kind && !strcmp(kind, "besluit");
    json_int_t owner = get_id(o, "owner_person_id"), owner_org = get_id(o, "owner_org_id");
    json_t *rec = json_pack(
        "{s:s, s:s, s:o, s:o}", "trigger", get_str(o, "trigger") ? get_str(o, "trigger") : "",
        "confidence", get_str(o, "confidence") ? get_str(o, "confidence") : "", "source",
        str_or_null(get_str(o, "source")), "owner", str_or_null(get_str(o, "owner")));
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "kind",
                     besluit                               ? "besluit"
                     : kind && !strcmp(kind, "toezegging") ? "toezegging"
                                                           : "actiepunt",
                     "text", get_str(o, "text") ? get_str(o, "text") : "", "owner",
                     !besluit && owner ? json_integer(owner) : json_null(), "owner_org",
                     !besluit && owner_org && !owner ? json_integer(owner_org) : json_null(), "due",
                     str_or_null(besluit ? NULL : get_str(o, "due")), "recognised", rec);
}

static json_t *item_proposal(const json_t *it)
{
    json_t *outs = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(it, "outcomes"), i, o)
        json_array_append_new(outs, outcome_proposal(o));
    json_t *number = json_object_get(it, "number");
    return json_pack("{s:s, s:s, s:O, s:b, s:I, s:o}", "title", get_str(it, "title"), "notes",
                     get_str(it, "notes") ? get_str(it, "notes") : "", "number",
                     number ? number : json_null(), "previous_minutes",
                     json_is_true(json_object_get(it, "previous_minutes")), "line",
                     get_id(it, "line"), "outcomes", outs);
}

/* The body's meetings on date ("YYYY-MM-DD", local time): what the import could fill. */
static json_t *meetings_on(kt_ctx *c, const char *date)
{
    int64_t from, to;
    if (!local_day(date, &from, &to))
        return json_array();
    json_t *out = json_array();
    if (out && kt_store_meetings_list(c->st, c->body, from, to, out))
        json_array_clear(out);
    return out;
}

int kt_h_import_preview(kt_ctx *c)
{
    const char *text = kt_arg_str(c, "text");
    json_t *doc = NULL, *persons = NULL, *orgs = NULL;
    kt_import_status s = kt_import_parse(text, strlen(text), &doc);
    if (s != KT_IMPORT_OK)
        return kt_fail(c, status_code(s), "%s", kt_import_status_message(s));
    int rc = kt_store_archive_directory(c->st, c->body, &persons, &orgs);
    if (!rc)
        rc = kt_import_recognise(doc, persons, orgs);
    if (rc) {
        json_decref(doc);
        json_decref(persons);
        json_decref(orgs);
        return kt_fail_err(c, rc);
    }
    json_t *att = json_object_get(doc, "attendance"), *lines = json_array(), *items = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(att, i, x)
        json_array_append_new(lines, line_proposal(x, att, persons, orgs));
    json_array_foreach(json_object_get(doc, "items"), i, x)
        json_array_append_new(items, item_proposal(x));
    const char *date = get_str(doc, "date");
    char fp[FP_HEX + 1];
    int64_t from = 0, to = 0;
    fingerprint(text, strlen(text), fp);
    local_day(date, &from, &to);
    json_t *before = imported_before(c, fp, from, to, 0);
    if (!before) {
        json_decref(lines);
        json_decref(items);
        json_decref(doc);
        json_decref(persons);
        json_decref(orgs);
        return -1;
    }
    c->result = json_pack(
        "{s:s, s:O, s:O, s:{s:O, s:O, s:O, s:O}, s:o, s:o, s:o, s:O, s:O, s:s, s:o}", "format",
        get_str(doc, "format"), "title", json_object_get(doc, "title"), "body_name",
        json_object_get(doc, "body_name"), "meeting", "date", json_object_get(doc, "date"), "start",
        json_object_get(doc, "start"), "end", json_object_get(doc, "end"), "location",
        json_object_get(doc, "location"), "existing", meetings_on(c, date), "attendance", lines,
        "items", items, "warnings", json_object_get(doc, "warnings"), "counts",
        json_object_get(doc, "counts"), "fingerprint", fp, "imported", before);
    json_decref(doc);
    json_decref(persons);
    json_decref(orgs);
    return c->result ? 0 : kt_fail_err(c, KT_ENOMEM);
}

/* ---- import.commit ----------------------------------------------------------------------- */

/* Checks the members of entry against the allowed names (NULL-terminated). */
static int only_members(kt_ctx *c, const json_t *entry, const char *const *allowed,
                        const char *where)
{
    if (!json_is_object(entry))
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "%sdit moet een object zijn.", where);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)entry, key, v)
    {
        const char *const *a = allowed;
        while (*a && strcmp(*a, key))
            a++;
        if (!*a)
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "%sonbekend gegeven '%.40s'.", where, key);
    }
    return 0;
}

/* A string member: absent or null gives NULL (unless required); else a string of at most max
 * code points, trimmed and non-empty when trimmed is set. */
static int text_member(kt_ctx *c, const json_t *e, const char *k, size_t max, bool trimmed,
                       bool required, const char *where, const char **out)
{
    json_t *v = json_object_get(e, k);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return kt_fail(c, KT_C_INVALID_ARGUMENT, "%s'%s' ontbreekt.", where, k);
        return 0;
    }
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;
    if (!s || n != json_string_length(v))
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "%s'%s' moet tekst zijn.", where, k);
    if (kt_utf8_length(s) > max)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "%s'%s' is langer dan %zu tekens.", where, k, max);
    if (trimmed && (!n || s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[n - 1] == ' ' ||
                    s[n - 1] == '\t' || s[n - 1] == '\n'))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "%s'%s' mag niet leeg zijn of met spaties beginnen of eindigen.", where, k);
    *out = s;
    return 0;
}

static int enum_member(kt_ctx *c, const json_t *e, const char *k, const char *const *values,
                       const char *where, const char **out)
{
    json_t *v = json_object_get(e, k);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    for (const char *const *p = values; json_is_string(v) && *p; p++)
        if (!strcmp(*p, json_string_value(v))) {
            *out = *p;
            return 0;
        }
    return kt_fail(c, KT_C_INVALID_ARGUMENT, "%s'%s' heeft geen toegestane waarde.", where, k);
}

/* An id member that must name a row: absent or null gives 0. */
static int ref_member(kt_ctx *c, const json_t *e, const char *k, int (*exists)(kt_store *, int64_t),
                      const char *what, const char *where, int64_t *out)
{
    json_t *v = json_object_get(e, k);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "%s'%s' moet een positief geheel getal zijn.",
                       where, k);
    int rc = exists(c->st, json_integer_value(v));
    if (rc == KT_ENOTFOUND)
        return kt_fail(c, KT_C_NOT_FOUND, "%s%s bestaat niet.", where, what);
    if (rc)
        return kt_fail_err(c, rc);
    *out = json_integer_value(v);
    return 0;
}

static const char *const line_members[] = {
    "person",       "name",   "org",        "org_name",        "role",
    "status",       "notice", "substitute", "substitute_name", "substitute_kind",
    "leaves_early", "note",   NULL};
/* lid (a member) is what a line without a role is; it is taken as none. */
static const char *const line_roles[] = {"voorzitter", "notulist", "lid", "gast", NULL};
static const char *const notices[] = {"met_bericht", "zonder_bericht", NULL};
static const char *const substitute_kinds[] = {"eenmalig", "vast", NULL};

/* Reads and checks one attendance line; its strings stay borrowed from e. */
static int read_line(kt_ctx *c, const json_t *e, const char *where, kt_store_attendance *l)
{
    memset(l, 0, sizeof *l);
    if (only_members(c, e, line_members, where) ||
        ref_member(c, e, "person", kt_store_archive_person_exists, "Deze persoon", where,
                   &l->person) ||
        text_member(c, e, "name", IMPORT_NAME_MAX, true, !l->person, where, &l->name) ||
        ref_member(c, e, "org", kt_store_archive_org_exists, "Deze organisatie", where, &l->org) ||
        text_member(c, e, "org_name", IMPORT_NAME_MAX, true, false, where, &l->org_name) ||
        enum_member(c, e, "role", line_roles, where, &l->role) ||
        enum_member(c, e, "status", kt_attendance_statuses, where, &l->status) ||
        enum_member(c, e, "notice", notices, where, &l->notice) ||
        ref_member(c, e, "substitute", kt_store_archive_person_exists, "De vervanger", where,
                   &l->substitute) ||
        text_member(c, e, "substitute_name", IMPORT_NAME_MAX, true, false, where,
                    &l->substitute_name) ||
        enum_member(c, e, "substitute_kind", substitute_kinds, where, &l->substitute_kind) ||
        text_member(c, e, "note", 500, false, false, where, &l->note))
        return -1;
    json_t *early = json_object_get(e, "leaves_early");
    if (early && !json_is_boolean(early))
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "%s'leaves_early' moet true of false zijn.",
                       where);
    l->leaves_early = json_is_true(early);
    if (l->role && !strcmp(l->role, "lid"))
        l->role = NULL;
    if (l->person)
        l->name = NULL;
    if (l->org)
        l->org_name = NULL;
    if (!l->status)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "%s'status' ontbreekt.", where);
    bool replaced = !strcmp(l->status, "vervangen");
    bool absent = replaced || !strcmp(l->status, "afwezig");
    if (l->notice && !absent)
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "%s'met of zonder bericht' hoort bij iemand die afwezig is.", where);
    if ((l->substitute || l->substitute_name || l->substitute_kind) && !replaced)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "%seen vervanger hoort bij de status 'vervangen'.",
                       where);
    if (l->substitute && l->substitute == l->person)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "%siemand vervangt zichzelf niet.", where);
    return 0;
}

/* A chair or minute-taker given on a line takes the role from the line that had it (one each,
 * as attendance.set does); those lines are announced changed. 0 or a KT_E*. */
static int take_role(kt_ctx *c, int64_t meeting, const char *role, int64_t id)
{
    kt_ivec cleared = {0};
    int rc = kt_store_attendance_role_clear(c->st, meeting, role, id, &cleared);
    for (size_t i = 0; !rc && i < cleared.n; i++) {
        json_t *att = NULL;
        rc = kt_store_attendance_by_id(c->st, meeting, cleared.v[i], &att);
        if (!rc &&
            kt_emit(c, c->body, "attendance.updated", NULL,
                    json_pack("{s:I, s:o}", "meeting", (json_int_t)meeting, "attendance", att)))
            rc = KT_ESTORE;
    }
    kt_ivec_free(&cleared);
    return rc;
}

static int record_attendance(kt_ctx *c, int64_t meeting, json_t *lines)
{
    kt_ivec seen = {0};
    size_t i;
    json_t *e;
    int rc = 0;
    json_array_foreach(lines, i, e)
    {
        char where[WHERE_MAX];
        snprintf(where, sizeof where, "Aanwezigheid, regel %zu: ", i + 1);
        kt_store_attendance l;
        int64_t id = 0;
        json_t *line = NULL;
        if ((rc = read_line(c, e, where, &l)))
            break;
        if (l.person && kt_ivec_has(&seen, l.person)) {
            rc = kt_fail(c, KT_C_INVALID_ARGUMENT, "%sdeze persoon staat er al eerder in.", where);
            break;
        }
        if (l.person && kt_ivec_push(&seen, l.person)) {
            rc = kt_fail_err(c, KT_ENOMEM);
            break;
        }
        int err = 0;
        /* A known person came for their own organisation unless the line names another. */
        if (l.person && !l.org && !l.org_name)
            err = kt_store_person_org(c->st, l.person, &l.org);
        if (!err)
            err = kt_store_attendance_set(c->st, meeting, &l, c->me->person, kt_now(), &id);
        if (!err && l.role && strcmp(l.role, "gast") != 0)
            err = take_role(c, meeting, l.role, id);
        if (!err)
            err = kt_store_attendance_by_id(c->st, meeting, id, &line);
        if (err) {
            rc = err == KT_ECONFLICT ? kt_fail(c, KT_C_INVALID_ARGUMENT, "%sniet geldig.", where)
                                     : kt_fail_err(c, err);
            break;
        }
        rc = kt_emit(c, c->body, "attendance.updated", NULL,
                     json_pack("{s:I, s:o}", "meeting", (json_int_t)meeting, "attendance", line));
        if (rc)
            break;
    }
    kt_ivec_free(&seen);
    if (rc)
        return -1;
    kt_touch_meeting(c, meeting);
    return 0;
}

static const char *const item_members[] = {"title", "notes", "outcomes", NULL};
static const char *const outcome_members[] = {"kind", "text", "owner", "owner_org", "due", NULL};

/* One outcome of item as action.create would take it. */
static int save_outcome(kt_ctx *c, int64_t item, const json_t *o, const char *where)
{
    if (only_members(c, o, outcome_members, where))
        return -1;
    json_t *args = json_pack("{s:I, s:I}", "body", (json_int_t)c->body, "item", (json_int_t)item);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v) if (!json_is_null(v)) json_object_set(args, k, v);
    int rc = kt_dispatch_sub(c, "action.create", args, where, NULL);
    json_decref(args);
    return rc;
}

static int save_item(kt_ctx *c, int64_t meeting, const json_t *it, size_t n, size_t *outcomes)
{
    char where[WHERE_MAX];
    snprintf(where, sizeof where, "Agendapunt %zu: ", n);
    const char *title, *notes;
    json_t *outs = json_object_get(it, "outcomes");
    if (only_members(c, it, item_members, where) ||
        text_member(c, it, "title", IMPORT_NAME_MAX, true, true, where, &title) ||
        text_member(c, it, "notes", NOTES_MAX, false, false, where, &notes))
        return -1;
    if (outs && !json_is_null(outs) &&
        (!json_is_array(outs) || json_array_size(outs) > OUTCOMES_MAX))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "%s'outcomes' moet een lijst van hoogstens %d uitkomsten zijn.", where,
                       OUTCOMES_MAX);
    *outcomes += json_array_size(outs);
    if (*outcomes > OUTCOMES_TOTAL)
        return kt_fail(c, KT_C_INVALID_ARGUMENT, "Meer dan %d uitkomsten in één verslag.",
                       OUTCOMES_TOTAL);
    json_t *args = json_pack("{s:I, s:s}", "meeting", (json_int_t)meeting, "title", title);
    json_t *added = NULL;
    int rc = kt_dispatch_sub(c, "agenda.add", args, where, &added);
    json_decref(args);
    int64_t item = json_integer_value(json_object_get(json_object_get(added, "item"), "id"));
    json_decref(added);
    if (!rc && notes && *notes) {
        args = json_pack("{s:I, s:s}", "item", (json_int_t)item, "text", notes);
        rc = kt_dispatch_sub(c, "minutes.note", args, where, NULL);
        json_decref(args);
    }
    size_t i;
    json_t *o;
    json_array_foreach(outs, i, o)
    {
        if (rc)
            break;
        char w[WHERE_MAX];
        snprintf(w, sizeof w, "Agendapunt %zu, uitkomst %zu: ", n, i + 1);
        rc = save_outcome(c, item, o, w);
    }
    return rc;
}

/* "HH:MM" on date (local time) into *t. */
static bool local_instant(const char *date, const char *hhmm, int64_t *t)
{
    int y, mo, d, h, mi;
    char rest;
    if (!date || !hhmm || sscanf(date, "%4d-%2d-%2d", &y, &mo, &d) != 3 ||
        sscanf(hhmm, "%2d:%2d%c", &h, &mi, &rest) != 2 || strlen(hhmm) != 5 || h > 23 || mi > 59 ||
        h < 0 || mi < 0)
        return false;
    *t = kt_local_to_utc(y, mo, d, h, mi);
    return true;
}

/* The meeting the verslag goes into: the one given (of this body, not cancelled), with its
 * status set; or a new one on date from start to end. */
static int target_meeting(kt_ctx *c, int64_t *meeting)
{
    const char *status = kt_arg_str(c, "status") ? kt_arg_str(c, "status") : "verslag_concept";
    if (strcmp(status, "verslag_vastgesteld") == 0)
        status = "verslag_concept"; /* its content first; kept as vastgesteld at the end */
    *meeting = kt_arg_int(c, "meeting", 0);
    json_t *args, *r = NULL;
    int rc;
    if (*meeting) {
        json_t *m = kt_meeting_json(c->st, *meeting);
        int64_t body = json_integer_value(json_object_get(m, "body"));
        const char *was = json_string_value(json_object_get(m, "status"));
        bool cancelled = was && !strcmp(was, "geannuleerd");
        json_decref(m);
        if (body != c->body)
            return kt_fail(c, KT_C_NOT_FOUND, "Deze vergadering bestaat niet in dit overleg.");
        if (cancelled)
            return kt_fail(c, KT_C_INVALID_STATE,
                           "Deze vergadering is geannuleerd; kies een andere of maak een nieuwe.");
        args = json_pack("{s:I, s:s}", "meeting", (json_int_t)*meeting, "status", status);
        if (kt_arg_str(c, "location") && *kt_arg_str(c, "location"))
            json_object_set_new(args, "location", json_string(kt_arg_str(c, "location")));
        rc = kt_dispatch_sub(c, "meeting.update", args, "Vergadering: ", NULL);
        json_decref(args);
        return rc;
    }
    const char *date = kt_arg_str(c, "date");
    int64_t start, end;
    if (!date)
        return kt_fail(c, KT_C_MISSING_ARGUMENT,
                       "Geef de datum van de vergadering ('date') of kies een vergadering.");
    if (!local_instant(date, kt_arg_str(c, "start_time"), &start) ||
        !local_instant(date, kt_arg_str(c, "end_time"), &end))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "Geef het begin en het einde van de vergadering als uu:mm ('start', "
                       "'end_time').");
    char s[24], e[24];
    kt_time_format(start, s, sizeof s);
    kt_time_format(end, e, sizeof e);
    /* The verslag spells out its agenda: no standing items or actielijst come along. */
    args = json_pack("{s:I, s:s, s:s, s:s, s:b}", "body", (json_int_t)c->body, "start", s, "end", e,
                     "status", status, "standing", 0);
    if (kt_arg_str(c, "location") && *kt_arg_str(c, "location"))
        json_object_set_new(args, "location", json_string(kt_arg_str(c, "location")));
    rc = kt_dispatch_sub(c, "meeting.create", args, "Vergadering: ", &r);
    json_decref(args);
    *meeting = json_integer_value(json_object_get(json_object_get(r, "meeting"), "id"));
    json_decref(r);
    return rc;
}

/* "dinsdag 6 juni 2023" (with_time: "om 13:30") of an instant the store gave as text. */
static void dutch_time(const json_t *iso, bool with_time, char *buf, size_t n)
{
    int64_t t = 0;
    if (!json_is_string(iso) || kt_time_parse(json_string_value(iso), &t))
        snprintf(buf, n, "een eerdere datum");
    else
        kt_time_dutch(t, with_time, buf, n);
}

/* Refuses (import_duplicate) an import that would repeat an earlier one of this body: the same
 * text (fingerprint fp, when the client sent the preview's), or a verslag for a meeting that
 * already had one imported (the meeting given, or one of this body on the same day). The
 * secretary may say that a verslag for the same day is of another meeting (same_day); the same
 * text or the same meeting stays refused. A meeting since cancelled no longer counts: cancel
 * it to import its verslag again. 0, or -1 after the error was answered. */
static int refuse_duplicate(kt_ctx *c, const char *fp)
{
    int64_t meeting = kt_arg_int(c, "meeting", 0), from = 0, to = 0;
    if (meeting) {
        json_t *m = kt_meeting_json(c->st, meeting);
        int64_t start = 0;
        const char *iso = json_string_value(json_object_get(m, "start"));
        if (json_integer_value(json_object_get(m, "body")) == c->body && iso &&
            !kt_time_parse(iso, &start)) {
            char day[16];
            int y, mo, d;
            kt_utc_to_local(start, &y, &mo, &d, NULL, NULL, NULL);
            snprintf(day, sizeof day, "%04d-%02d-%02d", y, mo, d);
            local_day(day, &from, &to);
        }
        json_decref(m);
    } else {
        local_day(kt_arg_str(c, "date"), &from, &to);
    }
    json_t *before = imported_before(c, fp, from, to, meeting);
    if (!before)
        return -1;
    const json_t *hit = NULL, *b;
    size_t i;
    bool same_day = kt_arg_bool(c, "same_day", false);
    json_array_foreach(before, i, b)
    {
        if (json_is_true(json_object_get(b, "same_text"))) {
            hit = b;
            break;
        }
        if (!hit && (json_integer_value(json_object_get(b, "meeting")) == meeting || !same_day))
            hit = b;
    }
    if (!hit) {
        json_decref(before);
        return 0;
    }
    char when[80], at[80];
    dutch_time(json_object_get(hit, "imported_at"), false, when, sizeof when);
    dutch_time(json_object_get(hit, "start"), true, at, sizeof at);
    if (json_is_true(json_object_get(hit, "same_text")))
        kt_fail(c, KT_C_IMPORT_DUPLICATE,
                "Dit verslag is al geïmporteerd op %s in de vergadering van %s; het wordt niet "
                "nog eens opgeslagen. Wilt u het opnieuw importeren, annuleer dan eerst die "
                "vergadering.",
                when, at);
    else if (json_integer_value(json_object_get(hit, "meeting")) == meeting)
        kt_fail(c, KT_C_IMPORT_DUPLICATE,
                "In de vergadering van %s is al een verslag geïmporteerd op %s; het wordt niet "
                "nog eens opgeslagen. Wilt u het opnieuw importeren, annuleer dan eerst die "
                "vergadering.",
                at, when);
    else
        kt_fail(c, KT_C_IMPORT_DUPLICATE,
                "Voor de vergadering van %s is al een verslag geïmporteerd op %s; het wordt niet "
                "nog eens opgeslagen. Gaat het om een andere vergadering op die dag, bevestig dat "
                "dan en sla het op als nieuwe vergadering.",
                at, when);
    json_decref(before);
    return -1;
}

int kt_h_import_commit(kt_ctx *c)
{
    int64_t meeting = 0;
    size_t outcomes = 0, i;
    json_t *it, *items = json_object_get(c->args, "items");
    json_t *lines = json_object_get(c->args, "attendance");
    const char *fp = kt_arg_str(c, "fingerprint");
    if (fp && (strlen(fp) != FP_HEX || strspn(fp, "0123456789abcdef") != FP_HEX))
        return kt_fail(c, KT_C_INVALID_ARGUMENT,
                       "'fingerprint' is de vingerafdruk uit import.preview (64 tekens, hex).");
    if (refuse_duplicate(c, fp) || target_meeting(c, &meeting) ||
        (lines && record_attendance(c, meeting, lines)))
        return -1;
    json_array_foreach(items, i, it) if (save_item(c, meeting, it, i + 1, &outcomes)) return -1;
    const char *status = kt_arg_str(c, "status");
    if (status && strcmp(status, "verslag_vastgesteld") == 0 &&
        kt_minutes_keep_approved(c, meeting,
                                 "Vastgesteld voordat het verslag in ketentafel werd ingelezen."))
        return -1;
    int rc = kt_store_import_record(c->st, c->body, meeting, fp, c->me->person, kt_now());
    if (rc)
        return kt_fail_err(c, rc);
    json_t *m = kt_meeting_json(c->st, meeting);
    if (!m)
        return kt_fail_err(c, KT_ESTORE);
    c->result = json_pack("{s:o, s:I, s:I, s:I}", "meeting", m, "items",
                          (json_int_t)json_array_size(items), "outcomes", (json_int_t)outcomes,
                          "attendance", (json_int_t)json_array_size(lines));
    return c->result ? 0 : kt_fail_err(c, KT_ENOMEM);
}
