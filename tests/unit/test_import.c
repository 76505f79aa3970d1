/* Importing a verslag: seed 004 as the secretaries wrote it, variants in other layouts, matching
 * against a directory, and hostile input (huge, binary, nested, malformed, mutated). */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "archive/import.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- helpers ----------------------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        *len = (size_t)n;
    }
    return buf;
}

/* The seeds live beside the clone (../shared/seeds), as on every developer machine and in CI. */
static char *read_seed(const char *prefix, size_t *len)
{
    const char *src = getenv("KT_SOURCE_DIR");
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/../shared/seeds/%s_*.txt", src ? src : KT_SOURCE_DIR,
             prefix);
    glob_t g;
    char *buf = NULL;
    if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1)
        buf = read_all(g.gl_pathv[0], len);
    globfree(&g);
    return buf;
}

static char *read_data(const char *name, size_t *len)
{
    const char *src = getenv("KT_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/import/%s", src ? src : KT_SOURCE_DIR, name);
    return read_all(path, len);
}

static json_t *parse_ok(const char *text, size_t len)
{
    json_t *doc = NULL;
    kt_import_status st = kt_import_parse(text, len, &doc);
    if (st != KT_IMPORT_OK)
        fail_msg("parse failed: %s", kt_import_status_code(st));
    assert_non_null(doc);
    return doc;
}

static json_t *parse_file(const char *name)
{
    size_t len;
    char *text = read_data(name, &len);
    assert_non_null(text);
    json_t *doc = parse_ok(text, len);
    free(text);
    return doc;
}

static json_int_t count(const json_t *doc, const char *key)
{
    return json_integer_value(json_object_get(json_object_get(doc, "counts"), key));
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_t *person_named(const json_t *doc, const char *name)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(doc, "attendance"), i, a)
    {
        if (!strcmp(str(a, "name"), name))
            return a;
    }
    return NULL;
}

static json_t *item_at(const json_t *doc, size_t i)
{
    return json_array_get(json_object_get(doc, "items"), i);
}

static json_t *outcome_at(const json_t *doc, size_t item, size_t k)
{
    return json_array_get(json_object_get(item_at(doc, item), "outcomes"), k);
}

/* --- seed 004 ---------------------------------------------------------------------------- */

static json_t *seed004(void)
{
    size_t len;
    char *text = read_seed("004", &len);
    if (!text)
        fail_msg("seed 004 not found beside the clone (../shared/seeds/004_*.txt)");
    json_t *doc = parse_ok(text, len);
    free(text);
    return doc;
}

static void seed004_meeting_facts(void **state)
{
    (void)state;
    json_t *doc = seed004();
    assert_string_equal(str(doc, "format"), "markdown");
    assert_string_equal(str(doc, "body_name"), "Stuurgroep Stadspartners");
    assert_string_equal(str(doc, "date"), "2023-05-24");
    assert_non_null(strstr(str(doc, "location"), "Schiedam"));
    assert_string_equal(str(doc, "start"), "13:30");
    assert_string_equal(str(doc, "end"), "14:45");
    assert_int_equal(json_array_size(json_object_get(doc, "warnings")), 0);
    json_decref(doc);
}

