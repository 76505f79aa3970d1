/* Reading a verslag written in Markdown or plain text; see import.h for the contract.
 *
 * Three passes over the lines: (1) normalise each line (heading level, list marker, emphasis);
 * (2) a small state machine assigns lines to the header, the attendance lists or an item;
 * (3) the sentences of every item are read for attendance changes ("wordt vervangen door",
 * "schuift later aan") and for outcomes ("Besloten wordt", "zegt toe", "actie:"). Nothing
 * recurses, every loop is bounded by the input, and every collection by the limits in import.h. */
#include "archive/import.h"

#include "archive/vtext.h"
#include "feed/strbuf.h"
#include "util/err.h"
#include "util/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- statuses ---------------------------------------------------------------------------- */

const char *kt_import_status_code(kt_import_status s)
{
    switch (s) {
    case KT_IMPORT_OK:
        return "ok";
    case KT_IMPORT_EMPTY:
        return "import_empty";
    case KT_IMPORT_TOO_LARGE:
        return "import_too_large";
    case KT_IMPORT_NOT_TEXT:
        return "import_not_text";
    case KT_IMPORT_UNRECOGNISED:
        return "import_unrecognised";
    case KT_IMPORT_TOO_COMPLEX:
        return "import_too_complex";
    case KT_IMPORT_NOMEM:
        return "internal";
    }
    return "internal";
}

const char *kt_import_status_message(kt_import_status s)
{
    switch (s) {
    case KT_IMPORT_OK:
        return "";
    case KT_IMPORT_EMPTY:
        return "Het verslag is leeg.";
    case KT_IMPORT_TOO_LARGE:
        return "Het verslag is te groot (meer dan 1 MB tekst).";
    case KT_IMPORT_NOT_TEXT:
        return "Dit is geen tekst. Plak het verslag als tekst of Markdown (geen Word- of "
               "pdf-bestand).";
    case KT_IMPORT_UNRECOGNISED:
        return "In deze tekst zijn geen agendapunten en geen aanwezigen herkend. Gebruik "
               "koppen voor de agendapunten (bijvoorbeeld \"1. Opening\") en een lijst "
               "\"Aanwezig:\".";
    case KT_IMPORT_TOO_COMPLEX:
        return "Het verslag heeft te veel agendapunten, personen of uitkomsten om in één keer "
               "in te lezen.";
    case KT_IMPORT_NOMEM:
        return "Interne fout bij het inlezen.";
    }
    return "";
}

/* --- the document being built ------------------------------------------------------------ */

#define NAME_WORDS 8

typedef struct person {
    char *name, *org, *function;
    const char *role;   /* "voorzitter", "notulist", "lid", "gast" */
    const char *status; /* "aanwezig", "afwezig" */
    const char *notice; /* NULL, "met_bericht", "zonder_bericht" */
    bool late, early;
    int subst;              /* index of the person who replaces this one, or -1 */
    const char *subst_kind; /* "eenmalig", "vast" */
    int subst_for;          /* index of the person this one replaces, or -1 */
    int line;
    char words[NAME_WORDS][KT_TEXT_MAX_WORD]; /* folded name words */
    size_t nwords;
} person;

typedef struct outcome {
    const char *kind; /* "besluit", "toezegging", "actie" */
    char *text, *source, *owner;
    const char *trigger, *confidence;
    char due[11];
    bool explicit_line;
} outcome;

typedef struct item {
    int number; /* 0: none */
    char *title;
    kt_strbuf notes;
    int line;
    bool previous_minutes;
    bool pending_blank, last_list; /* notes layout */
    bool explicit_outcomes;        /* the verslag lists outcomes itself: no guessing */
    outcome *out;
    size_t nout, capout;
} item;

typedef enum section {
    SEC_HEAD,
    SEC_PRESENT,
    SEC_ABSENT,
    SEC_ABSENT_NO,
    SEC_GUESTS,
    SEC_ITEM,
    SEC_OUTCOMES,
} section;

typedef struct doc {
    char *title, *body_name, *location;
    char date[11], start[6], end[6];
    int year; /* of the meeting's date, for dates without a year */
    person *people;
    size_t npeople, cappeople;
    item *items;
    size_t nitems, capitems;
    size_t noutcomes;
    json_t *warnings;
    kt_strbuf prose; /* attendance prose outside items ("X wordt vervangen door Y.") */
    bool markdown, win1252;
    bool exported; /* written by ketentafel's export: its outcome lines are the outcomes */
    kt_import_status fail;
    /* pass 2 state */
    section sec;
    const char *outcome_kind; /* of a SEC_OUTCOMES section */
    int last_number;
    bool md_items;        /* the text has Markdown headings for its items */
    kt_vt_sentence *sent; /* scratch, one sentence */
    item *cur_item;       /* the item whose sentences are being read */
} doc;

static void warn(doc *d, const char *code, int line, const char *msg)
{
    if (json_array_size(d->warnings) >= 50)
        return;
    json_t *w = json_pack("{s:s, s:s}", "code", code, "message", msg);
    if (w && line > 0)
        json_object_set_new(w, "line", json_integer(line));
    if (w)
        json_array_append_new(d->warnings, w);
}

static char *dupn(doc *d, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *r = malloc(n + 1);
    if (!r) {
        d->fail = KT_IMPORT_NOMEM;
        return NULL;
    }
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

static char *dup(doc *d, const char *s)
{
    return dupn(d, s, strlen(s));
}

static void doc_free(doc *d)
{
    for (size_t i = 0; i < d->npeople; i++) {
        free(d->people[i].name);
        free(d->people[i].org);
        free(d->people[i].function);
    }
    free(d->people);
    for (size_t i = 0; i < d->nitems; i++) {
        item *it = &d->items[i];
        free(it->title);
        kt_sb_free(&it->notes);
        for (size_t k = 0; k < it->nout; k++) {
            free(it->out[k].text);
            free(it->out[k].source);
            free(it->out[k].owner);
        }
        free(it->out);
    }
    free(d->items);
    free(d->title);
    free(d->body_name);
    free(d->location);
    kt_sb_free(&d->prose);
    json_decref(d->warnings);
    free(d->sent);
}

/* --- input normalisation ----------------------------------------------------------------- */

/* Windows-1252 bytes 0x80..0x9F as code points (0: undefined). */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static size_t put_utf8(unsigned cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* A NUL-terminated UTF-8 copy with \n line ends and no BOM, or NULL (d->fail set). */
static char *normalise_input(doc *d, const char *text, size_t len)
{
    size_t controls = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == 0) {
            d->fail = KT_IMPORT_NOT_TEXT;
            return NULL;
        }
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            controls++;
    }
    if (controls * 100 > len || controls > 1000) {
        d->fail = KT_IMPORT_NOT_TEXT;
        return NULL;
    }
    bool utf8 = kt_utf8_valid(text, len);
    char *buf = malloc(len * 3 + 1);
    if (!buf) {
        d->fail = KT_IMPORT_NOMEM;
        return NULL;
    }
    size_t o = 0, i = 0;
    if (utf8 && len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\r') {
            buf[o++] = '\n';
            if (i + 1 < len && text[i + 1] == '\n')
                i++;
        } else if (c == '\t' || c == '\f' || (c < 0x20 && c != '\n')) {
            buf[o++] = ' ';
        } else if (c < 0x80 || utf8) {
            buf[o++] = (char)c;
        } else {
            unsigned cp = c >= 0xA0 ? c : cp1252_high[c - 0x80];
            o += put_utf8(cp ? cp : 0xFFFD, buf + o);
        }
    }
    buf[o] = 0;
    if (!utf8) {
        d->win1252 = true;
        warn(d, "tekst_windows1252", 0,
             "De tekst was geen UTF-8 en is gelezen als Windows-tekst (Windows-1252). Controleer "
             "letters met accenten.");
    }
    return buf;
}

/* --- lines ------------------------------------------------------------------------------- */

typedef struct line {
    char *text; /* normalised: no heading marks, list marker or surrounding emphasis */
    int no;
    int level; /* Markdown heading level, 0 for none */
    bool list; /* had a list marker */
    bool blank;
} line;

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static char *skip_spaces(char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

static void rtrim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\\'))
        s[--n] = 0;
}

/* Strips "**...**", "__...__" and "*...*" around the whole text (in place, returns start). */
static char *strip_emphasis(char *s)
{
    for (int round = 0; round < 3; round++) {
        size_t n = strlen(s);
        if (n >= 4 && ((has_prefix(s, "**") && !strcmp(s + n - 2, "**")) ||
                       (has_prefix(s, "__") && !strcmp(s + n - 2, "__")))) {
            s[n - 2] = 0;
            s += 2;
        } else if (n >= 2 &&
                   ((s[0] == '*' && s[n - 1] == '*') || (s[0] == '_' && s[n - 1] == '_'))) {
            s[n - 1] = 0;
            s += 1;
        } else if (has_prefix(s, "**") && strstr(s + 2, "**") == NULL) {
            s += 2; /* an opening bold without its end */
        } else {
            break;
        }
        s = skip_spaces(s);
        rtrim(s);
    }
    return s;
}

