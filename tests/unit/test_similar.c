/* Duplicate agenda items: what is flagged, what never is, and the similar-eval command. */
#define _POSIX_C_SOURCE 200809L /* getline, strdup, mkstemp, dup2 */

#include "test_clock.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "detect/similar.h"
#include "util/err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY 20000 /* a Tuesday in 2024; any day will do */

/* A small word list, so that compound splitting does not depend on the system's. */
static void write_lexicon(char path[32])
{
    strcpy(path, "/tmp/kt-sim-lexicon-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("woning\nwoningen\nsluiting\nsluitingen\ndrugs\njeugd\nwerkloosheid\nwerk\ncentrum\n"
          "weerbaarheid\n",
          f);
    fclose(f);
}

/* A new index with the test lexicon loaded; NULL when either fails. */
static kt_similar *index_with_lexicon(void)
{
    kt_similar *s = kt_similar_new();
    if (!s)
        return NULL;
    char lex[32];
    write_lexicon(lex);
    int rc = kt_similar_load_lexicon(s, lex);
    remove(lex);
    if (rc) {
        kt_similar_free(s);
        return NULL;
    }
    return s;
}

static int setup(void **state)
{
    *state = index_with_lexicon();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    kt_similar_free(*state);
    return 0;
}

static void put(kt_similar *s, int64_t id, int64_t body, const char *scope, int32_t day,
                const char *title, const char *desc)
{
    assert_int_equal(kt_similar_put(s, id, body, scope, day, title, desc), 0);
}

static double pair(kt_similar *s, int64_t a, int64_t b, char *explain)
{
    double score = -1;
    char buf[256];
    assert_int_equal(kt_similar_pair_score(s, a, b, &score, explain ? explain : buf, 256), 0);
    return score;
}

/* Whether find(a) reports b. */
static bool finds(kt_similar *s, int64_t a, int64_t b, int32_t window)
{
    kt_similar_hit hits[16];
    int n = kt_similar_find(s, a, window, hits, 16);
    assert_true(n >= 0);
    for (int i = 0; i < n; i++) {
        assert_true(hits[i].score >= KT_SIM_THRESHOLD);
        if (hits[i].item_id == b)
            return true;
    }
    return false;
}

static void same_subject_in_two_bodies_is_found_both_ways(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Herziening beleidsregels artikel 13b Opiumwet",
        "Voorstel om bij aangetroffen harddrugs in woningen direct tot sluiting over te gaan.");
    put(s, 2, 11, "Dordrecht", DAY + 20, "Wijziging beleidsregels artikel 13b Opiumwet",
        "Raadsinformatiebrief over de gewijzigde beleidsregel.");
    put(s, 3, 12, "Dordrecht", DAY, "Verkeersveiligheid rond basisscholen", NULL);
    assert_true(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    assert_true(finds(s, 2, 1, KT_SIM_WINDOW_DAYS));
    assert_false(finds(s, 1, 3, KT_SIM_WINDOW_DAYS));
    kt_similar_hit hits[4];
    int n = kt_similar_find(s, 1, KT_SIM_WINDOW_DAYS, hits, 4);
    assert_int_equal(n, 1);
    assert_int_equal(hits[0].body_id, 11);
    assert_non_null(strstr(hits[0].shared, "beleidsregels")); /* the words as written */
    assert_non_null(strstr(hits[0].shared, "13b")); /* "artikel 13b Opiumwet" is one unit */
}

/* The subject a chair reads says what two items share in plain words, once each: an
 * abbreviation with what it stands for, no year beside a subject, no word that another shown
 * one already holds. */
static void the_subject_says_each_thing_once_in_plain_words(void **state)
{
    kt_similar *s = *state;
    assert_int_equal(kt_similar_load_default_vocabulary(s), 0);
    put(s, 1, 10, "Dordrecht", DAY, "PmG: aanpak risicojongeren 2027", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Preventie met Gezag voor risicojongeren in 2027", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Woningsluitingen op grond van artikel 13b", NULL);
    put(s, 4, 13, "Dordrecht", DAY, "Verkeersveiligheid rond basisscholen", NULL);
    put(s, 5, 14, "Dordrecht", DAY, "Laaggeletterdheid onder ouders", NULL);
    kt_similar_hit hits[4];
    int n = kt_similar_find(s, 1, KT_SIM_WINDOW_DAYS, hits, 4);
    assert_int_equal(n, 1);
    assert_int_equal(hits[0].item_id, 2);
    const char *why = hits[0].subject;
    const char *pmg = strstr(why, "PmG (Preventie met Gezag)");
    assert_non_null(pmg);
    assert_null(
        strstr(pmg + strlen("PmG (Preventie met Gezag)"), "Preventie met Gezag")); /* once */
    assert_non_null(strstr(why, "risicojongeren"));
    assert_null(strstr(why, "2027")); /* a year is no subject beside one */
    assert_true(why[0] != ' ');
}

static void diacritics_do_not_matter(void **state)
{
    kt_similar *s = *state;
    /* ç and the ĳ ligature: letters that Snowball itself would not fold. */
    put(s, 1, 10, "Schiedam", DAY, "Façadeverlichting Ĳsbaan woningbouwcoöperatie", NULL);
    put(s, 2, 11, "Schiedam", DAY, "facadeverlichting ijsbaan woningbouwcooperatie", NULL);
    assert_true(pair(s, 1, 2, NULL) > 0.999); /* the same words, not near ones */
}

static void compound_meets_its_parts(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Woningsluitingen", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Sluiting van woningen", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Jeugd werkloosheid", NULL);
    put(s, 4, 13, "Dordrecht", DAY, "Actieplan jeugdwerkloosheid", NULL);
    char why[256];
    assert_true(pair(s, 1, 2, why) >= KT_SIM_THRESHOLD);
    assert_non_null(strstr(why, "Woningsluitingen ~"));
    assert_true(finds(s, 1, 2, KT_SIM_WINDOW_DAYS)); /* the index finds parts too */
    assert_true(finds(s, 2, 1, KT_SIM_WINDOW_DAYS));
    assert_true(pair(s, 3, 4, NULL) >= KT_SIM_THRESHOLD);
    assert_false(finds(s, 1, 3, KT_SIM_WINDOW_DAYS));
}

static void a_compound_with_an_unknown_modifier_meets_its_head(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Cyberweerbaarheid mkb", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Digitale weerbaarheid", NULL);
    char why[256];
    assert_true(pair(s, 1, 2, why) >= KT_SIM_THRESHOLD);
    assert_non_null(strstr(why, "Cyberweerbaarheid ~ weerbaarheid"));
    assert_true(finds(s, 2, 1, KT_SIM_WINDOW_DAYS));

    kt_similar *t = kt_similar_new(); /* the same without it: nothing shared */
    assert_non_null(t);
    assert_int_equal(kt_similar_set(t, "head_split", 0), 0);
    char lex[32];
    write_lexicon(lex);
    assert_int_equal(kt_similar_load_lexicon(t, lex), 0);
    remove(lex);
    put(t, 1, 10, "Dordrecht", DAY, "Cyberweerbaarheid mkb", NULL);
    put(t, 2, 11, "Dordrecht", DAY, "Digitale weerbaarheid", NULL);
    assert_true(pair(t, 1, 2, NULL) < KT_SIM_THRESHOLD);
    kt_similar_free(t);
}

static void procedural_items_are_never_flagged(void **state)
{
    kt_similar *s = *state;
    static const char *const titles[] = {"Rondvraag", "Opening en mededelingen",
                                         "Verslag vorige vergadering"};
    for (int i = 0; i < 3; i++) {
        put(s, 100 + i, 10, "Dordrecht", DAY, titles[i], NULL);
        put(s, 200 + i, 11, "Dordrecht", DAY, titles[i], NULL);
    }
    char why[256];
    for (int i = 0; i < 3; i++) {
        assert_false(finds(s, 100 + i, 200 + i, KT_SIM_WINDOW_DAYS));
        assert_false(finds(s, 200 + i, 100 + i, KT_SIM_WINDOW_DAYS));
        assert_true(pair(s, 100 + i, 200 + i, why) == 0);
        assert_non_null(strstr(why, "procedural"));
    }
}