static void seed004_attendance(void **state)
{
    (void)state;
    json_t *doc = seed004();
    /* 17 listed + chair + minute-taker present; 6 absent */
    assert_int_equal(count(doc, "present"), 19);
    assert_int_equal(count(doc, "absent"), 6);
    size_t i, chairs = 0, notulists = 0, late = 0, vast = 0, eenmalig = 0, orgs = 0, functions = 0;
    json_t *a;
    json_array_foreach(json_object_get(doc, "attendance"), i, a)
    {
        chairs += !strcmp(str(a, "role"), "voorzitter");
        notulists += !strcmp(str(a, "role"), "notulist");
        late += json_is_true(json_object_get(a, "late"));
        orgs += str(a, "org") != NULL;
        functions += str(a, "function") != NULL;
        const char *kind = str(a, "substitute_kind");
        if (!kind)
            continue;
        vast += !strcmp(kind, "vast");
        eenmalig += !strcmp(kind, "eenmalig");
        /* the replaced person is absent; the substitute present, pointing back, from the same
         * organisation */
        assert_string_equal(str(a, "status"), "afwezig");
        json_t *sub = person_named(doc, str(a, "substitute"));
        assert_non_null(sub);
        assert_string_equal(str(sub, "status"), "aanwezig");
        assert_string_equal(str(sub, "substitutes_for"), str(a, "name"));
        assert_string_equal(str(sub, "org"), str(a, "org"));
    }
    assert_int_equal(chairs, 1);
    assert_int_equal(notulists, 1);
    assert_int_equal(late, 2);      /* "schuift later aan, evenals ..." */
    assert_int_equal(vast, 1);      /* "langdurig afwezig en wordt vervangen door" */
    assert_int_equal(eenmalig, 2);  /* "verhinderd en wordt vervangen door", "eenmalig" */
    assert_int_equal(functions, 3); /* programmadirecteur, -secretaris, -manager Veiligheid */
    assert_int_equal(orgs, 20);
    json_decref(doc);
}

static void seed004_items_and_outcomes(void **state)
{
    (void)state;
    json_t *doc = seed004();
    assert_int_equal(count(doc, "items"), 6);
    static const char *const titles[] = {"Opening en welkom",
                                         "Verslag vorige keer",
                                         "Presentatie Preventie met Gezag",
                                         "Stand van zake werkgroepen",
                                         "Uitvoeringsprogramma 2023-2026",
                                         "Afscheid voorzitter Cor Lammers"};
    for (size_t i = 0; i < 6; i++) {
        json_t *it = item_at(doc, i);
        assert_string_equal(str(it, "title"), titles[i]);
        assert_int_equal(json_integer_value(json_object_get(it, "number")), (json_int_t)i + 1);
        assert_true(strlen(str(it, "notes")) > 50);
        assert_null(strstr(str(it, "notes"), "##"));
        assert_null(strstr(str(it, "notes"), "**"));
    }
    assert_true(json_is_true(json_object_get(item_at(doc, 1), "previous_minutes")));
    assert_int_equal(count(doc, "besluiten"), 4);
    assert_int_equal(count(doc, "toezeggingen"), 1);
    assert_int_equal(count(doc, "acties"), 3);
    /* the toezegging by Woonplus, at the opening */
    json_t *t = outcome_at(doc, 0, 0);
    assert_string_equal(str(t, "kind"), "toezegging");
    assert_string_equal(str(t, "owner"), "Woonplus");
    /* the previous verslag, vastgesteld with the amendments of two people */
    json_t *v = outcome_at(doc, 1, 0);
    assert_string_equal(str(v, "kind"), "besluit");
    assert_non_null(
        strstr(str(v, "text"), "vorige vergadering wordt vastgesteld met de tekstuele"));
    /* "Besloten wordt ... te agenderen" */
    int found = 0;
    for (size_t k = 0; k < 3; k++) {
        json_t *o = outcome_at(doc, 2, k);
        if (o && !strcmp(str(o, "kind"), "besluit") && strstr(str(o, "text"), "te agenderen"))
            found++;
    }
    assert_int_equal(found, 1);
    /* "unaniem vastgesteld" */
    json_t *u = outcome_at(doc, 4, 0);
    assert_string_equal(str(u, "kind"), "besluit");
    assert_non_null(strstr(str(u, "text"), "unaniem vastgesteld"));
    json_decref(doc);
}

/* A directory made from the seed's own names: one spelled a little differently, one left out,
 * one twice (in two organisations); organisations with the names the secretary would use. */