static void normalise_line(char *raw, line *l)
{
    char *s = skip_spaces(raw);
    /* block quotes, however deep */
    while (*s == '>')
        s = skip_spaces(s + 1);
    l->level = 0;
    int hashes = 0;
    while (s[hashes] == '#')
        hashes++;
    if (hashes >= 1 && hashes <= 6 && (s[hashes] == ' ' || s[hashes] == 0)) {
        l->level = hashes;
        s = skip_spaces(s + hashes);
        /* closing hashes: "## Titel ##" */
        size_t n = strlen(s);
        while (n && s[n - 1] == '#')
            s[--n] = 0;
    }
    l->list = false;
    if (!l->level) {
        if ((s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') {
            l->list = true;
            s = skip_spaces(s + 2);
        } else if (has_prefix(s, "\xE2\x80\xA2") || has_prefix(s, "\xE2\x80\x93")) {
            /* "•" and "–" as bullets */
            l->list = true;
            s = skip_spaces(s + 3);
        }
    }
    rtrim(s);
    s = strip_emphasis(s);
    l->text = s;
    l->blank = *s == 0;
}

/* A setext underline ("=====" or "-----") */
static bool is_rule(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s == c)
            n++;
        else if (*s != ' ')
            return false;
    }
    return n >= 3;
}

/* --- labels ------------------------------------------------------------------------------ */

typedef enum label {
    L_NONE,
    L_DATE,
    L_PLACE,
    L_START,
    L_END,
    L_TIME,
    L_CHAIR,
    L_SECRETARY,
    L_PRESENT,
    L_ABSENT,
    L_ABSENT_NO,
    L_GUESTS,
    L_DECISIONS,
    L_ACTIONS,
    L_PROMISES,
} label;

static const struct {
    const char *folded;
    label l;
} labels[] = {
    {"datum", L_DATE},
    {"vergaderdatum", L_DATE},
    {"locatie", L_PLACE},
    {"plaats", L_PLACE},
    {"waar", L_PLACE},
    {"adres", L_PLACE},
    {"vergaderlocatie", L_PLACE},
    {"aanvang", L_START},
    {"begin", L_START},
    {"begintijd", L_START},
    {"starttijd", L_START},
    {"eind", L_END},
    {"einde", L_END},
    {"eindtijd", L_END},
    {"tijd", L_TIME},
    {"tijdstip", L_TIME},
    {"voorzitter", L_CHAIR},
    {"vz", L_CHAIR},
    {"voorzitter a i", L_CHAIR},
    {"voorzitterschap", L_CHAIR},
    {"notulist", L_SECRETARY},
    {"notuliste", L_SECRETARY},
    {"notulen", L_SECRETARY},
    {"verslag", L_SECRETARY},
    {"verslaglegging", L_SECRETARY},
    {"secretaris", L_SECRETARY},
    {"secretariaat", L_SECRETARY},
    {"aanwezig", L_PRESENT},
    {"aanwezigen", L_PRESENT},
    {"deelnemers", L_PRESENT},
    {"afwezig", L_ABSENT},
    {"afwezigen", L_ABSENT},
    {"afgemeld", L_ABSENT},
    {"afmeldingen", L_ABSENT},
    {"verhinderd", L_ABSENT},
    {"afwezig met bericht", L_ABSENT},
    {"afwezig met kennisgeving", L_ABSENT},
    {"met kennisgeving afwezig", L_ABSENT},
    {"met bericht afwezig", L_ABSENT},
    {"afwezig zonder bericht", L_ABSENT_NO},
    {"afwezig zonder kennisgeving", L_ABSENT_NO},
    {"zonder bericht afwezig", L_ABSENT_NO},
    {"zonder kennisgeving afwezig", L_ABSENT_NO},
    {"gast", L_GUESTS},
    {"gasten", L_GUESTS},
    {"te gast", L_GUESTS},
    {"genodigden", L_GUESTS},
    {"op uitnodiging", L_GUESTS},
    {"aanwezig op uitnodiging", L_GUESTS},
    {"besluiten", L_DECISIONS},
    {"besluitenlijst", L_DECISIONS},
    {"genomen besluiten", L_DECISIONS},
    {"actiepunten", L_ACTIONS},
    {"acties", L_ACTIONS},
    {"nieuwe actiepunten", L_ACTIONS},
    {"afspraken", L_ACTIONS},
    {"toezeggingen", L_PROMISES},
};

/* Folds s[0..n) and collapses white space into out (cap bytes). */
static void fold_collapse(const char *s, size_t n, char *out, size_t cap)
{
    char tmp[160];
    if (n >= sizeof tmp)
        n = sizeof tmp - 1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char f[320];
    kt_text_fold(tmp, f, sizeof f);
    size_t o = 0;
    bool space = true;
    for (const char *p = f; *p && o + 1 < cap; p++) {
        char c = *p == '-' ? ' ' : *p;
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

static label label_of(const char *s, size_t n)
{
    if (n == 0 || n > 40)
        return L_NONE;
    char f[64];
    fold_collapse(s, n, f, sizeof f);
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (!strcmp(f, labels[i].folded))
            return labels[i].l;
    return L_NONE;
}

/* "Label: value" at the start of s: the label and where the value starts; L_NONE if not. */
static label leading_label(const char *s, const char **value)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon - s > 40)
        return L_NONE;
    label l = label_of(s, (size_t)(colon - s));
    if (l != L_NONE) {
        const char *v = colon + 1;
        while (*v == ' ' || *v == '*')
            v++;
        *value = v;
    }
    return l;
}

/* --- people ------------------------------------------------------------------------------ */

static const char *const function_words[] = {
    "adviseur",
    "agendalid",
    "ambtenaar",
    "analist",
    "bestuurder",
    "burgemeester",
    "commissaris",
    "consulent",
    "coordinator",
    "directeur",
    "functionaris",
    "gast",
    "gedeputeerde",
    "griffier",
    "hoofd",
    "inspreker",
    "jurist",
    "kwartiermaker",
    "leider",
    "lid",
    "manager",
    "medewerker",
    "notulist",
    "notuliste",
    "officier",
    "plaatsvervanger",
    "portefeuillehouder",
    "raadslid",
    "regisseur",
    "secretaris",
    "specialist",
    "teamchef",
    "toehoorder",
    "trainee",
    "voorzitter",
    "waarnemer",
    "wethouder",
    "wijkagent",
};

static bool ends_with(const char *w, const char *suffix)
{
    size_t a = strlen(w), b = strlen(suffix);
    return a >= b && !strcmp(w + a - b, suffix);
}

/* Whether a parenthesised part names a function ("programmamanager Veiligheid") rather than
 * an organisation ("Woonplus", "gemeente"). */
static bool is_function(const char *part)
{
    char f[160];
    fold_collapse(part, strlen(part), f, sizeof f);
    char *save = NULL;
    for (char *w = strtok_r(f, " ", &save); w; w = strtok_r(NULL, " ", &save))
        for (size_t i = 0; i < sizeof function_words / sizeof function_words[0]; i++)
            if (ends_with(w, function_words[i]))
                return true;
    return false;
}

static void set_name_words(person *p)
{
    kt_vt_sentence *s = malloc(sizeof *s);
    p->nwords = 0;
    if (!s)
        return;
    kt_vt_words(p->name, s);
    for (size_t i = 0; i < s->n && p->nwords < NAME_WORDS; i++)
        memcpy(p->words[p->nwords++], s->w[i].f, sizeof s->w[i].f);
    free(s);
}

static bool same_name(const person *a, const person *b)
{
    if (a->nwords != b->nwords || !a->nwords)
        return false;
    for (size_t i = 0; i < a->nwords; i++)
        if (strcmp(a->words[i], b->words[i]))
            return false;
    return true;
}

/* Adds a person (name owned by the call: copied), or updates the one with the same name.
 * Returns its index or -1. */
