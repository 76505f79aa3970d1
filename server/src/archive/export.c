/* Writing a verslag and a besluitenlijst as Markdown; see export.h. Every line written is one
 * that archive/import.c reads back to the same thing: the lists and labels of the attendance,
 * the sentences it reads substitutions, late arrivals and early leavers from, numbered item
 * headings and explicit outcome lines. */
#include "archive/export.h"

#include "feed/strbuf.h"

#include <stdbool.h>
#include <string.h>

static const char *get_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && *s ? s : NULL;
}

static bool is(const json_t *o, const char *k, const char *v)
{
    const char *s = get_str(o, k);
    return s && !strcmp(s, v);
}

/* One line of text: newlines inside become spaces. */
static void add_line_text(kt_strbuf *b, const char *s)
{
    for (const char *p = s; p && *p; p++) {
        const char *e = p;
        while (*e && *e != '\n' && *e != '\r')
            e++;
        kt_sb_addn(b, p, (size_t)(e - p));
        if (!*e)
            break;
        kt_sb_add(b, " ");
        p = e;
    }
}

/* "Naam (Organisatie)" */
static void add_person(kt_strbuf *b, const json_t *a)
{
    add_line_text(b, get_str(a, "name") ? get_str(a, "name") : "?");
    if (get_str(a, "org_name")) {
        kt_sb_add(b, " (");
        add_line_text(b, get_str(a, "org_name"));
        kt_sb_add(b, ")");
    }
}

typedef bool (*line_pred)(const json_t *a);

static bool absent(const json_t *a)
{
    return is(a, "status", "afwezig") || is(a, "status", "vervangen");
}
static bool listed_present(const json_t *a)
{
    return !absent(a) && !is(a, "role", "voorzitter") && !is(a, "role", "notulist") &&
           !is(a, "role", "gast");
}
static bool guest(const json_t *a)
{
    return !absent(a) && is(a, "role", "gast");
}
static bool absent_with_notice(const json_t *a)
{
    return absent(a) && !is(a, "notice", "zonder_bericht");
}
static bool absent_without_notice(const json_t *a)
{
    return absent(a) && is(a, "notice", "zonder_bericht");
}

/* The lines of att that pred selects as one comma-separated list; whether there were any. */
static bool add_list(kt_strbuf *b, const json_t *att, line_pred pred)
{
    size_t i, n = 0;
    json_t *a;
    json_array_foreach(att, i, a)
    {
        if (!pred(a))
            continue;
        if (n++)
            kt_sb_add(b, ", ");
        add_person(b, a);
    }
    if (n)
        kt_sb_add(b, "\n\n");
    return n > 0;
}

static void add_role_line(kt_strbuf *b, const json_t *att, const char *role, const char *label)
{
    size_t i;
    json_t *a;
    json_array_foreach(att, i, a)
    {
        if (absent(a) || !is(a, "role", role))
            continue;
        kt_sb_addf(b, "%s: ", label);
        add_line_text(b, get_str(a, "name") ? get_str(a, "name") : "?");
        kt_sb_add(b, "\n\n");
    }
}

/* Substitutions ("X wordt vast vervangen door Y."), late arrivals and early leavers, each a
 * sentence of its own. */
static void add_changes(kt_strbuf *b, const json_t *att, bool of_absent)
{
    size_t i;
    json_t *a;
    json_array_foreach(att, i, a)
    {
        const char *name = get_str(a, "name");
        if (!name || absent(a) != of_absent)
            continue;
        if (of_absent && get_str(a, "substitute_name")) {
            add_line_text(b, name);
            kt_sb_add(b, is(a, "substitute_kind", "vast")       ? " wordt vast vervangen door "
                         : is(a, "substitute_kind", "eenmalig") ? " wordt eenmalig vervangen door "
                                                                : " wordt vervangen door ");
            add_line_text(b, get_str(a, "substitute_name"));
            kt_sb_add(b, ".\n\n");
        }
        if (!of_absent && is(a, "status", "later")) {
            add_line_text(b, name);
            kt_sb_add(b, " schuift later aan.\n\n");
        }
        if (!of_absent && json_is_true(json_object_get(a, "leaves_early"))) {
            add_line_text(b, name);
            kt_sb_add(b, " vertrekt eerder.\n\n");
        }
    }
}

static void add_attendance(kt_strbuf *b, const json_t *att)
{
    if (!json_array_size(att))
        return;
    kt_sb_add(b, "## Aanwezig\n\n");
    add_role_line(b, att, "voorzitter", "Voorzitter");
    add_role_line(b, att, "notulist", "Notulist");
    add_list(b, att, listed_present);
    add_changes(b, att, false);
    size_t i;
    json_t *a;
    bool guests = false;
    json_array_foreach(att, i, a) guests = guests || guest(a);
    if (guests) {
        kt_sb_add(b, "## Gasten\n\n");
        add_list(b, att, guest);
    }
    bool any_absent = false;
    json_array_foreach(att, i, a) any_absent = any_absent || absent(a);
    if (!any_absent)
        return;
    bool with = false, without = false;
    json_array_foreach(att, i, a)
    {
        with = with || absent_with_notice(a);
        without = without || absent_without_notice(a);
    }
    if (with) {
        kt_sb_add(b, "## Afwezig\n\n");
        add_list(b, att, absent_with_notice);
    }
    if (without) {
        kt_sb_add(b, "## Afwezig zonder bericht\n\n");
        add_list(b, att, absent_without_notice);
    }
    add_changes(b, att, true);
}

