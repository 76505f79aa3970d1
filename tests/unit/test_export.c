/* Writing a verslag as Markdown (archive/export.h) and reading it back (archive/import.h): every
 * kind of attendance line, outcome and item comes back as it went out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "archive/export.h"
#include "archive/import.h"

#include <stdlib.h>
#include <string.h>

static json_t *line(const char *name, const char *org, const char *role, const char *status)
{
    return json_pack("{s:s, s:s?, s:s?, s:s, s:n, s:n, s:n, s:b}", "name", name, "org_name", org,
                     "role", role, "status", status, "notice", "substitute_name", "substitute_kind",
                     "leaves_early", 0);
}

static json_t *doc(void)
{
    json_t *att = json_array();
    json_array_append_new(att,
                          line("Carla Voorzitter", "Gemeente Testdam", "voorzitter", "aanwezig"));
    json_array_append_new(att, line("Sem Secretaris", "Gemeente Testdam", "notulist", "aanwezig"));
    json_array_append_new(att, line("Piet Politie", "Politie Testdam", "lid", "aanwezig"));
    json_array_append_new(att, line("Lotte Laat", "Woonstichting Testdam", "lid", "later"));
    json_t *early = line("Egbert Eerder", "programmadirecteur", "lid", "aanwezig");
    json_object_set_new(early, "leaves_early", json_true());
    json_array_append_new(att, early);
    json_array_append_new(att, line("Gijs Gast", "RIEC Rotterdam", "gast", "aanwezig"));
    json_t *vast = line("Theo Weg", "Bibliotheek", "lid", "vervangen");
    json_object_set_new(vast, "notice", json_string("met_bericht"));
    json_object_set_new(vast, "substitute_name", json_string("Daphne Vervanger"));
    json_object_set_new(vast, "substitute_kind", json_string("vast"));
    json_array_append_new(att, vast);
    json_array_append_new(att, line("Daphne Vervanger", "Bibliotheek", "lid", "aanwezig"));
    json_t *gone = line("Zeno Zonder", "OM", "lid", "afwezig");
    json_object_set_new(gone, "notice", json_string("zonder_bericht"));
    json_array_append_new(att, gone);
    json_t *with = line("Meta Met", "Belastingdienst", "lid", "afwezig");
    json_object_set_new(with, "notice", json_string("met_bericht"));
    json_array_append_new(att, with);

    json_t *items = json_array();
    json_array_append_new(items, json_pack("{s:i, s:s, s:b, s:s, s:[{s:s, s:s}]}", "position", 1,
                                           "title", "Opening", "placeholder", 0, "notes",
                                           "De voorzitter opent.\n\n- Eerste punt\n- Tweede punt",
                                           "outcomes", "kind", "besluit", "text",
                                           "De agenda wordt vastgesteld."));
    json_array_append_new(items, json_pack("{s:i, s:b}", "position", 2, "placeholder", 1));
    json_array_append_new(
        items,
        json_pack("{s:i, s:s, s:b, s:s, s:[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "position", 3,
                  "title", "Overlast", "placeholder", 0, "notes", "Piet Politie schetst het beeld.",
                  "outcomes", "kind", "actiepunt", "text", "Beeld aanleveren.", "owner_name",
                  "Piet Politie", "due_text", "1 juli 2027", "kind", "toezegging", "text",
                  "Extra surveillance in de avond.", "owner_name", "Politie Testdam"));
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:o, s:o, s:[], s:s}", "title",
                     "Verslag Regiegroep Test", "date_text", "donderdag 4 maart 2027", "start_text",
                     "09.30", "end_text", "11.00", "meeting", "location", "Stadhuis", "attendance",
                     att, "items", items, "other_outcomes", "minutes", "");
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const json_t *named(const json_t *d, const char *name)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(d, "attendance"), i,
                       a) if (!strcmp(str(a, "name"), name)) return a;
    fail_msg("no %s", name);
    return NULL;
}

static void a_verslag_reads_back_as_it_went_out(void **state)
{
    (void)state;
    json_t *d = doc();
    char *md = kt_export_minutes_md(d);
    assert_non_null(md);
    assert_non_null(strstr(md, KT_EXPORT_MARKER));
    assert_non_null(strstr(md, "## 2. Besloten punt\n"));
    json_t *back = NULL;
    assert_int_equal(kt_import_parse(md, strlen(md), &back), KT_IMPORT_OK);
    assert_string_equal(str(back, "date"), "2027-03-04");
    assert_string_equal(str(back, "start"), "09:30");
    assert_string_equal(str(back, "end"), "11:00");
    assert_string_equal(str(back, "location"), "Stadhuis");
    assert_int_equal(json_array_size(json_object_get(back, "attendance")), 10);
    assert_string_equal(str(named(back, "Carla Voorzitter"), "role"), "voorzitter");
    assert_string_equal(str(named(back, "Sem Secretaris"), "role"), "notulist");
    assert_string_equal(str(named(back, "Piet Politie"), "org"), "Politie Testdam");
    assert_true(json_is_true(json_object_get(named(back, "Lotte Laat"), "late")));
    assert_true(json_is_true(json_object_get(named(back, "Egbert Eerder"), "leaves_early")));
    assert_string_equal(str(named(back, "Egbert Eerder"), "function"), "programmadirecteur");
    assert_string_equal(str(named(back, "Gijs Gast"), "role"), "gast");
    const json_t *theo = named(back, "Theo Weg");
    assert_string_equal(str(theo, "status"), "afwezig");
    assert_string_equal(str(theo, "substitute"), "Daphne Vervanger");
    assert_string_equal(str(theo, "substitute_kind"), "vast");
    assert_string_equal(str(named(back, "Daphne Vervanger"), "status"), "aanwezig");
    assert_string_equal(str(named(back, "Zeno Zonder"), "notice"), "zonder_bericht");
    assert_string_equal(str(named(back, "Meta Met"), "notice"), "met_bericht");
    json_t *items = json_object_get(back, "items");
    assert_int_equal(json_array_size(items), 3);
    json_t *first = json_array_get(items, 0);
    assert_string_equal(str(first, "title"), "Opening");
    assert_string_equal(str(first, "notes"),
                        "De voorzitter opent.\n\n- Eerste punt\n- Tweede punt");
    assert_string_equal(str(json_array_get(json_object_get(first, "outcomes"), 0), "text"),
                        "De agenda wordt vastgesteld.");
    json_t *third = json_array_get(items, 2);
    json_t *outs = json_object_get(third, "outcomes");
    assert_int_equal(json_array_size(outs), 2); /* the notes' sentence is not a third */
    assert_string_equal(str(json_array_get(outs, 0), "kind"), "actie");
    assert_string_equal(str(json_array_get(outs, 0), "owner"), "Piet Politie");
    assert_string_equal(str(json_array_get(outs, 0), "due"), "2027-07-01");
    assert_string_equal(str(json_array_get(outs, 1), "kind"), "toezegging");
    assert_string_equal(str(json_array_get(outs, 1), "owner"), "Politie Testdam");
    assert_string_equal(str(third, "notes"), "Piet Politie schetst het beeld.");
    json_decref(back);
    free(md);
    json_decref(d);
}

static void a_besluitenlijst_lists_each_besluit_under_its_meeting(void **state)
{
    (void)state;
    json_t *d = json_pack("{s:s, s:[{s:s, s:[{s:s, s:i, s:s}, {s:s}]}]}", "title",
                          "Besluitenlijst Regiegroep Test", "meetings", "heading",
                          "Vergadering van donderdag 4 maart 2027", "decisions", "text",
                          "De agenda wordt vastgesteld.", "item_position", 1, "item_title",
                          "Opening", "text", "Los besluit.\nMet een tweede regel.");
    char *md = kt_export_decisions_md(d);
    assert_string_equal(md, KT_EXPORT_MARKER
                        "\n\n# Besluitenlijst Regiegroep Test\n\n"
                        "## Vergadering van donderdag 4 maart 2027\n\n"
                        "- Besluit: De agenda wordt vastgesteld. (agendapunt 1: Opening)\n"
                        "- Besluit: Los besluit. Met een tweede regel.\n\n");
    free(md);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_verslag_reads_back_as_it_went_out),
        cmocka_unit_test(a_besluitenlijst_lists_each_besluit_under_its_meeting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