static int add_person(doc *d, const char *name, size_t n, const char *role, const char *status,
                      const char *notice, int line_no)
{
    person p = {.role = role,
                .status = status,
                .notice = notice,
                .subst = -1,
                .subst_for = -1,
                .line = line_no};
    p.name = dupn(d, name, n);
    if (!p.name)
        return -1;
    set_name_words(&p);
    if (!p.nwords) {
        free(p.name);
        return -1;
    }
    for (size_t i = 0; i < d->npeople; i++) {
        person *q = &d->people[i];
        if (!same_name(q, &p))
            continue;
        /* The chair's line and the list both name the chair: keep the role. */
        if (strcmp(role, "lid") != 0)
            q->role = role;
        if (strcmp(status, q->status) != 0 && !strcmp(status, "afwezig"))
            q->status = status, q->notice = notice;
        free(p.name);
        return (int)i;
    }
    if (d->npeople >= KT_IMPORT_MAX_PEOPLE) {
        free(p.name);
        d->fail = KT_IMPORT_TOO_COMPLEX;
        return -1;
    }
    if (d->npeople == d->cappeople) {
        size_t cap = d->cappeople ? d->cappeople * 2 : 32;
        person *np = realloc(d->people, cap * sizeof *np);
        if (!np) {
            free(p.name);
            d->fail = KT_IMPORT_NOMEM;
            return -1;
        }
        d->people = np;
        d->cappeople = cap;
    }
    d->people[d->npeople] = p;
    return (int)d->npeople++;
}

static bool has_letter(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0xC3)
            return true;
    }
    return false;
}

static bool starts_lower(const char *s)
{
    return *s >= 'a' && *s <= 'z';
}

static size_t count_words(const char *s, size_t n)
{
    size_t w = 0;
    bool in = false;
    for (size_t i = 0; i < n; i++) {
        bool sp = s[i] == ' ';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

/* Attaches the parts of "(Woonplus)" / "(gemeente, programmamanager)" to person p. */
static void set_affiliation(doc *d, person *p, const char *s, size_t n)
{
    size_t b = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != ',' && s[i] != ';' && s[i] != '/')
            continue;
        char *part = dupn(d, s + b, i - b);
        b = i + 1;
        if (!part)
            return;
        if (!*part) {
            free(part);
            continue;
        }
        char **slot = is_function(part) ? &p->function : &p->org;
        if (*slot) {
            free(part);
            continue;
        }
        *slot = part;
    }
}

/* One entry of an attendance list: "Naam (Organisatie)", "Naam - Organisatie", "Naam". */
static int add_entry(doc *d, const char *s, size_t n, const char *role, const char *status,
                     const char *notice, int line_no, bool *had_org)
{
    while (n && (*s == ' ' || *s == '*' || *s == '-'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '*' || s[n - 1] == '.'))
        n--;
    /* "en Piet (X)" at the head of a piece: the last name of a list */
    if (n > 3 && !strncmp(s, "en ", 3))
        s += 3, n -= 3;
    if (!n || !has_letter(s, n))
        return -1;
    const char *open = memchr(s, '(', n);
    const char *aff = NULL;
    size_t namelen = n, afflen = 0;
    if (open) {
        const char *close = memchr(open, ')', n - (size_t)(open - s));
        namelen = (size_t)(open - s);
        aff = open + 1;
        afflen = close ? (size_t)(close - aff) : n - (size_t)(aff - s);
    } else {
        static const char *const seps[] = {" - ", " \xE2\x80\x93 ", " | ", " \xE2\x80\x94 "};
        for (size_t k = 0; k < 4 && !aff; k++) {
            const char *sep = NULL;
            size_t sl = strlen(seps[k]);
            for (size_t i = 0; i + sl <= n; i++)
                if (!memcmp(s + i, seps[k], sl)) {
                    sep = s + i;
                    break;
                }
            if (sep) {
                namelen = (size_t)(sep - s);
                aff = sep + sl;
                afflen = n - (size_t)(aff - s);
            }
        }
    }
    while (namelen && s[namelen - 1] == ' ')
        namelen--;
    if (!namelen || !has_letter(s, namelen) || count_words(s, namelen) > 7 || namelen > 120)
        return -1;
    int idx = add_person(d, s, namelen, role, status, notice, line_no);
    if (idx >= 0 && aff && afflen)
        set_affiliation(d, &d->people[idx], aff, afflen);
    if (had_org)
        *had_org = aff != NULL;
    return idx;
}

/* An attendance list, comma- or semicolon-separated, possibly with " en " before the last
 * name; commas inside parentheses belong to the entry. */
static void add_list(doc *d, const char *s, const char *role, const char *status,
                     const char *notice, int line_no)
{
    size_t n = strlen(s), b = 0;
    int depth = 0, prev = -1;
    bool prev_had_org = true;
    bool any_paren = memchr(s, '(', n) != NULL;
    for (size_t i = 0; i <= n && !d->fail; i++) {
        char c = i < n ? s[i] : 0;
        if (c == '(')
            depth++;
        else if (c == ')' && depth > 0)
            depth--;
        bool split = i == n || (depth == 0 && (c == ',' || c == ';'));
        /* " en " between two entries, outside parentheses */
        bool en = depth == 0 && i + 4 <= n && !strncmp(s + i, " en ", 4) && i > b;
        if (!split && !en)
            continue;
        const char *piece = s + b;
        size_t plen = i - b;
        while (plen && *piece == ' ')
            piece++, plen--;
        /* "Jan Jansen, gemeente Dordrecht" (one person a line, no parentheses): a piece that
         * reads as an organisation belongs to the name before it. */
        if (!any_paren && prev >= 0 && !prev_had_org && plen &&
            (starts_lower(piece) || count_words(piece, plen) == 1)) {
            set_affiliation(d, &d->people[prev], piece, plen);
            prev_had_org = true;
        } else if (plen) {
            bool had = false;
            int idx = add_entry(d, piece, plen, role, status, notice, line_no, &had);
            if (idx >= 0) {
                prev = idx;
                prev_had_org = had;
            }
        }
        b = i + (en ? 4 : 1);
        if (en)
            i += 3;
    }
}

/* --- items ------------------------------------------------------------------------------- */

static item *add_item(doc *d, int number, const char *title, int line_no)
{
    if (d->nitems >= KT_IMPORT_MAX_ITEMS) {
        d->fail = KT_IMPORT_TOO_COMPLEX;
        return NULL;
    }
    if (d->nitems == d->capitems) {
        size_t cap = d->capitems ? d->capitems * 2 : 16;
        item *ni = realloc(d->items, cap * sizeof *ni);
        if (!ni) {
            d->fail = KT_IMPORT_NOMEM;
            return NULL;
        }
        d->items = ni;
        d->capitems = cap;
    }
    item *it = &d->items[d->nitems];
    memset(it, 0, sizeof *it);
    it->number = number;
    it->line = line_no;
    it->title = dup(d, title);
    if (!it->title)
        return NULL;
    char f[160];
    fold_collapse(title, strlen(title), f, sizeof f);
    it->previous_minutes =
        (strstr(f, "verslag") || strstr(f, "notulen")) && !strstr(f, "jaarverslag");
    d->nitems++;
    if (number > 0)
        d->last_number = number;
    return it;
}

/* "3. Titel", "3) Titel", "Agendapunt 3: Titel", "Punt 3 - Titel", "Ad 3. Titel". Sub-numbers
 * ("3.1 Deel") are not items. Returns the number (>0) and sets *title, or 0. */
static int item_heading(const char *s, const char **title)
{
    const char *p = s;
    static const char *const prefixes[] = {"agendapunt ", "Agendapunt ", "AGENDAPUNT ", "punt ",
                                           "Punt ",       "Ad ",         "ad "};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (has_prefix(p, prefixes[i])) {
            p += strlen(prefixes[i]);
            break;
        }
    int num = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 3)
        num = num * 10 + (*p++ - '0'), digits++;
    if (!digits || num == 0 || (*p >= '0' && *p <= '9'))
        return 0;
    if ((*p == '.' || *p == ',') && p[1] >= '0' && p[1] <= '9')
        return 0; /* 3.1 */
    if (*p == '.' || *p == ')' || *p == ':')
        p++;
    while (*p == ' ')
        p++;
    if (*p == '-' || *p == ':')
        p++;
    else if (has_prefix(p, "\xE2\x80\x93"))
        p += 3;
    while (*p == ' ')
        p++;
    if (!*p || p == s)
        return 0;
    *title = p;
    return num;
}

/* A plain-text line that reads as an item heading rather than a numbered sentence. */
static bool plain_heading_plausible(const doc *d, int number, const char *title)
{
    size_t n = strlen(title);
    if (n > 100 || count_words(title, n) > 12)
        return false;
    char last = title[n - 1];
    if (last == '.' || last == ',' || last == ';')
        return false;
    if (d->nitems == 0)
        return number <= 3;
    return number == d->last_number + 1;
}

/* --- outcomes ---------------------------------------------------------------------------- */