static void seed004_matches_directory(void **state)
{
    (void)state;
    json_t *doc = seed004();
    json_t *persons = json_array(), *orgs = json_array();
    json_array_append_new(orgs, json_pack("{s:i, s:s}", "id", 1, "name", "Gemeente Schiedam"));
    json_array_append_new(orgs, json_pack("{s:i, s:s}", "id", 2, "name", "Woonplus"));
    json_array_append_new(orgs, json_pack("{s:i, s:s}", "id", 3, "name", "Openbaar Ministerie"));
    json_array_append_new(orgs, json_pack("{s:i, s:s}", "id", 4, "name", "Politie"));
    size_t i;
    json_t *a;
    json_int_t id = 100;
    json_array_foreach(json_object_get(doc, "attendance"), i, a)
    {
        char name[200];
        snprintf(name, sizeof name, "%s", str(a, "name"));
        if (i == 3)
            continue; /* unknown to ketentafel */
        if (i == 4)
            strcat(name, "s"); /* a spelling difference */
        json_array_append_new(persons, json_pack("{s:I, s:s, s:i, s:b}", "id", id++, "name", name,
                                                 "org_id", 1, "member", i < 10));
        if (i == 5) /* the same name in another organisation */
            json_array_append_new(persons, json_pack("{s:I, s:s, s:i, s:b}", "id", id++, "name",
                                                     name, "org_id", 4, "member", i < 10));
    }
    assert_int_equal(kt_import_recognise(doc, persons, orgs), 0);
    json_t *att = json_object_get(doc, "attendance");
    assert_string_equal(str(json_array_get(att, 0), "person_match"), "exact");
    assert_string_equal(str(json_array_get(att, 3), "person_match"), "none");
    assert_string_equal(str(json_array_get(att, 4), "person_match"), "approx");
    /* both candidates are members of nothing in particular, but the verslag says "gemeente":
     * the one in Gemeente Schiedam wins */
    json_t *dup = json_array_get(att, 5);
    assert_string_equal(str(dup, "org"), "gemeente");
    assert_string_equal(str(dup, "person_match"), "exact");
    assert_int_equal(json_integer_value(json_object_get(dup, "org_id")), 1);
    assert_string_equal(str(dup, "org_match"), "approx");
    assert_int_equal(count(doc, "matched"), 24);
    assert_int_equal(count(doc, "unmatched"), 1);
    /* the toezegging's owner is the organisation */
    json_t *t = outcome_at(doc, 0, 0);
    assert_int_equal(json_integer_value(json_object_get(t, "owner_org_id")), 2);
    json_decref(persons);
    json_decref(orgs);
    json_decref(doc);
}

/* --- variants ---------------------------------------------------------------------------- */

static void plain_text_without_markdown(void **state)
{
    (void)state;
    json_t *doc = parse_file("plain.txt");
    assert_string_equal(str(doc, "format"), "tekst");
    assert_string_equal(str(doc, "date"), "2025-03-12");
    assert_string_equal(str(doc, "start"), "10:00");
    assert_string_equal(str(doc, "end"), "11:30");
    assert_string_equal(str(doc, "location"), "Stadskantoor Dordrecht, kamer 4.12");
    assert_int_equal(count(doc, "items"), 5);
    assert_int_equal(count(doc, "present"), 8); /* 5 + chair + notulist + substitute */
    assert_int_equal(count(doc, "absent"), 3);
    json_t *chair = person_named(doc, "Anouk Verbeek");
    assert_string_equal(str(chair, "role"), "voorzitter");
    assert_string_equal(str(chair, "org"), "Gemeente Dordrecht");
    assert_string_equal(str(person_named(doc, "Kees Hoekstra"), "notice"), "zonder_bericht");
    json_t *hanna = person_named(doc, "Hanna Mulder");
    assert_string_equal(str(hanna, "notice"), "met_bericht");
    assert_string_equal(str(hanna, "substitute"), "Daan Vermeulen");
    assert_string_equal(str(hanna, "substitute_kind"), "eenmalig");
    json_t *daan = person_named(doc, "Daan Vermeulen"); /* only in the text */
    assert_string_equal(str(daan, "status"), "aanwezig");
    assert_true(json_is_true(json_object_get(person_named(doc, "Ruben Kok"), "leaves_early")));
    /* "Mohamed El Idrissi (...) en Lotte Smit (...)": the last entry after " en " */
    assert_non_null(person_named(doc, "Lotte Smit"));
    assert_string_equal(
        str(outcome_at(doc, 1, 0), "text"),
        "Het verslag van de vorige vergadering wordt vastgesteld zonder wijzigingen.");
    assert_int_equal(count(doc, "besluiten"), 2);
    assert_int_equal(count(doc, "toezeggingen"), 1);
    assert_int_equal(count(doc, "acties"), 1);
    json_t *actie = outcome_at(doc, 2, 0);
    assert_string_equal(str(actie, "kind"), "actie");
    assert_string_equal(str(actie, "owner"), "Fleur van Leeuwen");
    assert_string_equal(str(actie, "due"), "2025-04-01");
    json_t *toez = outcome_at(doc, 2, 2);
    assert_string_equal(str(toez, "kind"), "toezegging");
    assert_string_equal(str(toez, "owner"), "Belastingdienst");
    json_decref(doc);
}