static void same_body_is_no_duplicate(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Convenant gegevensuitwisseling ondermijning", NULL);
    put(s, 2, 10, "Dordrecht", DAY + 7, "Convenant gegevensuitwisseling ondermijning", NULL);
    put(s, 3, 11, "Dordrecht", DAY + 7, "Convenant gegevensuitwisseling ondermijning", NULL);
    assert_false(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    assert_true(finds(s, 1, 3, KT_SIM_WINDOW_DAYS));
    assert_true(pair(s, 1, 2, NULL) == 0);
}

static void different_municipalities_do_not_share_local_subjects(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Tilburg", DAY, "Jaarplan Preventie met Gezag", NULL);
    put(s, 2, 11, "Rotterdam", DAY, "Jaarplan Preventie met Gezag", NULL);
    put(s, 3, 12, "RIEC Rotterdam", DAY, "Jaarplan Preventie met Gezag", NULL);
    put(s, 4, 13, "Regio Onbekend", DAY, "Jaarplan Preventie met Gezag", NULL);
    assert_false(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    assert_true(pair(s, 1, 2, NULL) == 0);
    assert_true(finds(s, 2, 3, KT_SIM_WINDOW_DAYS));  /* the region and its municipality */
    assert_false(finds(s, 1, 3, KT_SIM_WINDOW_DAYS)); /* Tilburg is not in RIEC Rotterdam */
    assert_true(finds(s, 1, 4, KT_SIM_WINDOW_DAYS));  /* unknown members: keep the flag */
    assert_true(finds(s, 2, 4, KT_SIM_WINDOW_DAYS));
}

static void deployment_regions_extend_the_table(void **state)
{
    kt_similar *s = *state;
    assert_int_equal(kt_similar_add_region(s, "Regio Hart van Holland", "Gouda"), 0);
    assert_int_equal(kt_similar_add_region(s, "Regio Hart van Holland", "Waddinxveen"), 0);
    put(s, 1, 10, "Regio Hart van Holland", DAY, "Aanpak ondermijning bedrijventerreinen", NULL);
    put(s, 2, 11, "Gouda", DAY, "Aanpak ondermijning bedrijventerreinen", NULL);
    put(s, 3, 12, "Leiden", DAY, "Aanpak ondermijning bedrijventerreinen", NULL);
    assert_true(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    assert_false(finds(s, 1, 3, KT_SIM_WINDOW_DAYS));
    /* Resetting forgets the members: the region is then compatible with everything. */
    assert_int_equal(kt_similar_reset_region(s, "Regio Hart van Holland"), 0);
    assert_true(finds(s, 1, 3, KT_SIM_WINDOW_DAYS));
}

static void abbreviations_meet_their_expansion(void **state)
{
    kt_similar *s = *state;
    /* PmG is built in; Damocles is taught here, as a deployment would. */
    assert_int_equal(kt_similar_add_abbreviation(s, "Damocles", "artikel 13b Opiumwet"), 0);
    put(s, 1, 10, "Schiedam", DAY, "Projectplan PmG risicojongeren", NULL);
    put(s, 2, 11, "Schiedam", DAY, "Presentatie Preventie met Gezag voor risicojongeren", NULL);
    put(s, 3, 12, "Schiedam", DAY, "Damocles: evaluatie sluitingen", NULL);
    put(s, 4, 13, "Schiedam", DAY, "Evaluatie artikel 13b Opiumwet", NULL);
    put(s, 5, 14, "Schiedam", DAY, "Preventie van schooluitval", NULL);
    char why[256];
    assert_true(pair(s, 1, 2, why) >= KT_SIM_THRESHOLD);
    assert_non_null(strstr(why, "PmG"));
    assert_true(pair(s, 2, 1, why) >= KT_SIM_THRESHOLD);
    assert_non_null(strstr(why, "PmG")); /* written out, it is one unit, shown as taught */
    assert_true(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    assert_true(finds(s, 2, 1, KT_SIM_WINDOW_DAYS));
    assert_true(finds(s, 3, 4, KT_SIM_WINDOW_DAYS));
    assert_false(finds(s, 1, 5, KT_SIM_WINDOW_DAYS)); /* "preventie" alone is not PmG */
    /* Written out, the name is one unit, met in full by the abbreviation. */
    put(s, 11, 20, "Schiedam", DAY, "PmG", NULL);
    put(s, 12, 21, "Schiedam", DAY, "Preventie met Gezag", NULL);
    assert_true(pair(s, 12, 11, NULL) > 0.99);
    /* Written out apart, or before the abbreviation was known: still the same subject. */
    put(s, 8, 17, "Schiedam", DAY, "PmG", NULL);
    put(s, 9, 18, "Schiedam", DAY, "Gezag, preventie", NULL);
    assert_true(pair(s, 8, 9, NULL) >= KT_SIM_THRESHOLD);
    assert_true(finds(s, 8, 9, KT_SIM_WINDOW_DAYS)); /* through the expansion's postings */
    /* "OM" is the Openbaar Ministerie, "om" is a stop word. */
    put(s, 6, 15, "Schiedam", DAY, "Overleg met OM", NULL);
    put(s, 7, 16, "Schiedam", DAY, "Openbaar Ministerie", NULL);
    put(s, 10, 19, "Schiedam", DAY, "Camera's om de Openbaar-orde te bewaken", NULL);
    assert_true(pair(s, 6, 7, NULL) >= KT_SIM_THRESHOLD);
    assert_true(pair(s, 10, 7, NULL) < KT_SIM_THRESHOLD);
    assert_int_equal(kt_similar_add_abbreviation(s, "", "leeg"), KT_EINVAL);
    assert_int_equal(kt_similar_add_abbreviation(s, "PmG", "iets anders"), KT_EINVAL);
}

static void acronyms_defined_in_an_item_are_learned(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Drechtsteden", DAY, "Loketten opgaan in het RWC",
        "Stappenplan om de loketten te laten opgaan in het Regionaal Werkcentrum.");
    put(s, 2, 11, "Dordrecht", DAY, "Het RWC", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Regionaal Werkcentrum", NULL);
    assert_true(pair(s, 2, 3, NULL) >= KT_SIM_THRESHOLD);
    assert_true(finds(s, 3, 2, KT_SIM_WINDOW_DAYS));
    assert_true(finds(s, 2, 3, KT_SIM_WINDOW_DAYS));
}

static void generic_words_alone_make_no_duplicate(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Voortgang plan van aanpak hangplekken", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Voortgang plan van aanpak arbeidsmarkt", NULL);
    assert_true(pair(s, 1, 2, NULL) < KT_SIM_THRESHOLD);
    assert_false(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
}

static void agenda_boilerplate_makes_no_duplicate(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Casus 2026-05: vervolg",
        "Vertrouwelijk. Bespreking van de stand van zaken; input voor de gezamenlijke aanpak.");
    put(s, 2, 11, "Dordrecht", DAY, "Hangjongeren bij de speeltuin",
        "Vertrouwelijk. Bespreking van de stand van zaken; input voor de gezamenlijke aanpak.");
    assert_true(pair(s, 1, 2, NULL) < KT_SIM_THRESHOLD);
    assert_false(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
}

static void a_shared_neighbourhood_is_a_where_not_a_what(void **state)
{
    kt_similar *s = *state;
    /* "in Vlietzicht" marks a place; sharing only it makes no duplicate. */
    put(s, 1, 10, "Schiedam", DAY, "Bewonerspanel in Vlietzicht", NULL);
    put(s, 2, 11, "Schiedam", DAY, "Gezondheidsachterstanden in Vlietzicht", NULL);
    assert_true(pair(s, 1, 2, NULL) == 0);
    assert_false(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    /* Shared with a subject, a place weighs less than a word: the same pair with a name that
     * follows no "in" ("bij Spaland") scores higher. */
    put(s, 3, 12, "Schiedam", DAY, "Zwerfafval in Woudhoek", NULL);
    put(s, 4, 13, "Schiedam", DAY, "Zwerfafval Woudhoek bewonersavond", NULL);
    put(s, 5, 14, "Schiedam", DAY, "Zwerfafval bij Spaland", NULL);
    put(s, 6, 15, "Schiedam", DAY, "Zwerfafval Spaland bewonersavond", NULL);
    /* Names coordinated with a place are places too ("in Groenoord en Kethel")... */
    put(s, 7, 16, "Schiedam", DAY, "Zwerfafval in Groenoord en Kethel", NULL);
    put(s, 8, 17, "Schiedam", DAY, "Zwerfafval Kethel bewonersavond", NULL);
    /* ... but a name that is also written in lower case is a subject after all. */
    put(s, 9, 18, "Schiedam", DAY, "Zwerfafval in Toekomstscenario", NULL);
    put(s, 10, 19, "Schiedam", DAY, "Opdracht voor het toekomstscenario", NULL);
    put(s, 11, 20, "Schiedam", DAY, "Zwerfafval Toekomstscenario bewonersavond", NULL);
    double place = pair(s, 3, 4, NULL), word = pair(s, 5, 6, NULL);
    assert_true(place >= KT_SIM_THRESHOLD && place < word);
    assert_true(pair(s, 7, 8, NULL) < word);
    assert_true(pair(s, 9, 11, NULL) > place); /* though "Toekomstscenario" is in more items */
}

static void one_shared_subject_word_is_enough_for_short_items(void **state)
{
    kt_similar *s = *state;
    /* A rule "one shared word is no subject unless it abbreviates a programme" fit the
     * development set and cost recall elsewhere; it is off (README.md). */
    put(s, 1, 10, "Dordrecht", DAY, "Mensenhandel",
        "Stand van zaken van het actieplan en de inzet van de aandachtsfunctionaris.");
    put(s, 2, 11, "Dordrecht", DAY, "Bewustwordingssessies mensenhandel voor professionals", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Bewustwordingssessies mensenhandel: planning", NULL);
    char why[256];
    assert_true(pair(s, 2, 3, why) >= KT_SIM_THRESHOLD);
    assert_non_null(strstr(why, "ensenhandel"));
    put(s, 4, 13, "Schiedam", DAY, "Preventie met gezag (vervolg)", "Strategie voor 2026.");
    put(s, 5, 14, "Schiedam", DAY, "Projectplan PmG", "Uitwerking van het projectplan.");
    assert_true(pair(s, 4, 5, NULL) >= KT_SIM_THRESHOLD);
    assert_true(finds(s, 4, 5, KT_SIM_WINDOW_DAYS));
    /* Generic words alone still make no subject. */
    put(s, 6, 15, "Dordrecht", DAY, "Voortgang plan van aanpak", NULL);
    put(s, 7, 16, "Dordrecht", DAY, "Voortgang van het plan van aanpak", NULL);
    assert_true(pair(s, 6, 7, NULL) == 0);
}

/* The domain vocabulary: the same subject in other words, an instrument and its effect, a
 * sector and its trades (the issue's own examples) meet; unrelated items do not. */
static void the_vocabulary_meets_other_words_for_one_subject(void **state)
{
    kt_similar *s = *state;
    assert_int_equal(kt_similar_load_default_vocabulary(s), 0);
    assert_true(kt_similar_vocabulary_groups(s) > 100);
    put(s, 1, 10, "Dordrecht", DAY, "Criminele inmenging op recreatieparken", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Ondermijning op vakantieparken: stand van zaken", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Carbidschieten: APV-wijziging", NULL);
    put(s, 4, 13, "Dordrecht", DAY, "Oudejaarsnacht: aanpak knallen in de wijk", NULL);
    put(s, 5, 14, "Dordrecht", DAY, "Witwassen in de autobranche", NULL);
    put(s, 6, 15, "Dordrecht", DAY, "Controle autoverhuur- en garagebedrijven", NULL);
    put(s, 7, 16, "Dordrecht", DAY, "Laaggeletterdheid onder ouders", NULL);
    char why[256];
    assert_true(pair(s, 1, 2, why) >= KT_SIM_THRESHOLD);
    assert_non_null(strstr(why, "recreatieparken"));
    assert_true(pair(s, 3, 4, why) >= KT_SIM_THRESHOLD);
    assert_non_null(strstr(why, "jaarwisseling")); /* the group's label names the subject */
    assert_true(pair(s, 5, 6, NULL) >= KT_SIM_THRESHOLD);
    assert_true(finds(s, 5, 6, KT_SIM_WINDOW_DAYS)); /* found through the group's postings */
    for (int64_t i = 1; i <= 6; i++)
        assert_true(pair(s, i, 7, NULL) < KT_SIM_THRESHOLD);
    assert_true(pair(s, 1, 3, NULL) < KT_SIM_THRESHOLD);
}

/* Loading a vocabulary analyses its words and then forgets that analysis (its spellings are no
 * display forms): words an item writes afterwards are read anew, never taken for the words
 * that were read before them (the word cache and what sits in front of it forget together). */
static void words_after_a_vocabulary_are_read_anew(void **state)
{
    kt_similar *s = *state;
    /* words in two groups: read twice while the vocabulary loads */
    const char *vocabulary = "= fietsdiefstal: fietsendiefstal, rijwieldiefstal\n"
                             "~ fietsen: rijwieldiefstal, fietsendiefstal\n";
    assert_int_equal(kt_similar_load_vocabulary(s, vocabulary, NULL), 0);
    /* more new words than were read before: every place the word cache had is reused */
    for (int i = 0; i < 8; i++) {
        char title[512];
        size_t n = 0;
        for (int k = 0; k < 26; k++)
            n += (size_t)snprintf(title + n, sizeof title - n, "kwab%c%c ", 'a' + i, 'a' + k);
        put(s, 100 + i, 20 + i, "Dordrecht", DAY, title, NULL);
    }
    put(s, 1, 10, "Dordrecht", DAY, "Parkeerbeleid havengebied kademuren brugwachters sluisdeuren",
        NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Rijwieldiefstal", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Fietsendiefstal", NULL);
    assert_true(pair(s, 2, 3, NULL) >= KT_SIM_THRESHOLD);
    assert_true(pair(s, 1, 2, NULL) == 0);
    assert_true(pair(s, 1, 3, NULL) == 0);
    kt_sim_term terms[16];
    uint32_t slot;
    assert_int_equal(kt_similar_item_slot(s, 2, &slot), 0);
    size_t n = kt_similar_slot_terms(s, slot, terms, 16);
    bool rijwiel = false;
    for (size_t i = 0; i < n; i++)
        rijwiel |= !strcmp(kt_similar_term_text(s, terms[i].term), "Rijwieldiefstal");
    assert_true(rijwiel);
}

/* Words that keep company in the deployment's own items meet: a third item writes both
 * "vakantieparken" and "bungalowparken", so two items that say one each are closer than their
 * words alone make them. A confidential item ties nothing (what it says must not move any
 * other pair's score), and the pair itself is never its own evidence. */
static void words_that_keep_company_in_the_deployment_meet(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Vakantieparken en bungalowparken", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Criminele inmenging op vakantieparken",
        "Handhavers melden wisselende huurders en lege chalets.");
    put(s, 3, 12, "Dordrecht", DAY, "Criminele inmenging op bungalowparken",
        "Verzoek van de eigenaar om een integrale controle.");
    for (int64_t i = 4; i < 40; i++) { /* other subjects, so that the words are rare */
        char title[64];
        snprintf(title, sizeof title, "Onderwerp%lld en ander%lld", (long long)i, (long long)i);
        put(s, i, 20 + i, "Dordrecht", DAY, title, NULL);
    }
    char why[256];
    double with = pair(s, 2, 3, why);
    assert_non_null(strstr(why, "akantieparken ~ bungalowparken")); /* "Vakantieparken" */
    assert_int_equal(kt_similar_set(s, "co", 0), 0);
    double without = pair(s, 2, 3, NULL);
    assert_true(with > without);
    assert_int_equal(kt_similar_set(s, "co", 0.6), 0);
    /* the bridge confidential: the pair scores as if it were not there (checked below) */
    assert_int_equal(kt_similar_set_private(s, 1, true), 0);
    double hidden = pair(s, 2, 3, NULL);
    assert_true(hidden < with);
    assert_int_equal(kt_similar_set_private(s, 1, false), 0);
    assert_true(pair(s, 2, 3, NULL) == with);
    assert_int_equal(kt_similar_set_private(s, 99, true), KT_ENOTFOUND);
    /* a put clears the mark */
    assert_int_equal(kt_similar_set_private(s, 1, true), 0);
    put(s, 1, 10, "Dordrecht", DAY, "Vakantieparken en bungalowparken", NULL);
    assert_true(pair(s, 2, 3, NULL) == with);
    /* the pair is no evidence for itself: without the third item, nothing ties */
    kt_similar_remove(s, 1);
    double alone = pair(s, 2, 3, NULL);
    assert_true(hidden == alone);
    assert_int_equal(kt_similar_set(s, "co", 0), 0);
    assert_true(pair(s, 2, 3, NULL) == alone);
    (void)without;
}

/* Issue 11, "duplicate flags are an oracle": a chair who puts probe items on her own agenda
 * must learn nothing of a confidential item of another body. So no score between two open items
 * depends on a confidential one (not its words, not its being there), a confidential item
 * teaches no acronym, is found only by kt_similar_find_confidential and takes no place among
 * the open items' findings. */
static void a_confidential_item_moves_no_other_score(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Drugslab in loods Wielwijk", "Melding van buurtbewoners.");
    put(s, 2, 11, "Dordrecht", DAY, "Pieterse drugslab Wielwijk", NULL); /* the probe */
    for (int64_t i = 3; i < 20; i++) { /* other subjects, so that the words are rare */
        char title[64];
        snprintf(title, sizeof title, "Onderwerp%lld en ander%lld", (long long)i, (long long)i);
        put(s, i, 20 + i, "Dordrecht", DAY, title, NULL);
    }
    double alone = pair(s, 1, 2, NULL);
    kt_similar_hit before[8];
    int nb = kt_similar_find(s, 2, KT_SIM_WINDOW_DAYS, before, 8);
    assert_true(nb >= 1);
    /* a confidential item of a third body about the same: nothing moves */
    assert_int_equal(kt_similar_put_item(s, 100, 30, "Dordrecht", DAY,
                                         "Casus Pieterse: drugslab Wielwijk en Crabbehof",
                                         "Pieterse huurt de loods in Wielwijk.", true),
                     0);
    assert_true(pair(s, 1, 2, NULL) == alone);
    kt_similar_hit after[8];
    assert_int_equal(kt_similar_find(s, 2, KT_SIM_WINDOW_DAYS, after, 8), nb);
    for (int i = 0; i < nb; i++) {
        assert_true(after[i].item_id == before[i].item_id);
        assert_true(after[i].score == before[i].score);
    }
    /* the confidential side finds the probe, and the probe's search among confidential items
     * finds it (the flag is told to the confidential side only, detect/flags.c) */
    assert_true(finds(s, 100, 2, KT_SIM_WINDOW_DAYS));
    kt_similar_hit conf[8];
    int nc = kt_similar_find_confidential(s, 2, KT_SIM_WINDOW_DAYS, conf, 8);
    assert_int_equal(nc, 1);
    assert_true(conf[0].item_id == 100);
    /* made open, it counts; made confidential again, it is as before */
    assert_int_equal(kt_similar_set_private(s, 100, false), 0);
    assert_true(pair(s, 1, 2, NULL) != alone);
    assert_true(finds(s, 2, 100, KT_SIM_WINDOW_DAYS));
    assert_int_equal(kt_similar_set_private(s, 100, true), 0);
    assert_true(pair(s, 1, 2, NULL) == alone);
    assert_false(finds(s, 2, 100, KT_SIM_WINDOW_DAYS));
    /* removed: nothing moves either */
    assert_int_equal(kt_similar_remove(s, 100), 0);
    assert_true(pair(s, 1, 2, NULL) == alone);
}

static void a_confidential_item_teaches_no_acronym(void **state)
{
    kt_similar *s = *state;
    assert_int_equal(kt_similar_put_item(s, 1, 10, "Drechtsteden", DAY,
                                         "Loketten opgaan in het RWC",
                                         "Stappenplan om de loketten te laten opgaan in het "
                                         "Regionaal Werkcentrum.",
                                         true),
                     0);
    put(s, 2, 11, "Dordrecht", DAY, "Het RWC", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Regionaal Werkcentrum", NULL);
    assert_true(pair(s, 2, 3, NULL) < KT_SIM_THRESHOLD);
    assert_false(finds(s, 3, 2, KT_SIM_WINDOW_DAYS));
}

/* Function phrases ("op grond van", "met betrekking tot") and verbs that say nothing about the
 * subject ("laten", "stelt", "werkt") are not what two items share. */
static void function_phrases_and_verbs_are_no_subject(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Exploitatievergunning horeca", "Op grond van de APV.");
    put(s, 2, 11, "Dordrecht", DAY, "Gronduitgifte en grond", "Verkoop van grond.");
    put(s, 3, 12, "Dordrecht", DAY, "Buurtfeest laten werken", "De wijkraad stelt voor.");
    put(s, 4, 13, "Dordrecht", DAY, "Speeltuin", "Werkt het? Laten we kijken; het college stelt.");
    char why[256];
    assert_true(pair(s, 1, 2, why) < KT_SIM_THRESHOLD);
    assert_null(strstr(why, "grond"));
    assert_true(pair(s, 3, 4, NULL) < KT_SIM_THRESHOLD);
}

/* Learning from the chairs: after "geen overlap" on pairs that shared only words that are
 * common in this deployment, a new pair resting on those words scores less (here: no longer a
 * subject at all); a confirmation gives some weight back; forgetting restores the built-in
 * weights. */
static void decisions_teach_the_words_of_a_deployment(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Escaperoom en quiz", "Voor wijkteams.");
    put(s, 2, 11, "Dordrecht", DAY, "Escaperoom en quiz: vervolg", "Voor handhavers.");
    put(s, 3, 12, "Dordrecht", DAY, "Escaperoom en quiz voor boa's", NULL);
    put(s, 4, 13, "Dordrecht", DAY, "Escaperoom en quiz in de zorg", NULL);
    double before = pair(s, 3, 4, NULL);
    assert_true(before >= KT_SIM_THRESHOLD);
    assert_int_equal(kt_similar_learn(s, 1, 2, false), 0);
    assert_int_equal(kt_similar_learn(s, 1, 3, false), 0);
    double after = pair(s, 3, 4, NULL);
    assert_true(after < before);
    assert_int_equal(kt_similar_learn(s, 2, 4, true), 0);
    assert_true(pair(s, 3, 4, NULL) >= after);
    kt_similar_forget_learning(s);
    assert_true(pair(s, 3, 4, NULL) == before);
    assert_int_equal(kt_similar_learn(s, 1, 99, false), KT_ENOTFOUND);
    assert_int_equal(kt_similar_learn(s, 1, 1, false), 0); /* excluded pairs teach nothing */
}

static void a_vocabulary_is_checked_line_by_line(void **state)
{
    kt_similar *s = *state;
    size_t line = 0;
    assert_int_equal(kt_similar_load_vocabulary(s,
                                                "# a comment\n\n= hangjongeren: hanggroep\n"
                                                "~ Straatraces: hardrijders, racen op straat\n",
                                                &line),
                     0);
    assert_int_equal(kt_similar_vocabulary_groups(s), 2);
    assert_int_equal(kt_similar_load_vocabulary(s, "= ok: goed\nzonder teken\n", &line), KT_EINVAL);
    assert_int_equal(line, 2);
    assert_int_equal(kt_similar_load_vocabulary(s, "= : leeg label\n", &line), KT_EINVAL);
    assert_int_equal(kt_similar_load_vocabulary_file(s, "/nonexistent/v.txt", &line), KT_EIO);
    /* a phrase is met when written in order, stop words aside */
    put(s, 1, 10, "Dordrecht", DAY, "Hardrijders in de wijk", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Racen op straat: handhaving", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Straat en racen: handhaving", NULL);
    assert_true(pair(s, 1, 2, NULL) >= KT_SIM_THRESHOLD);
    assert_true(pair(s, 1, 3, NULL) < pair(s, 1, 2, NULL));
}

static void window_limits_dated_items_but_not_the_backlog(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Messenbezit onder leerlingen", NULL);
    put(s, 2, 11, "Dordrecht", DAY + 100, "Messenbezit onder leerlingen", NULL);
    put(s, 3, 12, "Dordrecht", KT_SIM_NO_DATE, "Messenbezit onder leerlingen", NULL);
    put(s, 4, 13, "Dordrecht", DAY - 56, "Messenbezit onder leerlingen", NULL);
    assert_false(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    assert_true(finds(s, 1, 2, 100));
    assert_true(finds(s, 1, 3, KT_SIM_WINDOW_DAYS)); /* backlog: always in the window */
    assert_true(finds(s, 1, 4, KT_SIM_WINDOW_DAYS)); /* 8 weeks is inside */
    assert_true(finds(s, 3, 2, KT_SIM_WINDOW_DAYS)); /* a backlog item meets any date */
    assert_true(pair(s, 1, 2, NULL) > 0.9);          /* pair scores ignore dates */
}

static void put_replaces_and_remove_forgets(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Wapenbezit onder leerlingen", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Wapenbezit onder leerlingen", NULL);
    assert_int_equal(kt_similar_count(s), 2);
    assert_true(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    put(s, 2, 11, "Dordrecht", DAY, "Energietransitie in de wijk", NULL);
    assert_int_equal(kt_similar_count(s), 2);
    assert_false(finds(s, 1, 2, KT_SIM_WINDOW_DAYS));
    assert_int_equal(kt_similar_remove(s, 2), 0);
    assert_int_equal(kt_similar_remove(s, 2), KT_ENOTFOUND);
    assert_int_equal(kt_similar_count(s), 1);
    kt_similar_hit hit;
    assert_int_equal(kt_similar_find(s, 2, KT_SIM_WINDOW_DAYS, &hit, 1), KT_ENOTFOUND);
    double score;
    assert_int_equal(kt_similar_pair_score(s, 1, 2, &score, NULL, 0), KT_ENOTFOUND);
    assert_int_equal(kt_similar_put(s, 0, 1, "", DAY, "x", NULL), KT_EINVAL);
    /* Removing gives back what putting took: the weights are as before. */
    put(s, 4, 13, "Dordrecht", DAY, "Wapenbezit onder leerlingen en ouders", NULL);
    double before = pair(s, 1, 4, NULL);
    for (int64_t id = 100; id < 130; id++)
        put(s, id, 200 + id, "Dordrecht", DAY, "Ouders", NULL);
    assert_true(pair(s, 1, 4, NULL) != before);
    for (int64_t id = 100; id < 130; id++)
        assert_int_equal(kt_similar_remove(s, id), 0);
    assert_true(pair(s, 1, 4, NULL) == before);
    /* Slots are reused after removal, without stale postings. */
    put(s, 3, 12, "Dordrecht", DAY, "Wapenbezit onder leerlingen", NULL);
    assert_true(finds(s, 1, 3, KT_SIM_WINDOW_DAYS));
    assert_true(kt_similar_memory(s) > 0);
}

/* --- the similar-eval command ------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs the command with stdout in a file; returns its exit code and the last line (and, when
 * grep is given, the first line that starts with it, in found). */
static int run_eval_with(const char *items, const char *pairs, const char *opt, const char *val,
                         char *last, size_t n, const char *grep, char *found)
{
    char out[] = "/tmp/kt-sim-out-XXXXXX";
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    char *argv[] = {"similar-eval", "--items",   (char *)items, "--pairs",
                    (char *)pairs,  (char *)opt, (char *)val,   NULL};
    int rc = kt_similar_eval_main(opt ? (val ? 7 : 6) : 5, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(fd);
    FILE *f = fopen(out, "r");
    char line[512];
    last[0] = 0;
    if (found)
        found[0] = 0;
    while (f && fgets(line, sizeof line, f)) {
        snprintf(last, n, "%s", line);
        if (grep && found && !found[0] && !strncmp(line, grep, strlen(grep)))
            snprintf(found, n, "%s", line);
    }
    if (f)
        fclose(f);
    remove(out);
    return rc;
}

static int run_eval(const char *items, const char *pairs, char *last, size_t n)
{
    return run_eval_with(items, pairs, NULL, NULL, last, n, NULL, NULL);
}

static void eval_prints_figures_as_its_last_line(void **state)
{
    (void)state;
    /* per process: other checkouts on the machine run this test at the same time */
    char items[64], pairs[64];
    snprintf(items, sizeof items, "/tmp/kt-sim-items-%d.jsonl", (int)getpid());
    snprintf(pairs, sizeof pairs, "/tmp/kt-sim-pairs-%d.jsonl", (int)getpid());
    write_file(
        items,
        "{\"id\": \"a\", \"body\": \"B1\", \"municipality\": \"Dordrecht\", \"date\": "
        "\"2025-02-18\", \"title\": \"Wapenbezit onder leerlingen\", \"description\": \"\"}\n"
        "{\"id\": \"b\", \"body\": \"B2\", \"municipality\": \"Dordrecht\", \"date\": null, "
        "\"title\": \"Wapenbezit onder leerlingen\"}\n"
        "\n"
        "{\"id\": \"c\", \"body\": \"B3\", \"municipality\": \"Dordrecht\", \"date\": "
        "\"2025-03-01\", \"title\": \"Rondvraag\", \"description\": \"\"}\n");
    write_file(pairs, "{\"a\": \"a\", \"b\": \"b\", \"duplicate\": true, \"why\": \"\"}\n"
                      "{\"a\": \"a\", \"b\": \"c\", \"duplicate\": false, \"why\": \"\"}\n");
    char last[256];
    assert_int_equal(run_eval(items, pairs, last, sizeof last), 0);
    assert_string_equal(last, "precision=1.000 recall=1.000 f1=1.000 threshold=0.12\n");

    write_file(pairs, "{\"a\": \"a\", \"b\": \"zz\", \"duplicate\": true}\n");
    assert_int_equal(run_eval(items, pairs, last, sizeof last), 2); /* unknown id */
    write_file(pairs, "{\"a\": \"a\", \"b\": \"b\", \"duplicate\": tru\n");
    assert_int_equal(run_eval(items, pairs, last, sizeof last), 2); /* bad JSON */
    write_file(pairs, "{\"a\": \"a\", \"b\": \"b\", \"duplicate\": \"yes\"}\n");
    assert_int_equal(run_eval(items, pairs, last, sizeof last), 2); /* not a boolean */
    assert_int_equal(run_eval("/nonexistent/items.jsonl", pairs, last, sizeof last), 2);
    write_file(items, "{\"id\": \"a\", \"body\": \"B1\", \"date\": \"2025-13-01\"}\n");
    assert_int_equal(run_eval(items, pairs, last, sizeof last), 2); /* bad date */
    write_file(items, "[1, 2]\n");
    assert_int_equal(run_eval(items, pairs, last, sizeof last), 2); /* not an object */
    char *argv[] = {"similar-eval", "--items", (char *)items, NULL};
    assert_int_equal(kt_similar_eval_main(3, argv), 2); /* --pairs missing */
    remove(items);
    remove(pairs);
}

/* --folds K: topics (items joined by a duplicate pair) never on both sides; each fold is
 * scored with a threshold chosen on the others; the usual line stays last. */
static void eval_cross_validates_by_topic(void **state)
{
    (void)state;
    char items[64], pairs[64];
    snprintf(items, sizeof items, "/tmp/kt-sim-cv-items-%d.jsonl", (int)getpid());
    snprintf(pairs, sizeof pairs, "/tmp/kt-sim-cv-pairs-%d.jsonl", (int)getpid());
    static const char *subjects[] = {"Wapenbezit onder leerlingen", "Drugsoverlast in portieken",
                                     "Woninginbraken in de zomer", "Laaggeletterdheid volwassenen"};
    FILE *fi = fopen(items, "w"), *fp = fopen(pairs, "w");
    assert_non_null(fi);
    assert_non_null(fp);
    for (int t = 0; t < 4; t++) {
        for (int b = 0; b < 2; b++)
            fprintf(fi,
                    "{\"id\": \"t%db%d\", \"body\": \"B%d\", \"municipality\": \"Dordrecht\", "
                    "\"date\": null, \"title\": \"%s\"}\n",
                    t, b, b, subjects[t]);
        fprintf(fp, "{\"a\": \"t%db0\", \"b\": \"t%db1\", \"duplicate\": true}\n", t, t);
        fprintf(fp, "{\"a\": \"t%db0\", \"b\": \"t%db1\", \"duplicate\": false}\n", t, (t + 1) % 4);
    }
    fclose(fi);
    fclose(fp);
    char last[512], cv[512];
    assert_int_equal(run_eval_with(items, pairs, "--folds", "2", last, sizeof last, "grouped", cv),
                     0);
    /* four topics, each a pair of identical titles; the negatives link topics t and t+1 */
    assert_string_equal(cv,
                        "grouped 2-fold cross-validation: 4 topics, 6 of 8 pairs inside a fold\n");
    assert_int_equal(
        run_eval_with(items, pairs, "--folds", "2", last, sizeof last, "cv shipped", cv), 0);
    assert_non_null(strstr(cv, "f1 mean=1.000 sd=0.000"));
    assert_string_equal(last, "precision=1.000 recall=1.000 f1=1.000 threshold=0.12\n");
    assert_int_equal(run_eval_with(items, pairs, "--folds", "1", last, sizeof last, NULL, NULL), 2);
    assert_int_equal(
        run_eval_with(items, pairs, "--threshold", "0.5", last, sizeof last, NULL, NULL), 0);
    assert_string_equal(last, "precision=1.000 recall=1.000 f1=1.000 threshold=0.5\n");
    remove(items);
    remove(pairs);
}

/* --mutual N (an evaluation of a candidate rule, not the server's scoring): a pair below the
 * threshold is found when each item is the other's best match and the explanation names at
 * least N words; not when a third item matches one of them better. */
static void eval_finds_mutual_best_matches_only_when_asked(void **state)
{
    (void)state;
    char items[64], pairs[64];
    snprintf(items, sizeof items, "/tmp/kt-sim-mu-items-%d.jsonl", (int)getpid());
    snprintf(pairs, sizeof pairs, "/tmp/kt-sim-mu-pairs-%d.jsonl", (int)getpid());
    static const char *base =
        "{\"id\": \"a\", \"body\": \"B1\", \"municipality\": \"Dordrecht\", \"date\": null, "
        "\"title\": \"Huisvesting na detentie\", \"description\": \"Twee ex-gedetineerden zijn "
        "dakloos geraakt in Crabbehof; knelpunt in de afspraken met de corporaties over "
        "woningen, schuldhulp, begeleiding, zorgbudget, wachtlijsten en toezicht, dagbesteding, "
        "werkgevers, bijstand, verslavingszorg, huisarts, buurtteam en een vaste "
        "contactpersoon.\"}\n"
        "{\"id\": \"b\", \"body\": \"B2\", \"municipality\": \"Dordrecht\", \"date\": null, "
        "\"title\": \"Nazorg ex-gedetineerden: ID, inkomen en onderdak\", \"description\": "
        "\"Afspraken met de gemeenten en het gevangeniswezen over de eerste dag na ontslag uit "
        "detentie.\"}\n"
        "{\"id\": \"c\", \"body\": \"B3\", \"municipality\": \"Dordrecht\", \"date\": null, "
        "\"title\": \"Wapenbezit onder leerlingen\", \"description\": \"Messen op school.\"}\n";
    write_file(items, base);
    write_file(pairs, "{\"a\": \"a\", \"b\": \"b\", \"duplicate\": true}\n"
                      "{\"a\": \"a\", \"b\": \"c\", \"duplicate\": false}\n");
    char last[256];
    assert_int_equal(run_eval(items, pairs, last, sizeof last), 0);
    assert_string_equal(last, "precision=0.000 recall=0.000 f1=0.000 threshold=0.12\n");
    assert_int_equal(run_eval_with(items, pairs, "--mutual", "3", last, sizeof last, NULL, NULL),
                     0);
    assert_string_equal(last, "precision=1.000 recall=1.000 f1=1.000 threshold=0.12\n");
    assert_int_equal(run_eval_with(items, pairs, "--mutual", "4", last, sizeof last, NULL, NULL),
                     0); /* three words named: not enough */
    assert_string_equal(last, "precision=0.000 recall=0.000 f1=0.000 threshold=0.12\n");
    /* an item that matches b better: a and b are no longer each other's best */
    char more[2048];
    snprintf(more, sizeof more,
             "%s{\"id\": \"d\", \"body\": \"B4\", \"municipality\": \"Dordrecht\", \"date\": "
             "null, \"title\": \"Nazorg ex-gedetineerden: inkomen en onderdak\"}\n",
             base);
    write_file(items, more);
    assert_int_equal(run_eval_with(items, pairs, "--mutual", "3", last, sizeof last, NULL, NULL),
                     0);
    assert_string_equal(last, "precision=0.000 recall=0.000 f1=0.000 threshold=0.12\n");
    /* ... and one that matches a better */
    snprintf(
        more, sizeof more,
        "%s{\"id\": \"e\", \"body\": \"B5\", \"municipality\": \"Dordrecht\", \"date\": "
        "null, \"title\": \"Schuldhulp, dagbesteding en verslavingszorg voor dakloze inwoners\"}\n",
        base);
    write_file(items, more);
    assert_int_equal(run_eval_with(items, pairs, "--mutual", "3", last, sizeof last, NULL, NULL),
                     0);
    assert_string_equal(last, "precision=0.000 recall=0.000 f1=0.000 threshold=0.12\n");
    remove(items);
    remove(pairs);
}

static void the_same_subject_in_another_aspect_weighs_less(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Evaluatie hennepteelt in woningen", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Hennepteelt in woningen: evaluatie en vervolg", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Training hennepteelt in woningen", NULL);
    put(s, 4, 13, "Dordrecht", DAY, "Hennepteelt in woningen", NULL);
    double same = pair(s, 1, 2, NULL), other = pair(s, 1, 3, NULL), none = pair(s, 1, 4, NULL);
    assert_true(same > 0.5);
    assert_true(other < same * 0.6); /* the evaluation and a training: another aspect */
    assert_true(none > other);       /* an item without an aspect is not held against one */
    assert_int_equal(kt_similar_set(s, "aspect", 1), 0); /* the rule off */
    assert_true(pair(s, 1, 3, NULL) > other * 1.5);
}

/* A planning and the feedback on what was done: a plan and its evaluation. */
static void a_planning_and_its_feedback_are_two_aspects(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Planning integrale controles hennepteelt", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Terugkoppeling integrale controles hennepteelt", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Integrale controles hennepteelt", NULL);
    double other = pair(s, 1, 2, NULL), none = pair(s, 1, 3, NULL);
    assert_true(other < none * 0.5);
    assert_int_equal(kt_similar_set(s, "aspect", 1), 0);
    assert_true(pair(s, 1, 2, NULL) > other * 2);
}

/* A title that names no aspect takes its description's, at a milder factor than the titles'. */
static void a_description_names_the_aspect_when_the_title_does_not(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Hennepteelt in woningen",
        "Evaluatie van de aanpak met de corporaties.");
    put(s, 2, 11, "Dordrecht", DAY, "Hennepteelt in woningen",
        "Training van de medewerkers van de corporaties.");
    put(s, 3, 12, "Dordrecht", DAY, "Hennepteelt in woningen",
        "Evaluatie en vervolg met de corporaties.");
    put(s, 4, 13, "Dordrecht", DAY, "Evaluatie hennepteelt in woningen", NULL);
    double other = pair(s, 1, 2, NULL), same = pair(s, 1, 3, NULL);
    double title_same = pair(s, 4, 3, NULL), title_other = pair(s, 4, 2, NULL);
    assert_true(other > 0 && same > 0 && title_same > 0 && title_other > 0);
    assert_int_equal(kt_similar_set(s, "aspect_desc", 1), 0); /* the rule off */
    double other_off = pair(s, 1, 2, NULL), title_other_off = pair(s, 4, 2, NULL);
    assert_true(fabs(other - other_off * 0.5) < 1e-9); /* evaluation and training: ×0.5 */
    assert_true(fabs(title_other - title_other_off * 0.5) < 1e-9); /* a title against a text */
    assert_true(fabs(pair(s, 1, 3, NULL) - same) < 1e-9);          /* one aspect: nothing */
    assert_true(fabs(pair(s, 4, 3, NULL) - title_same) < 1e-9);    /* the title's, the text's */
    /* two titles that name aspects decide alone, at the titles' factor */
    assert_int_equal(kt_similar_set(s, "aspect_desc", 0.5), 0);
    put(s, 5, 14, "Dordrecht", DAY, "Training hennepteelt in woningen",
        "Evaluatie van de aanpak met de corporaties.");
    double both = pair(s, 4, 5, NULL);
    assert_int_equal(kt_similar_set(s, "aspect", 1), 0);
    assert_true(fabs(both - pair(s, 4, 5, NULL) * 0.3) < 1e-9);
}

static void a_dismissal_the_aspects_explain_teaches_no_words(void **state)
{
    kt_similar *s = *state;
    put(s, 1, 10, "Dordrecht", DAY, "Evaluatie hennepteelt in woningen", NULL);
    put(s, 2, 11, "Dordrecht", DAY, "Training hennepteelt in woningen", NULL);
    put(s, 3, 12, "Dordrecht", DAY, "Hennepteelt in woningen: stand van zaken", NULL);
    put(s, 4, 13, "Dordrecht", DAY, "Hennepteelt in woningen", NULL);
    double before = pair(s, 3, 4, NULL);
    assert_int_equal(kt_similar_learn(s, 1, 2, false), 0); /* other aspects: words still right */
    assert_true(fabs(pair(s, 3, 4, NULL) - before) < 1e-9);
    assert_int_equal(kt_similar_learn(s, 3, 4, false), 0); /* no aspect to blame: the words */
    double after = pair(s, 3, 4, NULL);
    assert_true(after < before);
    assert_true(after > 0); /* one dismissal weakens a subject, it does not silence it */
    assert_true(pair(s, 1, 4, NULL) > 0);
    for (int i = 0; i < 20; i++)
        assert_int_equal(kt_similar_learn(s, 3, 4, false), 0);
    assert_true(pair(s, 3, 4, NULL) == 0); /* dismissed again and again: no evidence here */
}

/* A generated agenda of a few thousand items: subjects made of a small vocabulary and its
 * compounds, agenda phrasing, places, scopes, dates and the backlog, procedural items, some
 * confidential ones; then removals, re-puts into freed slots and a few decisions. Rough scores
 * tie often here, which is what the candidates' order must survive. */
static uint64_t rnd(uint64_t *r)
{
    *r ^= *r << 13; /* xorshift64: reproducible */
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return *r;
}

/* n generated items put, some removed or replaced, two decisions learned; with bulk, the puts,
 * removes and replacements as one bulk load (kt_similar_bulk_begin), with a confidential mark
 * changed on the way. */
static void generated_agenda_as(kt_similar *s, int n, bool bulk)
{
    static const char *const nouns[] = {"woning",   "sluiting", "drugs",  "jeugd",    "werk",
                                        "centrum",  "overlast", "school", "horeca",   "armoede",
                                        "schulden", "toezicht", "haven",  "vastgoed", "zorg"};
    static const char *const heads[] = {"Voortgang", "Evaluatie", "Aanpak",  "Plan van aanpak",
                                        "Training",  "Monitor",   "Besluit", ""};
    static const char *const places[] = {"Crabbehof", "Wielwijk", "Sterrenburg", "Oost"};
    static const char *const scopes[] = {"Dordrecht", "Zwijndrecht", "Drechtsteden", "Rotterdam"};
    uint64_t r = 0x9E3779B97F4A7C15ull;
#define RND() rnd(&r)
    if (bulk)
        assert_int_equal(kt_similar_bulk_begin(s), 0);
    for (int i = 1; i <= n; i++) {
        char title[160], desc[200];
        const char *a = nouns[RND() % 15], *b = nouns[RND() % 15], *c = nouns[RND() % 15];
        switch (RND() % 5) {
        case 0:
            snprintf(title, sizeof title, "%s %s%s", heads[RND() % 8], a, b);
            break;
        case 1:
            snprintf(title, sizeof title, "%s %s in %s", heads[RND() % 8], a, places[RND() % 4]);
            break;
        case 2:
            snprintf(title, sizeof title, "%s en %s%s", a, b, c);
            break;
        case 3:
            snprintf(title, sizeof title, RND() % 2 ? "Rondvraag" : "Mededelingen");
            break;
        default:
            snprintf(title, sizeof title, "%s%s: %s", a, c, heads[RND() % 8]);
            break;
        }
        snprintf(desc, sizeof desc, RND() % 3 ? "Met de partners de %s%s bespreken in %s." : "", b,
                 c, places[RND() % 4]);
        int64_t body = 1 + (int64_t)(RND() % 40);
        int32_t day = RND() % 10 ? DAY + (int32_t)(RND() % 200) : KT_SIM_NO_DATE;
        bool secret = RND() % 20 == 0;
        assert_int_equal(
            kt_similar_put_item(s, i, body, scopes[body % 4], day, title, desc, secret), 0);
    }
    for (int i = 7; i <= n; i += 97)
        assert_int_equal(kt_similar_remove(s, i), 0);
    for (int i = 7; i <= n; i += 194)
        put(s, i, 3, "Dordrecht", DAY + 10, "Aanpak woningsluiting drugs", "Damocles");
    assert_int_equal(kt_similar_set_private(s, n - 1, true), 0);
    assert_int_equal(kt_similar_set_private(s, n - 1, false), 0);
    for (int i = n + 1; i <= n + 20; i++) /* put after a remove: slots are reused */
        put(s, i, 1 + i % 40, "Dordrecht", DAY, "Preventie met Gezag in Wielwijk", NULL);
    if (bulk)
        assert_int_equal(kt_similar_bulk_end(s), 0);
    assert_int_equal(kt_similar_learn(s, 2, 5, false), 0);
    assert_int_equal(kt_similar_learn(s, 3, 8, true), 0);
#undef RND
}

static void generated_agenda(kt_similar *s, int n)
{
    generated_agenda_as(s, n, false);
}

/* find's fast path (bench/README.md: what it does differently) answers exactly as its
 * reference path: the same items, scores to the bit, explanations and order, among the public
 * and among the confidential items, with few hits wanted and with many. */
static void find_agrees_with_its_reference_path(void **state)
{
    kt_similar *s = *state;
    generated_agenda(s, 3000);
    static const size_t wanted[] = {2, 64};
    int found = 0, confidential = 0;
    for (int id = 1; id <= 3000; id++) {
        for (size_t w = 0; w < 2; w++) {
            for (int priv = 0; priv < 2; priv++) {
                kt_similar_hit fast[64], plain[64];
                int nf = priv ? kt_similar_find_confidential(s, id, 30, fast, wanted[w])
                              : kt_similar_find(s, id, 30, fast, wanted[w]);
                assert_int_equal(kt_similar_set(s, "find_plain", 1), 0);
                int np = priv ? kt_similar_find_confidential(s, id, 30, plain, wanted[w])
                              : kt_similar_find(s, id, 30, plain, wanted[w]);
                assert_int_equal(kt_similar_set(s, "find_plain", 0), 0);
                if (!kt_similar_hits_equal(fast, nf, plain, np))
                    fail_msg("item %d (%zu wanted, %s): %d hits, reference %d", id, wanted[w],
                             priv ? "confidential" : "public", nf, np);
                if (nf > 0)
                    *(priv ? &confidential : &found) += nf;
            }
        }
    }
    assert_true(found > 3000); /* the agenda has duplicates to find ... */
    assert_true(confidential > 0);
}

/* s and t find the same for every step-th of the items 1..1500 (the generated agenda). */
static void assert_same_finds(kt_similar *s, kt_similar *t, int step)
{
    for (int id = 1; id <= 1500; id += step) {
        kt_similar_hit a[16], b[16];
        int na = kt_similar_find(s, id, 30, a, 16), nb = kt_similar_find(t, id, 30, b, 16);
        assert_true(kt_similar_hits_equal(a, na, b, nb));
    }
}

/* A bulk load indexes as puts one by one do: the same digest (posting lists in order included)
 * and the same answers, with removes, replacements and confidential marks on the way. */
static void a_bulk_load_indexes_as_puts_do(void **state)
{
    kt_similar *s = *state, *t = index_with_lexicon();
    assert_non_null(t);
    generated_agenda_as(s, 1500, false);
    generated_agenda_as(t, 1500, true);
    assert_true(kt_similar_digest(s) == kt_similar_digest(t));
    assert_same_finds(s, t, 7);
    /* after a bulk load, puts post at once again */
    put(s, 5000, 1, "Dordrecht", DAY, "Aanpak woningsluiting drugs", NULL);
    put(t, 5000, 1, "Dordrecht", DAY, "Aanpak woningsluiting drugs", NULL);
    assert_true(kt_similar_digest(s) == kt_similar_digest(t));
    kt_similar_free(t);
}

/* A bulk load whose empty posting lists are placed in one block (post_pending; at start only
 * a big load is, here every one) indexes as puts one by one do, also after puts, removes and a
 * confidential mark move lists out of the block or shorten them in it. */
static void posting_lists_in_a_block_hold_what_lists_of_their_own_do(void **state)
{
    kt_similar *s = *state, *t = index_with_lexicon();
    assert_non_null(t);
    assert_int_equal(kt_similar_set(t, "post_block", 1), 0);
    generated_agenda_as(s, 1500, false);
    generated_agenda_as(t, 1500, true);
    assert_true(kt_similar_digest(s) == kt_similar_digest(t));
    for (int i = 0; i < 40; i++) { /* lists grow out of the block, others shrink in it */
        put(s, 6000 + i, 1, "Dordrecht", DAY, "Aanpak woningsluiting drugs in Wielwijk", NULL);
        put(t, 6000 + i, 1, "Dordrecht", DAY, "Aanpak woningsluiting drugs in Wielwijk", NULL);
        assert_int_equal(kt_similar_remove(s, 100 + 3 * i), 0);
        assert_int_equal(kt_similar_remove(t, 100 + 3 * i), 0);
    }
    assert_int_equal(kt_similar_set_private(s, 301, true), 0);
    assert_int_equal(kt_similar_set_private(t, 301, true), 0);
    assert_true(kt_similar_digest(s) == kt_similar_digest(t));
    assert_same_finds(s, t, 7);
    kt_similar_free(t);
}

/* An index sized for its items first (as the build from the store does) holds and answers
 * what one grown item by item does, in a bulk load and after it, with slots freed and reused,
 * and a reservation smaller than what it holds changes nothing. */
static void an_index_reserved_for_its_items_is_the_same_index(void **state)
{
    kt_similar *s = *state, *t = index_with_lexicon();
    assert_non_null(t);
    assert_int_equal(kt_similar_reserve(t, 1500), 0);
    generated_agenda_as(s, 1500, true);
    generated_agenda_as(t, 1500, true); /* bulk_begin after the reservation */
    assert_true(kt_similar_digest(s) == kt_similar_digest(t));
    for (int i = 0; i < 30; i++) {
        assert_int_equal(kt_similar_remove(s, 200 + 5 * i), 0);
        assert_int_equal(kt_similar_remove(t, 200 + 5 * i), 0);
    }
    assert_int_equal(kt_similar_reserve(t, 10), 0); /* fewer than the free slots */
    assert_int_equal(kt_similar_bulk_begin(s), 0);
    assert_int_equal(kt_similar_bulk_begin(t), 0);
    assert_int_equal(kt_similar_reserve(t, 2000), 0); /* during a bulk load */
    for (int i = 0; i < 60; i++) {
        put(s, 7000 + i, 2, "Zwijndrecht", DAY, "Woningsluiting en drugsoverlast", NULL);
        put(t, 7000 + i, 2, "Zwijndrecht", DAY, "Woningsluiting en drugsoverlast", NULL);
    }
    assert_int_equal(kt_similar_bulk_end(s), 0);
    assert_int_equal(kt_similar_bulk_end(t), 0);
    assert_int_equal(kt_similar_count(s), kt_similar_count(t));
    assert_true(kt_similar_digest(s) == kt_similar_digest(t));
    assert_same_finds(s, t, 11);
    kt_similar_free(t);
}

/* Item ids are whatever the caller's are: small ones (in the index's dense array), negative
 * and far-away ones (in its map), and an id moving between the two as the index grows; each
 * is found, replaced, removed and put again. */
static void item_ids_near_far_and_negative_are_all_indexed(void **state)
{
    kt_similar *s = *state;
    const int64_t ids[] = {1, 2, -7, (int64_t)5 << 30, INT64_MAX, 3000, 70000, INT64_MIN + 1};
    const size_t n = sizeof ids / sizeof ids[0];
    for (size_t i = 0; i < n; i++)
        put(s, ids[i], 10 + (int64_t)i, "Dordrecht", DAY, "Woningsluiting na drugsvondst", NULL);
    assert_int_equal(kt_similar_count(s), n);
    for (size_t i = 0; i < n; i++)
        assert_true(finds(s, ids[i], ids[(i + 1) % n], KT_SIM_WINDOW_DAYS));
    /* enough items that 70000 is in reach of the dense array, and 69000 grows it over 70000,
     * which stays in the map until it is put again */
    for (int64_t id = 100; id < 1299; id++)
        put(s, id, 1, "Dordrecht", DAY, "Verkeersveiligheid rond basisscholen", NULL);
    put(s, 69000, 1, "Dordrecht", DAY, "Verkeersveiligheid rond basisscholen", NULL);
    assert_true(finds(s, ids[6], ids[7], KT_SIM_WINDOW_DAYS));
    for (size_t i = 0; i < n; i++) { /* replaced: still one item each */
        put(s, ids[i], 10 + (int64_t)i, "Dordrecht", DAY, "Woningsluiting na drugsvondst", NULL);
        assert_true(finds(s, ids[i], ids[(i + 1) % n], KT_SIM_WINDOW_DAYS));
    }
    assert_int_equal(kt_similar_count(s), n + 1200);
    for (size_t i = 0; i < n; i += 2)
        assert_int_equal(kt_similar_remove(s, ids[i]), 0);
    for (size_t i = 0; i < n; i += 2)
        assert_int_equal(kt_similar_remove(s, ids[i]), KT_ENOTFOUND);
    assert_false(finds(s, ids[1], ids[2], KT_SIM_WINDOW_DAYS));
    assert_true(finds(s, ids[1], ids[3], KT_SIM_WINDOW_DAYS));
    assert_int_equal(kt_similar_count(s), n / 2 + 1200);
    for (size_t i = 0; i < n; i += 2)
        put(s, ids[i], 10 + (int64_t)i, "Dordrecht", DAY, "Woningsluiting na drugsvondst", NULL);
    for (size_t i = 0; i < n; i++)
        assert_true(finds(s, ids[i], ids[(i + 1) % n], KT_SIM_WINDOW_DAYS));
    assert_int_equal(kt_similar_count(s), n + 1200);
}

/* Two indexes of the same items have the same digest; another item changes it. */
static void the_digest_follows_what_the_index_holds(void **state)
{
    kt_similar *s = *state, *t = index_with_lexicon();
    assert_non_null(t);
    generated_agenda(s, 500);
    generated_agenda(t, 500);
    assert_true(kt_similar_digest(s) == kt_similar_digest(t));
    put(t, 9999, 1, "Dordrecht", DAY, "Woningsluiting", NULL);
    assert_true(kt_similar_digest(s) != kt_similar_digest(t));
    kt_similar_free(t);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(same_subject_in_two_bodies_is_found_both_ways),
        T(the_subject_says_each_thing_once_in_plain_words),
        T(diacritics_do_not_matter),
        T(compound_meets_its_parts),
        T(a_compound_with_an_unknown_modifier_meets_its_head),
        T(procedural_items_are_never_flagged),
        T(same_body_is_no_duplicate),
        T(different_municipalities_do_not_share_local_subjects),
        T(deployment_regions_extend_the_table),
        T(abbreviations_meet_their_expansion),
        T(acronyms_defined_in_an_item_are_learned),
        T(generic_words_alone_make_no_duplicate),
        T(agenda_boilerplate_makes_no_duplicate),
        T(a_shared_neighbourhood_is_a_where_not_a_what),
        T(one_shared_subject_word_is_enough_for_short_items),
        T(the_vocabulary_meets_other_words_for_one_subject),
        T(a_vocabulary_is_checked_line_by_line),
        T(words_after_a_vocabulary_are_read_anew),
        T(decisions_teach_the_words_of_a_deployment),
        T(words_that_keep_company_in_the_deployment_meet),
        T(a_confidential_item_moves_no_other_score),
        T(a_confidential_item_teaches_no_acronym),
        T(function_phrases_and_verbs_are_no_subject),
        T(the_same_subject_in_another_aspect_weighs_less),
        T(a_planning_and_its_feedback_are_two_aspects),
        T(a_description_names_the_aspect_when_the_title_does_not),
        T(a_dismissal_the_aspects_explain_teaches_no_words),
        T(window_limits_dated_items_but_not_the_backlog),
        T(put_replaces_and_remove_forgets),
        T(find_agrees_with_its_reference_path),
        T(the_digest_follows_what_the_index_holds),
        T(a_bulk_load_indexes_as_puts_do),
        T(posting_lists_in_a_block_hold_what_lists_of_their_own_do),
        T(an_index_reserved_for_its_items_is_the_same_index),
        T(item_ids_near_far_and_negative_are_all_indexed),
        cmocka_unit_test(eval_prints_figures_as_its_last_line),
        cmocka_unit_test(eval_cross_validates_by_topic),
        cmocka_unit_test(eval_finds_mutual_best_matches_only_when_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
