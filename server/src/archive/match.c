/* Matching an imported verslag's names against the directory; see import.h
 * (kt_import_recognise). Names are compared folded (case, diacritics, hyphens: "Topçu" =
 * "Topcu", "Van der" = "van der"); a small spelling difference ("Lammers" for "Lamers") is an
 * approximate match the secretary confirms; several equally good candidates are ambiguous. */
#include "archive/import.h"

#include "detect/text.h"
#include "util/err.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FOLD_CAP 160

static void fold(const char *s, char *out)
{
    char f[FOLD_CAP * 2];
    kt_text_fold(s ? s : "", f, sizeof f);
    size_t o = 0;
    bool space = true;
    for (const char *p = f; *p && o + 1 < FOLD_CAP; p++) {
        char c = (*p == '-' || *p == '\'') ? ' ' : *p;
        if (c == ' ') {
            if (!space)
                out[o++] = ' ';
            space = true;
        } else {
            out[o++] = c;
            space = false;
        }
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = 0;
}

/* Levenshtein distance, capped: returns max+1 as soon as it must exceed max. */
static size_t distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    if ((la > lb ? la - lb : lb - la) > max)
        return max + 1;
    size_t prev[FOLD_CAP + 1], cur[FOLD_CAP + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (cur[j] < best)
                best = cur[j];
        }
        if (best > max)
            return max + 1;
        memcpy(prev, cur, (lb + 1) * sizeof *prev);
    }
    return prev[lb];
}

static const char *last_word(const char *f)
{
    const char *s = strrchr(f, ' ');
    return s ? s + 1 : f;
}

/* 2: exact, 1: approximate, 0: no match. */
static int name_score(const char *want, const char *have)
{
    if (!strcmp(want, have))
        return 2;
    size_t n = strlen(want);
    size_t max = n >= 12 ? 2 : n >= 6 ? 1 : 0;
    if (max && distance(want, have, max) <= max)
        return 1;
    /* "J. Jansen" / "Jan Jansen": same surname and initial */
    const char *lw = last_word(want), *lh = last_word(have);
    if (strlen(lw) >= 3 && !strcmp(lw, lh) && want[0] == have[0] &&
        (want[1] == ' ' || have[1] == ' '))
        return 1;
    return 0;
}