static void other_layout_setext_dashes_explicit_lines(void **state)
{
    (void)state;
    json_t *doc = parse_file("layout.md");
    assert_string_equal(str(doc, "body_name"), "Veiligheidsoverleg Zwijndrecht");
    assert_string_equal(str(doc, "date"), "2025-02-06");
    assert_string_equal(str(doc, "start"), "14:00");
    assert_string_equal(str(doc, "end"), "15:30");
    assert_int_equal(count(doc, "present"), 4);
    assert_int_equal(count(doc, "absent"), 1);
    assert_string_equal(str(person_named(doc, "Joris Peeters"), "org"), "Politie");
    assert_true(json_is_true(json_object_get(person_named(doc, "Noor Visser"), "late")));
    assert_int_equal(count(doc, "items"), 3);
    assert_string_equal(str(item_at(doc, 1), "title"), "Overlast jongeren stationsgebied");
    /* explicit lines are outcomes, not notes */
    assert_null(strstr(str(item_at(doc, 1), "notes"), "Besluit"));
    json_t *actie = outcome_at(doc, 1, 1);
    assert_string_equal(str(actie, "owner"), "Yusuf Arslan");
    assert_string_equal(str(actie, "due"), "2025-03-01");
    assert_string_equal(str(outcome_at(doc, 1, 2), "owner"), "Politie");
    /* the "Actiepunten" section at the end names its item */
    json_t *late = outcome_at(doc, 1, 3);
    assert_string_equal(str(late, "kind"), "actie");
    assert_string_equal(str(late, "owner"), "Femke de Graaf");
    assert_int_equal(count(doc, "acties"), 2);
    json_decref(doc);
}

static void missing_sections_are_warnings(void **state)
{
    (void)state;
    json_t *doc = parse_file("bare.txt");
    assert_string_equal(str(doc, "date"), "2025-04-03"); /* from the title */
    assert_string_equal(str(doc, "body_name"), "werkgroep Wonen");
    assert_int_equal(count(doc, "items"), 3);
    assert_int_equal(count(doc, "present"), 0);
    assert_int_equal(count(doc, "besluiten"), 1); /* "gaat akkoord met" */
    json_t *w = json_object_get(doc, "warnings");
    assert_int_equal(json_array_size(w), 1);
    assert_string_equal(str(json_array_get(w, 0), "code"), "geen_aanwezigen");
    json_decref(doc);
}

static void questions_and_negations_are_no_outcomes(void **state)
{
    (void)state;
    const char *text = "# Verslag\n\n## 1. Punt\n\nWordt het plan vastgesteld? Het plan wordt niet "
                       "vastgesteld. Er is nog niet besloten.\n";
    json_t *doc = parse_ok(text, strlen(text));
    assert_int_equal(count(doc, "besluiten"), 0);
    json_decref(doc);
}

static void windows_1252_is_read_with_a_warning(void **state)
{
    (void)state;
    const char *text = "Verslag\n\nAanwezig: Ren\xe9 Co\xeblho (Politie)\n\n1. Opening\nWelkom.\n";
    json_t *doc = parse_ok(text, strlen(text));
    assert_non_null(person_named(doc, "Ren\xc3\xa9 Co\xc3\xablho"));
    json_t *w = json_object_get(doc, "warnings");
    assert_string_equal(str(json_array_get(w, 0), "code"), "tekst_windows1252");
    json_decref(doc);
}