static outcome *add_outcome(doc *d, item *it, const char *kind, const char *text, size_t n,
                            const char *trigger, const char *confidence)
{
    if (d->noutcomes >= KT_IMPORT_MAX_OUTCOMES) {
        d->fail = KT_IMPORT_TOO_COMPLEX;
        return NULL;
    }
    char *t = dupn(d, text, n);
    if (!t)
        return NULL;
    /* The same outcome twice (an "Besluit:" line repeating a sentence): keep one. */
    char f1[256], f2[256];
    fold_collapse(t, strlen(t), f1, sizeof f1);
    for (size_t i = 0; i < it->nout; i++) {
        fold_collapse(it->out[i].text, strlen(it->out[i].text), f2, sizeof f2);
        if (!strcmp(f1, f2) && !strcmp(kind, it->out[i].kind)) {
            free(t);
            if (!strcmp(confidence, "hoog"))
                it->out[i].confidence = "hoog";
            return NULL;
        }
    }
    if (it->nout == it->capout) {
        size_t cap = it->capout ? it->capout * 2 : 4;
        outcome *no = realloc(it->out, cap * sizeof *no);
        if (!no) {
            free(t);
            d->fail = KT_IMPORT_NOMEM;
            return NULL;
        }
        it->out = no;
        it->capout = cap;
    }
    outcome *o = &it->out[it->nout++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->text = t;
    o->trigger = trigger;
    o->confidence = confidence;
    d->noutcomes++;
    return o;
}

/* The outcome kind of an explicit line's label ("Besluit", "Actie (Jan, 1 juli)"): besluit,
 * toezegging, actie or NULL; *paren gets the parenthesised part or the words between the
 * kind and the colon ("Actie Jan:"). */
static const char *outcome_label(const char *s, const char **value, const char **paren,
                                 size_t *parenlen)
{
    const char *colon = strchr(s, ':');
    if (!colon || colon - s > 80)
        return NULL;
    char f[128];
    fold_collapse(s, (size_t)(colon - s), f, sizeof f);
    static const struct {
        const char *w;
        const char *kind;
    } kinds[] = {{"besluit", "besluit"},       {"besluiten", "besluit"},
                 {"besloten", "besluit"},      {"conclusie", "besluit"},
                 {"toezegging", "toezegging"}, {"toezeggingen", "toezegging"},
                 {"actie", "actie"},           {"actiepunt", "actie"},
                 {"acties", "actie"},          {"afspraak", "actie"}};
    const char *kind = NULL;
    size_t wl = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t l = strlen(kinds[i].w);
        if (!strncmp(f, kinds[i].w, l) && (f[l] == 0 || f[l] == ' ')) {
            kind = kinds[i].kind;
            wl = l;
            break;
        }
    }
    if (!kind)
        return NULL;
    /* the raw text after the kind word, up to the colon */
    const char *after = s;
    while (after < colon && *after != ' ' && *after != '(')
        after++;
    while (after < colon && *after == ' ')
        after++;
    (void)wl;
    *paren = NULL;
    *parenlen = 0;
    if (after < colon) {
        const char *a = after, *b = colon;
        if (*a == '(')
            a++;
        while (b > a && (b[-1] == ')' || b[-1] == ' '))
            b--;
        if (b > a) {
            *paren = a;
            *parenlen = (size_t)(b - a);
        }
    }
    const char *v = colon + 1;
    while (*v == ' ')
        v++;
    *value = v;
    return *v ? kind : NULL;
}

/* --- pass 2: lines into sections --------------------------------------------------------- */

static void set_text_field(doc *d, char **field, const char *v)
{
    if (*field || !*v)
        return;
    *field = dup(d, v);
}

/* "Aanvang: 13.30 uur Eind: 14.45 uur": the line split at each known label. */
static void header_fields(doc *d, const char *s)
{
    const char *p = s;
    while (*p) {
        const char *value;
        label l = leading_label(p, &value);
        if (l == L_NONE)
            return;
        /* the value runs to the next "Label:" on the line */
        const char *next = value, *stop = value + strlen(value);
        for (const char *q = value; *q; q++) {
            if (q > value && q[-1] == ' ') {
                const char *v2;
                if (leading_label(q, &v2) != L_NONE) {
                    stop = q;
                    next = q;
                    break;
                }
            }
            next = q + 1;
        }
        char *v = dupn(d, value, (size_t)(stop - value));
        if (!v)
            return;
        char times[2][6];
        size_t nt;
        switch (l) {
        case L_DATE:
            if (!d->date[0] && !kt_vt_date(v, 0, d->date))
                warn(d, "datum_onbekend", 0, "De datum van de vergadering is niet herkend.");
            if (d->date[0])
                d->year = atoi(d->date);
            break;
        case L_PLACE:
            set_text_field(d, &d->location, v);
            break;
        case L_START:
        case L_END:
        case L_TIME:
            nt = kt_vt_times(v, times, 2);
            if (nt && l != L_END && !d->start[0])
                memcpy(d->start, times[0], 6);
            if (nt && l == L_END && !d->end[0])
                memcpy(d->end, times[0], 6);
            if (nt == 2 && l == L_TIME && !d->end[0])
                memcpy(d->end, times[1], 6);
            break;
        default:
            break;
        }
        free(v);
        p = next;
    }
}

static const char *role_of(label l)
{
    return l == L_CHAIR ? "voorzitter" : "notulist";
}

static section section_of(label l)
{
    switch (l) {
    case L_PRESENT:
        return SEC_PRESENT;
    case L_ABSENT:
        return SEC_ABSENT;
    case L_ABSENT_NO:
        return SEC_ABSENT_NO;
    case L_GUESTS:
        return SEC_GUESTS;
    case L_DECISIONS:
    case L_ACTIONS:
    case L_PROMISES:
        return SEC_OUTCOMES;
    default:
        return SEC_HEAD;
    }
}

static const char *outcome_kind_of(label l)
{
    return l == L_DECISIONS ? "besluit" : l == L_PROMISES ? "toezegging" : "actie";
}

/* Adds the list in s to the current attendance section. */
static void section_list(doc *d, const char *s, int line_no)
{
    switch (d->sec) {
    case SEC_PRESENT:
        add_list(d, s, "lid", "aanwezig", NULL, line_no);
        break;
    case SEC_GUESTS:
        add_list(d, s, "gast", "aanwezig", NULL, line_no);
        break;
    case SEC_ABSENT:
        add_list(d, s, "lid", "afwezig", "met_bericht", line_no);
        break;
    case SEC_ABSENT_NO:
        add_list(d, s, "lid", "afwezig", "zonder_bericht", line_no);
        break;
    default:
        break;
    }
}

static bool switch_section(doc *d, label l, const char *rest, int line_no)
{
    section s = section_of(l);
    if (s == SEC_HEAD)
        return false;
    /* "Besluiten" as a heading or a label inside an item's text is the item's outcome line
     * (handled by the caller); as a section it gathers outcomes for the items. */
    d->sec = s;
    if (s == SEC_OUTCOMES) {
        d->outcome_kind = outcome_kind_of(l);
        if (*rest && d->nitems) {
            add_outcome(d, &d->items[d->nitems - 1], d->outcome_kind, rest, strlen(rest),
                        "expliciet", "hoog");
            d->items[d->nitems - 1].explicit_outcomes = true;
        }
        return true;
    }
    if (*rest)
        section_list(d, rest, line_no);
    return true;
}

/* An attendance-change sentence in an attendance section, kept for pass 3. */
static bool attendance_prose(const char *s)
{
    char f[512];
    fold_collapse(s, strlen(s), f, sizeof f);
    static const char *const cues[] = {
        "vervangen door", "vervangt ", "schuift",       "vertrekt",       "verhinderd",
        " is afwezig",    "later aan", "in plaats van", "zonder bericht", "afgemeld"};
    for (size_t i = 0; i < sizeof cues / sizeof cues[0]; i++)
        if (strstr(f, cues[i]))
            return true;
    return false;
}

static void item_note_line(doc *d, item *it, const line *l)
{
    const char *value, *paren;
    size_t parenlen;
    const char *kind = outcome_label(l->text, &value, &paren, &parenlen);
    if (kind) {
        outcome *o = add_outcome(d, it, kind, value, strlen(value), "expliciet", "hoog");
        it->explicit_outcomes = true;
        if (o) {
            o->explicit_line = true;
            if (paren) {
                /* "(Jan Jansen, vóór 1 juli)": an owner and possibly a due date */
                char *p = dupn(d, paren, parenlen);
                if (p) {
                    char *comma = strchr(p, ',');
                    if (comma)
                        *comma = 0;
                    char date[11];
                    if (comma && kt_vt_date(comma + 1, d->year, date))
                        memcpy(o->due, date, 11);
                    if (!kt_vt_date(p, d->year, date) && *p) {
                        o->owner = dup(d, p);
                    } else if (!comma) {
                        memcpy(o->due, date, 11);
                    }
                    free(p);
                }
            }
        }
        return;
    }
    kt_strbuf *b = &it->notes;
    if (l->blank) {
        it->pending_blank = b->len > 0;
        return;
    }
    if (b->len) {
        if (it->pending_blank && !(l->list && it->last_list))
            kt_sb_add(b, "\n\n");
        else
            kt_sb_add(b, "\n");
    }
    it->pending_blank = false;
    it->last_list = l->list;
    if (l->list)
        kt_sb_add(b, "- ");
    kt_sb_add(b, l->text);
}