static bool word_in(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (!n)
        return false;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        if ((p == hay || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return true;
    return false;
}

static bool initials_are(const char *org, const char *abbr)
{
    char ini[16];
    size_t k = 0;
    bool start = true;
    for (const char *p = org; *p && k + 1 < sizeof ini; p++) {
        if (*p == ' ') {
            start = true;
            continue;
        }
        if (start)
            ini[k++] = *p;
        start = false;
    }
    ini[k] = 0;
    return k >= 2 && !strcmp(ini, abbr);
}

/* The organisation a text names: exact, its initials ("OM"), or the one organisation whose
 * name holds it as whole words ("gemeente" -> "Gemeente Schiedam"). Sets *how. */
static json_int_t match_org(const json_t *orgs, const char *text, const char **how)
{
    char want[FOLD_CAP];
    fold(text, want);
    *how = "none";
    if (!*want)
        return 0;
    json_int_t found = 0;
    int count = 0;
    size_t i;
    json_t *o;
    json_array_foreach(orgs, i, o)
    {
        char have[FOLD_CAP];
        fold(json_string_value(json_object_get(o, "name")), have);
        if (!strcmp(have, want)) {
            *how = "exact";
            return json_integer_value(json_object_get(o, "id"));
        }
    }
    json_array_foreach(orgs, i, o)
    {
        char have[FOLD_CAP];
        fold(json_string_value(json_object_get(o, "name")), have);
        if (initials_are(have, want) || word_in(have, want) || word_in(want, have)) {
            found = json_integer_value(json_object_get(o, "id"));
            count++;
        }
    }
    if (count == 1) {
        *how = "approx";
        return found;
    }
    if (count > 1)
        *how = "ambiguous";
    return 0;
}

typedef struct cand {
    json_int_t id, org_id;
    int score; /* name 2/1, +org, +member */
    const char *name;
} cand;

/* Matches one name (and the org its entry gives, 0 for none); fills the entry's fields. */
static void match_person(json_t *entry, const char *name, json_int_t org_id, const json_t *persons,
                         const char *field_prefix)
{
    char want[FOLD_CAP];
    fold(name, want);
    cand best[8];
    size_t nbest = 0;
    int top = 0, top_name = 0;
    size_t i;
    json_t *p;
    json_array_foreach(persons, i, p)
    {
        char have[FOLD_CAP];
        fold(json_string_value(json_object_get(p, "name")), have);
        int ns = *want ? name_score(want, have) : 0;
        if (!ns)
            continue;
        json_int_t pid = json_integer_value(json_object_get(p, "id"));
        json_int_t porg = json_integer_value(json_object_get(p, "org_id"));
        int score = ns * 4 + (org_id && porg == org_id ? 2 : 0) +
                    (json_is_true(json_object_get(p, "member")) ? 1 : 0);
        if (score < top)
            continue;
        if (score > top) {
            top = score;
            top_name = ns;
            nbest = 0;
        }
        if (nbest < 8)
            best[nbest++] = (cand){pid, porg, score, json_string_value(json_object_get(p, "name"))};
    }
    char key[48];
    snprintf(key, sizeof key, "%s_id", field_prefix);
    if (nbest == 1) {
        json_object_set_new(entry, key, json_integer(best[0].id));
        snprintf(key, sizeof key, "%s_match", field_prefix);
        json_object_set_new(entry, key, json_string(top_name == 2 ? "exact" : "approx"));
        snprintf(key, sizeof key, "%s_name", field_prefix);
        json_object_set_new(entry, key, json_string(best[0].name ? best[0].name : ""));
        if (!strcmp(field_prefix, "person"))
            json_object_set_new(entry, "person_org_id", json_integer(best[0].org_id));
        return;
    }
    json_object_set_new(entry, key, json_null());
    snprintf(key, sizeof key, "%s_match", field_prefix);
    json_object_set_new(entry, key, json_string(nbest ? "ambiguous" : "none"));
    if (nbest > 1 && !strcmp(field_prefix, "person")) {
        json_t *c = json_array();
        for (size_t k = 0; k < nbest; k++)
            json_array_append_new(c, json_integer(best[k].id));
        json_object_set_new(entry, "candidates", c);
    }
}

static void recognise_attendance(json_t *a, const json_t *persons, const json_t *orgs)
{
    const char *org = json_string_value(json_object_get(a, "org"));
    const char *how = "none";
    json_int_t org_id = org ? match_org(orgs, org, &how) : 0;
    match_person(a, json_string_value(json_object_get(a, "name")), org_id, persons, "person");
    json_int_t porg = json_integer_value(json_object_get(a, "person_org_id"));
    json_object_del(a, "person_org_id");
    if (!org_id && porg) {
        /* The directory knows the person's organisation even where the verslag names none
         * or names a function. */
        org_id = porg;
        how = org ? "approx" : "via_persoon";
    }
    json_object_set_new(a, "org_id", org_id ? json_integer(org_id) : json_null());
    json_object_set_new(a, "org_match", json_string(how));
}

static void recognise_owner(json_t *o, const json_t *persons, const json_t *orgs)
{
    const char *owner = json_string_value(json_object_get(o, "owner"));
    json_object_set_new(o, "owner_person_id", json_null());
    json_object_set_new(o, "owner_org_id", json_null());
    if (!owner)
        return;
    json_t *tmp = json_object();
    if (!tmp)
        return;
    match_person(tmp, owner, 0, persons, "person");
    json_int_t pid = json_integer_value(json_object_get(tmp, "person_id"));
    if (pid) {
        json_object_set_new(o, "owner_person_id", json_integer(pid));
        json_int_t porg = json_integer_value(json_object_get(tmp, "person_org_id"));
        if (porg)
            json_object_set_new(o, "owner_org_id", json_integer(porg));
    } else {
        const char *how;
        json_int_t oid = match_org(orgs, owner, &how);
        if (oid)
            json_object_set_new(o, "owner_org_id", json_integer(oid));
    }
    json_decref(tmp);
}

int kt_import_recognise(json_t *doc, const json_t *persons, const json_t *orgs)
{
    json_t *att = json_object_get(doc, "attendance");
    json_t *items = json_object_get(doc, "items");
    if (!json_is_array(att) || !json_is_array(items) || !json_is_array(persons) ||
        !json_is_array(orgs))
        return KT_EINVAL;
    size_t i;
    json_t *v;
    json_array_foreach(att, i, v)
    {
        if (json_is_object(v))
            recognise_attendance(v, persons, orgs);
    }
    json_array_foreach(items, i, v)
    {
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(v, "outcomes"), k, o)
        {
            if (json_is_object(o))
                recognise_owner(o, persons, orgs);
        }
    }
    return kt_import_count(doc);
}