static void exported_text_takes_only_its_outcome_lines(void **state)
{
    (void)state;
    const char *text = "<!-- ketentafel-export v1 -->\n# Verslag Overleg\n\n## 1. Punt\n\n"
                       "Besloten wordt iets anders.\n\n- Besluit: Het plan wordt vastgesteld.\n";
    json_t *doc = parse_ok(text, strlen(text));
    assert_int_equal(count(doc, "besluiten"), 1);
    assert_string_equal(str(outcome_at(doc, 0, 0), "text"), "Het plan wordt vastgesteld.");
    json_decref(doc);
}

/* --- hostile input ----------------------------------------------------------------------- */

static kt_import_status parse_status(const char *text, size_t len)
{
    json_t *doc = NULL;
    kt_import_status st = kt_import_parse(text, len, &doc);
    if (st == KT_IMPORT_OK) {
        assert_non_null(doc);
        char *s = json_dumps(doc, 0);
        assert_non_null(s);
        free(s);
    } else {
        assert_null(doc);
    }
    json_decref(doc);
    return st;
}

static void empty_binary_and_huge_are_refused_with_codes(void **state)
{
    (void)state;
    assert_int_equal(parse_status("", 0), KT_IMPORT_EMPTY);
    assert_int_equal(parse_status(" \n\t\r\n", 5), KT_IMPORT_EMPTY);
    assert_int_equal(parse_status("Verslag\0\x01\x02", 10), KT_IMPORT_NOT_TEXT);
    char ctl[200];
    for (size_t i = 0; i < sizeof ctl; i++)
        ctl[i] = (char)(i % 2 ? 'a' : 0x01);
    assert_int_equal(parse_status(ctl, sizeof ctl), KT_IMPORT_NOT_TEXT);
    size_t big = KT_IMPORT_MAX_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, 'a', big);
    assert_int_equal(parse_status(huge, big), KT_IMPORT_TOO_LARGE);
    /* just under the limit, one endless line: read, nothing recognised */
    assert_int_equal(parse_status(huge, big - 1), KT_IMPORT_UNRECOGNISED);
    free(huge);
    assert_int_equal(parse_status("Zomaar wat tekst zonder structuur.", 34),
                     KT_IMPORT_UNRECOGNISED);
    assert_string_equal(kt_import_status_code(KT_IMPORT_NOT_TEXT), "import_not_text");
    assert_true(strlen(kt_import_status_message(KT_IMPORT_UNRECOGNISED)) > 10);
}

static void deeply_nested_and_malformed_do_not_hurt(void **state)
{
    (void)state;
    size_t n = 200000;
    char *s = malloc(n + 64);
    /* block quotes a hundred thousand deep */
    memset(s, '>', n);
    strcpy(s + n, " ## 1. Opening\n");
    assert_int_equal(parse_status(s, strlen(s)), KT_IMPORT_OK);
    /* parentheses that never close, in an attendance list */
    strcpy(s, "Aanwezig: ");
    memset(s + 10, '(', n);
    s[10 + n] = 0;
    assert_int_equal(parse_status(s, strlen(s)), KT_IMPORT_UNRECOGNISED);
    /* thousands of headings of every level and hashes only */
    size_t o = 0;
    for (int i = 0; o + 40 < n; i++)
        o +=
            (size_t)snprintf(s + o, n - o, "%.*s x\n####################\n", i % 8 + 1, "########");
    assert_int_equal(parse_status(s, o), KT_IMPORT_TOO_COMPLEX);
    /* a list of a thousand people */
    o = (size_t)snprintf(s, n, "Aanwezig: ");
    for (int i = 0; i < 1000; i++)
        o += (size_t)snprintf(s + o, n - o, "Persoon Nummer%d (Org %d), ", i, i);
    assert_int_equal(parse_status(s, o), KT_IMPORT_TOO_COMPLEX);
    /* an endless sentence of names and cues */
    o = (size_t)snprintf(s, n, "Aanwezig: Jan Jansen (X)\n\n1. Punt\n");
    while (o + 60 < n)
        o += (size_t)snprintf(s + o, n - o, "Jan Jansen wordt vervangen door Jan Jansen en ");
    assert_int_equal(parse_status(s, o), KT_IMPORT_OK);
    /* invalid UTF-8 and lone continuation bytes */
    const char *bad = "Verslag\n\nAanwezig: \x80\x81\xc3 (\xff)\n\n1. \xe2\x82 Opening\n";
    assert_int_equal(parse_status(bad, strlen(bad)), KT_IMPORT_OK);
    free(s);
}