static void trim_notes(item *it)
{
    kt_strbuf *b = &it->notes;
    while (b->len && (b->s[b->len - 1] == '\n' || b->s[b->len - 1] == ' '))
        b->s[--b->len] = 0;
}

static bool looks_like_title(const char *s)
{
    char f[256];
    fold_collapse(s, strlen(s), f, sizeof f);
    return strstr(f, "verslag") || strstr(f, "notulen") || strstr(f, "besluitenlijst") ||
           strstr(f, "vergadering") || strstr(f, "bijeenkomst") || strstr(f, "overleg");
}

/* "Verslag bijeenkomst Stuurgroep Stadspartners" -> "Stuurgroep Stadspartners" */
static void guess_body_name(doc *d)
{
    if (!d->title)
        return;
    kt_vt_sentence *s = malloc(sizeof *s);
    if (!s)
        return;
    kt_vt_words(d->title, s);
    static const char *const lead[] = {"verslag",
                                       "conceptverslag",
                                       "concept",
                                       "notulen",
                                       "besluitenlijst",
                                       "van",
                                       "de",
                                       "het",
                                       "bijeenkomst",
                                       "vergadering",
                                       "overleg",
                                       "openbare",
                                       "openbaar",
                                       "definitief",
                                       "verslagen",
                                       "vastgesteld"};
    size_t i = 0;
    for (; i < s->n; i++) {
        bool skip = false;
        for (size_t k = 0; k < sizeof lead / sizeof lead[0] && !s->w[i].cap; k++)
            skip |= !strcmp(s->w[i].f, lead[k]);
        if (s->w[i].cap) {
            for (size_t k = 0; k < 5; k++)
                skip |= !strcmp(s->w[i].f, lead[k]);
        }
        if (!skip)
            break;
    }
    size_t j = i;
    for (; j < s->n; j++) {
        /* stop at "d.d.", "op", "van <date>", a number */
        const char *f = s->w[j].f;
        if (!strcmp(f, "d") || !strcmp(f, "dd") || !strcmp(f, "op") ||
            (f[0] >= '0' && f[0] <= '9') || kt_vt_month(f) ||
            (j > i && !strcmp(f, "van") && j + 1 < s->n && s->w[j + 1].f[0] >= '0' &&
             s->w[j + 1].f[0] <= '9'))
            break;
    }
    if (j > i) {
        const char *a = s->w[i].orig;
        const char *b = s->w[j - 1].orig + s->w[j - 1].orig_len;
        d->body_name = dupn(d, a, (size_t)(b - a));
    }
    free(s);
}

static void heading_line(doc *d, const line *l)
{
    const char *value = "";
    label lab = leading_label(l->text, &value);
    if (lab == L_NONE) {
        size_t n = strlen(l->text);
        lab = label_of(l->text, n && l->text[n - 1] == ':' ? n - 1 : n);
        value = "";
    }
    if (lab != L_NONE && d->sec != SEC_ITEM && section_of(lab) == SEC_HEAD) {
        header_fields(d, l->text);
        return;
    }
    if (lab != L_NONE && switch_section(d, lab, value, l->no))
        return;
    const char *title = NULL;
    int num = item_heading(l->text, &title);
    if (!num && !d->title && !d->nitems && looks_like_title(l->text)) {
        d->title = dup(d, l->text);
        if (!d->date[0] && kt_vt_date(l->text, 0, d->date))
            d->year = atoi(d->date);
        d->sec = SEC_HEAD;
        return;
    }
    if (num) {
        /* "3.1 Deel" never reaches here; a heading with a number lower than the last one
         * is a sub-list inside an item: keep it as a line of the notes */
        d->cur_item = add_item(d, num, title, l->no);
    } else {
        d->cur_item = add_item(d, 0, l->text, l->no);
    }
    d->sec = SEC_ITEM;
}

static void content_line(doc *d, const line *l)
{
    const char *value = "";
    if (d->sec != SEC_ITEM) {
        /* Labels: header fields, the chair and the minute-taker, section switches. */
        label lab = leading_label(l->text, &value);
        if (lab == L_NONE && !l->blank) {
            size_t n = strlen(l->text);
            if (n && l->text[n - 1] == ':')
                lab = label_of(l->text, n - 1), value = "";
            else if (n <= 40)
                lab = label_of(l->text, n), value = "";
            if (section_of(lab) == SEC_HEAD && lab != L_NONE && !*value)
                lab = L_NONE; /* "Datum" alone on a line is no field */
        }
        if (lab == L_CHAIR || lab == L_SECRETARY) {
            if (*value)
                add_list(d, value, role_of(lab), "aanwezig", NULL, l->no);
            return;
        }
        if (lab != L_NONE && section_of(lab) == SEC_HEAD) {
            header_fields(d, l->text);
            return;
        }
        if (lab != L_NONE && switch_section(d, lab, value, l->no))
            return;
    }
    /* A plain-text item heading ("3. Presentatie") when the text has no Markdown items. */
    const char *title;
    int num;
    if (!d->md_items && !l->blank && (num = item_heading(l->text, &title)) &&
        plain_heading_plausible(d, num, title)) {
        d->cur_item = add_item(d, num, title, l->no);
        d->sec = SEC_ITEM;
        return;
    }
    if (l->blank)
        goto note;
    switch (d->sec) {
    case SEC_HEAD:
        if (!d->title && !d->nitems && looks_like_title(l->text)) {
            d->title = dup(d, l->text);
            if (!d->date[0] && kt_vt_date(l->text, 0, d->date))
                d->year = atoi(d->date);
            return;
        }
        if (!d->date[0] && kt_vt_date(l->text, 0, d->date))
            d->year = atoi(d->date);
        if (attendance_prose(l->text)) {
            kt_sb_add(&d->prose, l->text);
            kt_sb_add(&d->prose, "\n");
        }
        return;
    case SEC_PRESENT:
    case SEC_ABSENT:
    case SEC_ABSENT_NO:
    case SEC_GUESTS:
        if (attendance_prose(l->text)) {
            kt_sb_add(&d->prose, l->text);
            kt_sb_add(&d->prose, "\n");
        } else {
            section_list(d, l->text, l->no);
        }
        return;
    case SEC_OUTCOMES: {
        if (!d->nitems)
            return;
        /* "(punt 3)" or "3." at the head names the item */
        item *it = &d->items[d->nitems - 1];
        const char *t = l->text, *rest;
        int n = item_heading(t, &rest);
        if (n) {
            for (size_t i = 0; i < d->nitems; i++)
                if (d->items[i].number == n) {
                    it = &d->items[i];
                    t = rest;
                }
        }
        const char *v, *paren;
        size_t pl;
        const char *kind = outcome_label(t, &v, &paren, &pl);
        outcome *o = add_outcome(d, it, kind ? kind : d->outcome_kind, kind ? v : t,
                                 strlen(kind ? v : t), "expliciet", "hoog");
        if (o)
            o->explicit_line = true;
        it->explicit_outcomes = true;
        return;
    }
    case SEC_ITEM:
        break;
    }
note:
    if (d->sec == SEC_ITEM && d->cur_item)
        item_note_line(d, d->cur_item, l);
}

/* --- pass 3: sentences ------------------------------------------------------------------- */

typedef struct mention {
    size_t at, end; /* words [at, end) */
    int person;
} mention;

#define MAX_MENTIONS 32

static size_t find_mentions(const doc *d, const kt_vt_sentence *s, mention *m)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n && n < MAX_MENTIONS; i++) {
        int best = -1;
        size_t best_len = 0;
        for (size_t p = 0; p < d->npeople; p++) {
            const person *q = &d->people[p];
            if (q->nwords <= best_len || i + q->nwords > s->n || strcmp(s->w[i].f, q->words[0]))
                continue;
            size_t k = 1;
            while (k < q->nwords && !strcmp(s->w[i + k].f, q->words[k]))
                k++;
            if (k == q->nwords) {
                best = (int)p;
                best_len = k;
            }
        }
        if (best < 0 && s->w[i].cap && d->npeople) {
            /* a first name alone ("Marijke wordt eenmalig vervangen"), when it is unique
             * and not followed by a surname of someone else */
            bool next_cap = i + 1 < s->n && s->w[i + 1].cap;
            int only = -1, count = 0;
            for (size_t p = 0; p < d->npeople && !next_cap; p++)
                if (d->people[p].nwords >= 2 && !strcmp(d->people[p].words[0], s->w[i].f))
                    only = (int)p, count++;
            if (count == 1) {
                best = only;
                best_len = 1;
            }
        }
        if (best >= 0) {
            m[n].at = i;
            m[n].end = i + best_len;
            m[n].person = best;
            n++;
            i += best_len - 1;
        }
    }
    return n;
}