/* "- Besluit: ...", "- Toezegging (Woonplus): ...", "- Actie (Jan Jansen, 1 juli 2027): ..." */
static void add_outcome(kt_strbuf *b, const json_t *o)
{
    const char *kind = get_str(o, "kind");
    const char *owner = get_str(o, "owner_name"), *due = get_str(o, "due_text");
    bool besluit = kind && !strcmp(kind, "besluit");
    kt_sb_add(b, besluit                               ? "- Besluit"
                 : kind && !strcmp(kind, "toezegging") ? "- Toezegging"
                                                       : "- Actie");
    if (!besluit && (owner || due)) {
        kt_sb_add(b, " (");
        if (owner)
            add_line_text(b, owner);
        kt_sb_add(b, owner && due ? ", " : "");
        if (due)
            kt_sb_add(b, due);
        kt_sb_add(b, ")");
    }
    kt_sb_add(b, ": ");
    add_line_text(b, get_str(o, "text") ? get_str(o, "text") : "");
    kt_sb_add(b, "\n");
}

static void add_outcomes(kt_strbuf *b, const json_t *outs)
{
    size_t i;
    json_t *o;
    json_array_foreach(outs, i, o) add_outcome(b, o);
    if (json_array_size(outs))
        kt_sb_add(b, "\n");
}

/* Notes as they are (a small Markdown subset), with line ends normalised. */
static void add_notes(kt_strbuf *b, const char *notes)
{
    if (!notes)
        return;
    size_t n = strlen(notes);
    while (n && (notes[n - 1] == '\n' || notes[n - 1] == ' ' || notes[n - 1] == '\r'))
        n--;
    for (size_t i = 0; i < n; i++)
        if (notes[i] != '\r')
            kt_sb_addn(b, &notes[i], 1);
    if (n)
        kt_sb_add(b, "\n\n");
}

static void add_items(kt_strbuf *b, const json_t *items)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_int_t pos = json_integer_value(json_object_get(it, "position"));
        kt_sb_addf(b, "## %lld. ", (long long)(pos ? pos : (json_int_t)i + 1));
        if (json_is_true(json_object_get(it, "placeholder"))) {
            kt_sb_add(b, "Besloten punt\n\n");
            continue;
        }
        add_line_text(b, get_str(it, "title") ? get_str(it, "title") : "Agendapunt");
        kt_sb_add(b, "\n\n");
        add_notes(b, get_str(it, "notes"));
        add_outcomes(b, json_object_get(it, "outcomes"));
    }
}

char *kt_export_minutes_md(const json_t *doc)
{
    kt_strbuf b = {0};
    kt_sb_add(&b, KT_EXPORT_MARKER "\n\n# ");
    add_line_text(&b, get_str(doc, "title") ? get_str(doc, "title") : "Verslag");
    kt_sb_add(&b, "\n\n");
    if (get_str(doc, "date_text"))
        kt_sb_addf(&b, "Datum: %s  \n", get_str(doc, "date_text"));
    const char *place = get_str(json_object_get(doc, "meeting"), "location");
    if (place) {
        kt_sb_add(&b, "Locatie: ");
        add_line_text(&b, place);
        kt_sb_add(&b, "  \n");
    }
    if (get_str(doc, "start_text"))
        kt_sb_addf(&b, "Aanvang: %s uur", get_str(doc, "start_text"));
    if (get_str(doc, "end_text"))
        kt_sb_addf(&b, "%sEind: %s uur", get_str(doc, "start_text") ? " " : "",
                   get_str(doc, "end_text"));
    kt_sb_add(&b, "\n\n");
    add_attendance(&b, json_object_get(doc, "attendance"));
    const json_t *items = json_object_get(doc, "items");
    add_items(&b, items);
    const json_t *other = json_object_get(doc, "other_outcomes");
    if (json_array_size(other)) {
        kt_sb_addf(&b, "## %zu. Overige besluiten en afspraken\n\n", json_array_size(items) + 1);
        add_outcomes(&b, other);
    }
    if (get_str(doc, "minutes")) {
        kt_sb_addf(&b, "## %zu. Aanvullend verslag\n\n",
                   json_array_size(items) + 1 + (json_array_size(other) ? 1 : 0));
        add_notes(&b, get_str(doc, "minutes"));
    }
    return kt_sb_take(&b);
}

char *kt_export_decisions_md(const json_t *doc)
{
    kt_strbuf b = {0};
    kt_sb_add(&b, KT_EXPORT_MARKER "\n\n# ");
    add_line_text(&b, get_str(doc, "title") ? get_str(doc, "title") : "Besluitenlijst");
    kt_sb_add(&b, "\n\n");
    size_t i, k;
    json_t *m, *d;
    json_array_foreach(json_object_get(doc, "meetings"), i, m)
    {
        kt_sb_add(&b, "## ");
        add_line_text(&b, get_str(m, "heading") ? get_str(m, "heading") : "Zonder vergadering");
        kt_sb_add(&b, "\n\n");
        json_array_foreach(json_object_get(m, "decisions"), k, d)
        {
            kt_sb_add(&b, "- Besluit: ");
            add_line_text(&b, get_str(d, "text") ? get_str(d, "text") : "");
            if (get_str(d, "item_title")) {
                kt_sb_addf(&b, " (agendapunt %lld: ",
                           (long long)json_integer_value(json_object_get(d, "item_position")));
                add_line_text(&b, get_str(d, "item_title"));
                kt_sb_add(&b, ")");
            }
            kt_sb_add(&b, "\n");
        }
        kt_sb_add(&b, "\n");
    }
    return kt_sb_take(&b);
}