/* Mutations of real and written verslagen: every result is a status or a valid document. */
static void mutated_input_never_crashes(void **state)
{
    (void)state;
    size_t lens[4];
    char *corpus[4];
    corpus[0] = read_seed("004", &lens[0]);
    corpus[1] = read_data("plain.txt", &lens[1]);
    corpus[2] = read_data("layout.md", &lens[2]);
    corpus[3] = read_data("bare.txt", &lens[3]);
    for (int i = 0; i < 4; i++)
        assert_non_null(corpus[i]);
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    static const char *const tokens[] = {"\n",
                                         "## ",
                                         "(",
                                         ")",
                                         ",",
                                         " en ",
                                         "Aanwezig:",
                                         "Afwezig:",
                                         "vervangen door ",
                                         "schuift later aan",
                                         "Besluit: ",
                                         "Actie (",
                                         "1. ",
                                         "\xc3",
                                         "**",
                                         ":",
                                         "<!--",
                                         "Voorzitter:",
                                         "- ",
                                         "> "};
    json_t *persons = json_pack("[{s:i, s:s, s:i}]", "id", 1, "name", "Jan Jansen", "org_id", 1);
    json_t *orgs = json_pack("[{s:i, s:s}]", "id", 1, "name", "Politie");
    for (int round = 0; round < 1500; round++) {
        int which = round % 4;
        size_t len = lens[which];
        char *buf = malloc(len + 4096);
        memcpy(buf, corpus[which], len);
        int edits = 1 + round % 12;
        for (int e = 0; e < edits; e++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            size_t pos = len ? (size_t)(rng >> 33) % len : 0;
            int op = (int)(rng >> 20) % 4;
            if (op == 0 && len) {
                buf[pos] = (char)(rng >> 8); /* flip a byte (may be NUL) */
            } else if (op == 1 && len > pos) {
                size_t cut = (size_t)(rng >> 40) % 200;
                if (cut > len - pos)
                    cut = len - pos;
                memmove(buf + pos, buf + pos + cut, len - pos - cut);
                len -= cut;
            } else if (len + 64 < len + 4096) {
                const char *t = tokens[(rng >> 12) % (sizeof tokens / sizeof tokens[0])];
                size_t tl = strlen(t);
                if (len + tl < lens[which] + 4000) {
                    memmove(buf + pos + tl, buf + pos, len - pos);
                    memcpy(buf + pos, t, tl);
                    len += tl;
                }
            }
        }
        json_t *doc = NULL;
        kt_import_status st = kt_import_parse(buf, len, &doc);
        assert_true(st >= KT_IMPORT_OK && st <= KT_IMPORT_NOMEM);
        assert_true(st != KT_IMPORT_NOMEM);
        if (st == KT_IMPORT_OK) {
            assert_int_equal(kt_import_recognise(doc, persons, orgs), 0);
            assert_true(json_is_array(json_object_get(doc, "items")));
            json_decref(doc);
        }
        free(buf);
    }
    json_decref(persons);
    json_decref(orgs);
    for (int i = 0; i < 4; i++)
        free(corpus[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed004_meeting_facts),
        cmocka_unit_test(seed004_attendance),
        cmocka_unit_test(seed004_items_and_outcomes),
        cmocka_unit_test(seed004_matches_directory),
        cmocka_unit_test(plain_text_without_markdown),
        cmocka_unit_test(other_layout_setext_dashes_explicit_lines),
        cmocka_unit_test(missing_sections_are_warnings),
        cmocka_unit_test(questions_and_negations_are_no_outcomes),
        cmocka_unit_test(windows_1252_is_read_with_a_warning),
        cmocka_unit_test(exported_text_takes_only_its_outcome_lines),
        cmocka_unit_test(empty_binary_and_huge_are_refused_with_codes),
        cmocka_unit_test(deeply_nested_and_malformed_do_not_hurt),
        cmocka_unit_test(mutated_input_never_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