static bool any_of(const kt_vt_sentence *s, const char *const *pats, size_t np, size_t *at,
                   size_t *end, const char **which)
{
    for (size_t i = 0; i < np; i++) {
        int k = kt_vt_find(s, 0, pats[i], end);
        if (k >= 0) {
            if (at)
                *at = (size_t)k;
            if (which)
                *which = pats[i];
            return true;
        }
    }
    return false;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A name run in the sentence at word i that is no known person: added to the attendance. */
static int person_from_run(doc *d, const kt_vt_sentence *s, size_t i, const char *status,
                           int line_no)
{
    size_t r = kt_vt_name_run(s, i, 6);
    if (r < 2)
        return -1;
    static const char *const not_names[] = {"de",  "het", "er", "een", "dit", "dat", "deze",
                                            "die", "wij", "we", "zij", "hij", "ook", "verder"};
    for (size_t k = 0; k < N(not_names); k++)
        if (!strcmp(s->w[i].f, not_names[k]))
            return -1;
    const char *a = s->w[i].orig, *b = s->w[i + r - 1].orig + s->w[i + r - 1].orig_len;
    return add_person(d, a, (size_t)(b - a), "lid", status, NULL, line_no);
}

static void attendance_changes(doc *d, const kt_vt_sentence *s, int line_no)
{
    mention m[MAX_MENTIONS];
    size_t nm = find_mentions(d, s, m);
    size_t at, end;
    static const char *const late[] = {"schuift * later * aan", "komt later", "later aanwezig",
                                       "sluit later aan", "schuift om * aan"};
    static const char *const early[] = {"vertrekt * eerder",     "vertrekt om",
                                        "verlaat * vergadering", "moet eerder weg",
                                        "gaat eerder weg",       "eerder vertrekken"};
    static const char *const absent[] = {"is afwezig",
                                         "zijn afwezig",
                                         "is verhinderd",
                                         "zijn verhinderd",
                                         "heeft zich afgemeld",
                                         "hebben zich afgemeld",
                                         "had er graag bij willen zijn",
                                         "kon niet aanwezig zijn",
                                         "is langdurig afwezig"};
    if (any_of(s, late, N(late), &at, &end, NULL)) {
        if (!nm) {
            int p = person_from_run(d, s, 0, "aanwezig", line_no);
            if (p >= 0)
                d->people[p].late = true;
        }
        for (size_t i = 0; i < nm; i++)
            d->people[m[i].person].late = true;
    }
    if (any_of(s, early, N(early), &at, &end, NULL)) {
        if (!nm) {
            int p = person_from_run(d, s, 0, "aanwezig", line_no);
            if (p >= 0)
                d->people[p].early = true;
        }
        for (size_t i = 0; i < nm; i++)
            d->people[m[i].person].early = true;
    }
    bool subst = kt_vt_find(s, 0, "vervangen door", NULL) >= 0 ||
                 kt_vt_find(s, 0, "vervangt", NULL) >= 0 ||
                 kt_vt_find(s, 0, "in plaats van", NULL) >= 0;
    if (any_of(s, absent, N(absent), &at, &end, NULL)) {
        bool zonder = kt_vt_find(s, 0, "zonder bericht", NULL) >= 0 ||
                      kt_vt_find(s, 0, "zonder afmelding", NULL) >= 0;
        /* The absent are the people named before the cue. */
        bool any = false;
        for (size_t i = 0; i < nm && m[i].at < at; i++) {
            person *p = &d->people[m[i].person];
            p->status = "afwezig";
            p->notice = zonder ? "zonder_bericht" : "met_bericht";
            any = true;
        }
        if (!any && !subst) {
            int p = person_from_run(d, s, 0, "afwezig", line_no);
            if (p >= 0)
                d->people[p].notice = zonder ? "zonder_bericht" : "met_bericht";
        }
    }
    if (!subst)
        return;
    int k = kt_vt_find(s, 0, "vervangen door", &end);
    bool b_after = true; /* "A wordt vervangen door B" */
    if (k < 0) {
        k = kt_vt_find(s, 0, "in plaats van", &end);
        b_after = false; /* "B is aanwezig in plaats van A" */
    }
    if (k < 0) {
        k = kt_vt_find(s, 0, "vervangt", &end);
        b_after = false; /* "B vervangt A" */
    }
    int before = -1, after = -1;
    for (size_t i = 0; i < nm; i++) {
        if (m[i].end <= (size_t)k)
            before = m[i].person;
        else if (m[i].at >= end && after < 0)
            after = m[i].person;
    }
    int a = b_after ? before : after; /* the one replaced */
    int b = b_after ? after : before; /* the substitute */
    if (b < 0 && b_after)
        b = person_from_run(d, s, end, "aanwezig", line_no);
    if (a < 0 && !b_after)
        a = person_from_run(d, s, end, "afwezig", line_no);
    if (a < 0 || b < 0 || a == b)
        return;
    bool standing =
        kt_vt_find(s, 0, "langdurig", NULL) >= 0 || kt_vt_find(s, 0, "structureel", NULL) >= 0 ||
        kt_vt_find(s, 0, "permanent", NULL) >= 0 || kt_vt_find(s, 0, "vast", NULL) >= 0 ||
        kt_vt_find(s, 0, "vaste", NULL) >= 0 || kt_vt_find(s, 0, "tot nader bericht", NULL) >= 0;
    person *pa = &d->people[a], *pb = &d->people[b];
    pa->status = "afwezig";
    if (!pa->notice)
        pa->notice = "met_bericht";
    pa->subst = b;
    pa->subst_kind = standing ? "vast" : "eenmalig";
    pb->subst_for = a;
    pb->status = "aanwezig";
    pb->notice = NULL;
}

/* The owner of an outcome: a person named at the start, or the run after "door". */
static char *owner_of(doc *d, const kt_vt_sentence *s, size_t cue)
{
    mention m[MAX_MENTIONS];
    size_t nm = find_mentions(d, s, m);
    int door = kt_vt_find(s, 0, "door", NULL);
    if (door >= 0) {
        size_t r = kt_vt_name_run(s, (size_t)door + 1, 6);
        for (size_t i = 0; i < nm; i++)
            if (m[i].at == (size_t)door + 1)
                return dup(d, d->people[m[i].person].name);
        if (r) {
            const char *a = s->w[door + 1].orig;
            const char *b = s->w[door + r].orig + s->w[door + r].orig_len;
            return dupn(d, a, (size_t)(b - a));
        }
    }
    if (nm && m[0].at == 0 && m[0].end <= cue)
        return dup(d, d->people[m[0].person].name);
    size_t first = 0;
    if (s->n > 1 && (!strcmp(s->w[0].f, "de") || !strcmp(s->w[0].f, "het")) && s->w[1].cap)
        first = 1; /* "De Belastingdienst zegt toe" */
    if (cue > first && s->n && s->w[first].cap) {
        size_t r = kt_vt_name_run(s, first, 6);
        if (r && first + r <= cue) {
            static const char *const not_owner[] = {"de",   "het", "er",  "een", "in",  "op",
                                                    "deze", "dit", "met", "per", "voor"};
            for (size_t k = 0; k < N(not_owner); k++)
                if (!strcmp(s->w[first].f, not_owner[k]))
                    return NULL;
            const char *a = s->w[first].orig;
            const char *b = s->w[first + r - 1].orig + s->w[first + r - 1].orig_len;
            return dupn(d, a, (size_t)(b - a));
        }
    }
    return NULL;
}

static bool negated(const kt_vt_sentence *s, size_t at, size_t end)
{
    size_t from = at > 2 ? at - 2 : 0;
    for (size_t i = from; i < end && i < s->n; i++)
        if (!strcmp(s->w[i].f, "niet") || !strcmp(s->w[i].f, "geen") || !strcmp(s->w[i].f, "nog"))
            return !strcmp(s->w[i].f, "nog") ? (i + 1 < s->n && !strcmp(s->w[i + 1].f, "niet"))
                                             : true;
    return false;
}

static void due_of(doc *d, const kt_vt_sentence *s, const char *text, outcome *o)
{
    static const char *const cues[] = {"voor", "uiterlijk", "op", "per", "tot"};
    for (size_t c = 0; c < N(cues); c++) {
        int k = kt_vt_find(s, 0, cues[c], NULL);
        if (k < 0 || (size_t)k + 1 >= s->n)
            continue;
        const char *from = s->w[k + 1].orig;
        char date[11];
        char buf[64];
        size_t n = strlen(from) < sizeof buf - 1 ? strlen(from) : sizeof buf - 1;
        memcpy(buf, from, n);
        buf[n] = 0;
        /* only a date right after the cue counts */
        if (kt_vt_date(buf, d->year, date) && (buf[0] >= '0' && buf[0] <= '9')) {
            memcpy(o->due, date, 11);
            return;
        }
    }
    (void)text;
}

/* "Tekstuele wijzigingen van A en B zijn verwerkt." in the item on the previous verslag: the
 * verslag was vastgesteld, with amendments from the people named. */
static outcome *previous_minutes_outcome(doc *d, item *it, const kt_vt_sentence *s)
{
    mention m[MAX_MENTIONS];
    size_t nm = find_mentions(d, s, m);
    kt_strbuf b = {0};
    kt_sb_add(&b, "Het verslag van de vorige vergadering wordt vastgesteld");
    if (nm) {
        kt_sb_add(&b, kt_vt_find(s, 0, "tekstuele", NULL) >= 0
                          ? " met de tekstuele wijzigingen van "
                          : " met de wijzigingen van ");
        for (size_t i = 0; i < nm; i++) {
            if (i)
                kt_sb_add(&b, i + 1 == nm ? " en " : ", ");
            kt_sb_add(&b, d->people[m[i].person].name);
        }
    } else if (kt_vt_find(s, 0, "ongewijzigd", NULL) >= 0) {
        kt_sb_add(&b, " zonder wijzigingen");
    }
    kt_sb_add(&b, ".");
    char *text = kt_sb_take(&b);
    if (!text) {
        d->fail = KT_IMPORT_NOMEM;
        return NULL;
    }
    outcome *o = add_outcome(d, it, "besluit", text, strlen(text), "verslag vastgesteld", "hoog");
    free(text);
    return o;
}

static void recognise_sentence(doc *d, item *it, const char *text, size_t n, int line_no)
{
    if (n < 8)
        return;
    char *t = dupn(d, text, n);
    if (!t)
        return;
    /* strip bold markers inside */
    kt_vt_sentence *s = d->sent;
    kt_vt_words(t, s);
    attendance_changes(d, s, line_no);
    if (!it || s->question || d->exported) {
        free(t);
        return;
    }
    static const char *const besluit[] = {
        "besloten wordt",       "wordt besloten",       "wordt er besloten", "is besloten",
        "besluit om",           "besluit dat",          "besluiten om",      "besluiten dat",
        "wordt * vastgesteld",  "worden * vastgesteld", "is * vastgesteld",  "zijn * vastgesteld",
        "unaniem aangenomen",   "wordt * aangenomen",   "stemt in met",      "stemmen in met",
        "stemt * in met",       "gaat akkoord",         "gaan akkoord",      "wordt * goedgekeurd",
        "worden * goedgekeurd", "is * goedgekeurd",     "vast agendapunt"};
    static const char *const toezegging[] = {"toezegging*", "zegt * toe", "zeggen * toe",
                                             "toegezegd",   "belooft",    "beloven"};
    static const char *const actie_hoog[] = {
        "actie voor",         "actiepunt",    "zal * uitzoeken", "zorgt * voor", "zorgt ervoor",
        "neemt * contact op", "komt * terug", "gaat * na",       "zoekt * uit",  "pakt * op",
        "stuurt * rond",      "stuurt * toe", "nodigt * uit",    "plant * in"};
    static const char *const actie_laag[] = {
        "wordt * ingepland",  "worden * ingepland",   "als bijlage * gevoegd", "wordt * bijgevoegd",
        "wordt * nagezonden", "wordt * rondgestuurd", "wordt * toegestuurd"};
    size_t at = 0, end = 0;
    const char *which = NULL;
    outcome *o = NULL;
    if (it->previous_minutes &&
        (kt_vt_find(s, 0, "vastgesteld", NULL) >= 0 || kt_vt_find(s, 0, "goedgekeurd", NULL) >= 0 ||
         kt_vt_find(s, 0, "verwerkt", NULL) >= 0 || kt_vt_find(s, 0, "akkoord", NULL) >= 0 ||
         kt_vt_find(s, 0, "ongewijzigd", NULL) >= 0)) {
        o = previous_minutes_outcome(d, it, s);
    } else if (any_of(s, besluit, N(besluit), &at, &end, &which) && !negated(s, at, end)) {
        o = add_outcome(d, it, "besluit", t, strlen(t), which, "hoog");
    } else if (any_of(s, toezegging, N(toezegging), &at, &end, &which) && !negated(s, at, end)) {
        o = add_outcome(d, it, "toezegging", t, strlen(t), which, "hoog");
        if (o)
            o->owner = owner_of(d, s, at);
    } else if (any_of(s, actie_hoog, N(actie_hoog), &at, &end, &which) && !negated(s, at, end)) {
        char *owner = owner_of(d, s, at);
        /* "X zorgt voor" needs someone to do it */
        if (owner || !strncmp(which, "actie", 5)) {
            o = add_outcome(d, it, "actie", t, strlen(t), which, "hoog");
            if (o)
                o->owner = owner, owner = NULL;
        }
        free(owner);
    } else if (any_of(s, actie_laag, N(actie_laag), &at, &end, &which) && !negated(s, at, end)) {
        o = add_outcome(d, it, "actie", t, strlen(t), which, "laag");
    }
    if (o && !strcmp(o->kind, "actie"))
        due_of(d, s, t, o);
    if (o)
        o->source = dup(d, t);
    free(t);
}

/* An explicit line without "(owner, date)": the owner is the person or organisation it starts
 * with ("Actie: Fleur van Leeuwen stelt voor 1 april ..."), the due date the one it names. */
static void explicit_owners(doc *d, item *it)
{
    for (size_t i = 0; i < it->nout && !d->fail; i++) {
        outcome *o = &it->out[i];
        if (!o->explicit_line || !strcmp(o->kind, "besluit"))
            continue;
        kt_vt_words(o->text, d->sent);
        if (!o->owner)
            o->owner = owner_of(d, d->sent, d->sent->n);
        if (!o->due[0] && !strcmp(o->kind, "actie"))
            due_of(d, d->sent, o->text, o);
    }
}

typedef struct sent_ctx {
    doc *d;
    item *it;
    int line;
} sent_ctx;

static void on_sentence(const char *s, size_t n, void *ctx)
{
    sent_ctx *c = ctx;
    if (!c->d->fail)
        recognise_sentence(c->d, c->it, s, n, c->line);
}

/* Reads the sentences of a block of notes paragraph by paragraph (a list item or a line). */
static void read_block(doc *d, item *it, const char *text, int line_no)
{
    sent_ctx c = {d, it, line_no};
    const char *p = text;
    while (*p && !d->fail) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *q = p;
        if (n >= 2 && q[0] == '-' && q[1] == ' ')
            q += 2, n -= 2;
        kt_vt_sentences(q, n, on_sentence, &c);
        p = e ? e + 1 : p + strlen(p);
    }
}

/* The closing line ("X sluit de vergadering om 14.45 uur") gives the end time if missing. */
static void closing_time(doc *d, const char *notes)
{
    if (d->end[0])
        return;
    char f[4096];
    size_t n = strlen(notes);
    const char *tail = n > 2000 ? notes + n - 2000 : notes;
    fold_collapse(tail, strlen(tail), f, sizeof f);
    const char *k = strstr(f, "de vergadering om");
    if (!k)
        k = strstr(f, "sluiting om");
    if (!k)
        return;
    char times[1][6];
    /* times are read from the raw text's tail where the folded cue was found */
    const char *raw = strstr(tail, " om ");
    while (raw && strstr(raw + 1, " om "))
        raw = strstr(raw + 1, " om ");
    if (raw && kt_vt_times(raw, times, 1))
        memcpy(d->end, times[0], 6);
}

/* --- JSON -------------------------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

static json_t *person_json(const doc *d, const person *p)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "org", str_or_null(p->org));
    json_object_set_new(o, "function", str_or_null(p->function));
    json_object_set_new(o, "role", json_string(p->role));
    json_object_set_new(o, "status", json_string(p->status));
    json_object_set_new(o, "notice", str_or_null(!strcmp(p->status, "afwezig") ? p->notice : NULL));
    json_object_set_new(o, "late", json_boolean(p->late));
    json_object_set_new(o, "leaves_early", json_boolean(p->early));
    json_object_set_new(o, "substitute",
                        str_or_null(p->subst >= 0 ? d->people[p->subst].name : NULL));
    json_object_set_new(o, "substitute_kind", str_or_null(p->subst >= 0 ? p->subst_kind : NULL));
    json_object_set_new(o, "substitutes_for",
                        str_or_null(p->subst_for >= 0 ? d->people[p->subst_for].name : NULL));
    json_object_set_new(o, "line", json_integer(p->line));
    return o;
}

static json_t *outcome_json(const outcome *o)
{
    json_t *j = json_object();
    if (!j)
        return NULL;
    json_object_set_new(j, "kind", json_string(o->kind));
    json_object_set_new(j, "text", json_string(o->text));
    json_object_set_new(j, "source", str_or_null(o->source));
    json_object_set_new(j, "trigger", json_string(o->trigger));
    json_object_set_new(j, "confidence", json_string(o->confidence));
    json_object_set_new(j, "owner", str_or_null(o->owner));
    json_object_set_new(j, "due", str_or_null(o->due));
    return j;
}

static json_t *item_json(const item *it)
{
    json_t *j = json_object();
    json_t *outs = json_array();
    if (!j || !outs) {
        json_decref(j);
        json_decref(outs);
        return NULL;
    }
    json_object_set_new(j, "number", it->number ? json_integer(it->number) : json_null());
    json_object_set_new(j, "title", json_string(it->title));
    json_object_set_new(j, "notes", json_string(it->notes.s ? it->notes.s : ""));
    json_object_set_new(j, "line", json_integer(it->line));
    json_object_set_new(j, "previous_minutes", json_boolean(it->previous_minutes));
    for (size_t k = 0; k < it->nout; k++)
        json_array_append_new(outs, outcome_json(&it->out[k]));
    json_object_set_new(j, "outcomes", outs);
    return j;
}

static json_t *doc_json(doc *d)
{
    json_t *o = json_object();
    json_t *people = json_array(), *items = json_array();
    if (!o || !people || !items) {
        json_decref(o);
        json_decref(people);
        json_decref(items);
        return NULL;
    }
    json_object_set_new(o, "format", json_string(d->markdown ? "markdown" : "tekst"));
    json_object_set_new(o, "title", str_or_null(d->title));
    json_object_set_new(o, "body_name", str_or_null(d->body_name));
    json_object_set_new(o, "date", str_or_null(d->date));
    json_object_set_new(o, "location", str_or_null(d->location));
    json_object_set_new(o, "start", str_or_null(d->start));
    json_object_set_new(o, "end", str_or_null(d->end));
    for (size_t i = 0; i < d->npeople; i++)
        json_array_append_new(people, person_json(d, &d->people[i]));
    for (size_t i = 0; i < d->nitems; i++)
        json_array_append_new(items, item_json(&d->items[i]));
    json_object_set_new(o, "attendance", people);
    json_object_set_new(o, "items", items);
    json_object_set(o, "warnings", d->warnings);
    if (kt_import_count(o)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* --- the parse --------------------------------------------------------------------------- */

static bool only_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t' && s[i] != '\f')
            return false;
    return true;
}

kt_import_status kt_import_parse(const char *text, size_t len, json_t **out)
{
    *out = NULL;
    if (!text || !len || only_space(text, len))
        return KT_IMPORT_EMPTY;
    if (len > KT_IMPORT_MAX_BYTES)
        return KT_IMPORT_TOO_LARGE;
    doc d = {.warnings = json_array(), .sec = SEC_HEAD};
    d.sent = malloc(sizeof *d.sent);
    if (!d.warnings || !d.sent) {
        doc_free(&d);
        return KT_IMPORT_NOMEM;
    }
    char *buf = normalise_input(&d, text, len);
    if (!buf) {
        kt_import_status st = d.fail;
        doc_free(&d);
        return st;
    }
    d.exported = strstr(buf, "<!-- ketentafel-export") != NULL;
    /* pass 1: lines */
    size_t nlines = 1;
    for (const char *p = buf; *p; p++)
        nlines += *p == '\n';
    line *lines = calloc(nlines, sizeof *lines);
    if (!lines) {
        free(buf);
        doc_free(&d);
        return KT_IMPORT_NOMEM;
    }
    size_t k = 0;
    for (char *p = buf; k < nlines;) {
        char *e = strchr(p, '\n');
        if (e)
            *e = 0;
        lines[k].no = (int)k + 1;
        normalise_line(p, &lines[k]);
        k++;
        if (!e)
            break;
        p = e + 1;
    }
    nlines = k;
    int headings = 0;
    for (size_t i = 0; i < nlines; i++) {
        /* setext headings: "Titel" over "=====" or "-----" */
        if (i + 1 < nlines && !lines[i].level && !lines[i].blank && !lines[i].list &&
            (is_rule(lines[i + 1].text, '=') || is_rule(lines[i + 1].text, '-'))) {
            lines[i].level = is_rule(lines[i + 1].text, '=') ? 1 : 2;
            lines[i + 1].blank = true;
            lines[i + 1].text[0] = 0;
        }
        if (lines[i].level && !lines[i].blank) {
            const char *t;
            size_t n = strlen(lines[i].text);
            bool is_label = label_of(lines[i].text, n && lines[i].text[n - 1] == ':' ? n - 1 : n) ||
                            leading_label(lines[i].text, &t);
            if (!is_label)
                headings++;
        }
    }
    d.markdown = headings > 0;
    d.md_items = headings >= 2;
    /* pass 2: sections */
    bool in_comment = false;
    for (size_t i = 0; i < nlines && !d.fail; i++) {
        /* HTML comments (the export's marker) are no text */
        if (in_comment || has_prefix(lines[i].text, "<!--")) {
            in_comment = strstr(lines[i].text, "-->") == NULL;
            continue;
        }
        if (lines[i].level && !lines[i].blank)
            heading_line(&d, &lines[i]);
        else
            content_line(&d, &lines[i]);
    }
    free(lines);
    /* pass 3: sentences */
    if (!d.fail && d.prose.len)
        read_block(&d, NULL, d.prose.s, 0);
    for (size_t i = 0; i < d.nitems && !d.fail; i++) {
        item *it = &d.items[i];
        trim_notes(it);
        explicit_owners(&d, it);
        if (it->notes.s)
            read_block(&d, it, it->notes.s, it->line);
        if (i + 1 == d.nitems && it->notes.s)
            closing_time(&d, it->notes.s);
    }
    free(buf);
    if (!d.fail && !d.nitems && !d.npeople)
        d.fail = KT_IMPORT_UNRECOGNISED;
    if (!d.fail) {
        guess_body_name(&d);
        if (!d.date[0])
            warn(&d, "datum_ontbreekt", 0, "Er staat geen datum in het verslag.");
        if (!d.nitems)
            warn(&d, "geen_agendapunten", 0, "Er zijn geen agendapunten herkend.");
        if (!d.npeople)
            warn(&d, "geen_aanwezigen", 0, "Er is geen lijst van aanwezigen herkend.");
    }
    if (d.fail) {
        kt_import_status st = d.fail;
        doc_free(&d);
        return st;
    }
    json_t *j = doc_json(&d);
    doc_free(&d);
    if (!j)
        return KT_IMPORT_NOMEM;
    *out = j;
    return KT_IMPORT_OK;
}

/* --- counts ------------------------------------------------------------------------------ */

int kt_import_count(json_t *doc)
{
    size_t present = 0, absent = 0, matched = 0, unmatched = 0, besluiten = 0, toez = 0, acties = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "attendance"), i, v)
    {
        const char *st = json_string_value(json_object_get(v, "status"));
        if (st && !strcmp(st, "afwezig"))
            absent++;
        else
            present++;
        if (json_integer_value(json_object_get(v, "person_id")) > 0)
            matched++;
        else
            unmatched++;
    }
    json_t *items = json_object_get(doc, "items");
    json_array_foreach(items, i, v)
    {
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(v, "outcomes"), k, o)
        {
            const char *kind = json_string_value(json_object_get(o, "kind"));
            if (!kind)
                continue;
            besluiten += !strcmp(kind, "besluit");
            toez += !strcmp(kind, "toezegging");
            acties += !strcmp(kind, "actie");
        }
    }
    json_t *c = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "present",
                          (json_int_t)present, "absent", (json_int_t)absent, "matched",
                          (json_int_t)matched, "unmatched", (json_int_t)unmatched, "items",
                          (json_int_t)json_array_size(items), "besluiten", (json_int_t)besluiten,
                          "toezeggingen", (json_int_t)toez, "acties", (json_int_t)acties);
    if (!c)
        return KT_ENOMEM;
    json_object_set_new(doc, "counts", c);
    return 0;
}
