/* Dutch text normalisation for duplicate detection; see text.h for the contract. */
#include "detect/text.h"

#include "detect/strmap.h"

#include "util/err.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- folding ----------------------------------------------------------------------------- */

/* U+00C0..U+017F (Latin-1 Supplement and Latin Extended-A) to ASCII: the letters Dutch text
 * meets (ë, ï, é, ö, ĳ) and those of names from elsewhere (ç, ş, ł). */
static const char *const latin_fold[0x180 - 0xC0] = {
    "a", "a", "a",  "a",  "a", "a", "ae", "c",  "e",  "e", "e", "e", "i",  "i",  "i", "i", "d", "n",
    "o", "o", "o",  "o",  "o", " ", "o",  "u",  "u",  "u", "u", "y", "th", "ss", "a", "a", "a", "a",
    "a", "a", "ae", "c",  "e", "e", "e",  "e",  "i",  "i", "i", "i", "d",  "n",  "o", "o", "o", "o",
    "o", " ", "o",  "u",  "u", "u", "u",  "y",  "th", "y", "a", "a", "a",  "a",  "a", "a", "c", "c",
    "c", "c", "c",  "c",  "c", "c", "d",  "d",  "d",  "d", "e", "e", "e",  "e",  "e", "e", "e", "e",
    "e", "e", "g",  "g",  "g", "g", "g",  "g",  "g",  "g", "h", "h", "h",  "h",  "i", "i", "i", "i",
    "i", "i", "i",  "i",  "i", "i", "ij", "ij", "j",  "j", "k", "k", "k",  "l",  "l", "l", "l", "l",
    "l", "l", "l",  "l",  "l", "n", "n",  "n",  "n",  "n", "n", "n", "n",  "n",  "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r",  "r",  "r",  "r", "s", "s", "s",  "s",  "s", "s", "s", "s",
    "t", "t", "t",  "t",  "t", "t", "u",  "u",  "u",  "u", "u", "u", "u",  "u",  "u", "u", "u", "u",
    "w", "w", "y",  "y",  "y", "z", "z",  "z",  "z",  "z", "z", "s",
};

/* Decodes one UTF-8 code point at s (NUL-terminated). Returns its length in bytes, or 0 for an
 * invalid sequence (the caller skips one byte). */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t n;
    unsigned c;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2;
        c = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3;
        c = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* What one code point folds to: a replacement string of *rlen bytes (possibly " " for a
 * separator), or NULL when the original bytes are to be kept (letters of other scripts).
 * *upper is set for capitals, which hint at acronyms. */
static const char *fold_cp_str(unsigned cp, char ascii[2], int *upper)
{
    *upper = 0;
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') {
            *upper = 1;
            ascii[0] = (char)(cp - 'A' + 'a');
        } else if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '-' ||
                   cp == '\'') {
            ascii[0] = (char)cp;
        } else {
            ascii[0] = ' ';
        }
        ascii[1] = 0;
        return ascii;
    }
    if (cp >= 0xC0 && cp < 0x180) {
        *upper =
            (cp < 0xDF && cp != 0xD7) || (cp >= 0x100 && cp < 0x138 && !(cp & 1)) || (cp == 0x132);
        return latin_fold[cp - 0xC0];
    }
    if (cp >= 0x2010 && cp <= 0x2015) /* hyphens and dashes */
        return "-";
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC) /* typographic apostrophes */
        return "'";
    if (cp < 0xC0 || (cp >= 0x2000 && cp < 0x2070) || (cp >= 0x20A0 && cp < 0x2C00) ||
        (cp >= 0x3000 && cp < 0x3040) || (cp >= 0xFE30 && cp < 0xFE70) || cp == 0xFEFF ||
        (cp >= 0xFF00 && cp < 0xFF10) || cp >= 0x1F000)
        return " "; /* punctuation, symbols, arrows, emoji, BOM */
    return NULL;
}

static const char *fold_cp(unsigned cp, char ascii[2], int *upper, size_t *rlen)
{
    const char *r = fold_cp_str(cp, ascii, upper);
    /* Replacements are one byte except for a few ligatures ("ae", "ij", "ss", "th"). */
    *rlen = r ? (r[1] ? 2 : 1) : 0;
    return r;
}

size_t kt_text_fold(const char *in, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t o = 0;
    if (!cap)
        return 0;
    while (*s) {
        unsigned cp;
        size_t n = utf8_decode(s, &cp);
        char ascii[2];
        int upper;
        size_t rlen = 1;
        const char *rep = n ? fold_cp(cp, ascii, &upper, &rlen) : " ";
        if (!rep)
            rlen = n;
        const char *src = rep ? rep : (const char *)s;
        if (o + rlen >= cap)
            break;
        memcpy(out + o, src, rlen);
        o += rlen;
        s += n ? n : 1;
    }
    out[o] = 0;
    return o;
}

/* --- words ------------------------------------------------------------------------------- */

/* A byte of the original text that continues a word (letters of any script, digits). */
static bool is_orig_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

typedef struct word_builder {
    kt_word w;
    bool open;        /* a word is being built */
    bool seg_open;    /* the current segment has bytes */
    bool seg_numeric; /* the current segment holds digits only so far */
    bool prev_numeric;
} word_builder;

static void wb_start(word_builder *b, const char *orig)
{
    /* Field by field: the segment arrays are written as segments open and close, and folded
     * is NUL-terminated at its length; clearing all of kt_word was a tenth of indexing. */
    kt_word *w = &b->w;
    w->folded[0] = 0;
    w->len = w->nseg = w->upper = 0;
    w->digits = w->alpha = false;
    w->orig_len = 0;
    b->w.orig = orig;
    b->open = true;
    b->seg_open = false;
    b->seg_numeric = true;
    b->prev_numeric = false;
}

static void wb_end_segment(word_builder *b)
{
    if (!b->seg_open)
        return;
    kt_word *w = &b->w;
    w->seg_len[w->nseg - 1] = (uint8_t)(w->len - w->seg_off[w->nseg - 1]);
    b->prev_numeric = b->seg_numeric;
    b->seg_open = false;
}

/* Appends folded bytes to the current word; a new segment starts when none is open. */
static void wb_append(word_builder *b, const char *bytes, size_t n, bool digit)
{
    kt_word *w = &b->w;
    if (!b->seg_open) {
        if (w->nseg == KT_TEXT_MAX_SEG)
            return;
        /* Number ranges and case numbers ("2025-2026", "2025-04") keep their hyphen. */
        if (w->nseg > 0 && b->prev_numeric && digit && w->len + 1 < KT_TEXT_MAX_WORD)
            w->folded[w->len++] = '-';
        w->seg_off[w->nseg++] = w->len;
        b->seg_open = true;
        b->seg_numeric = true;
    }
    if (w->len + n >= KT_TEXT_MAX_WORD)
        return;
    memcpy(w->folded + w->len, bytes, n);
    w->len = (uint8_t)(w->len + n);
    w->folded[w->len] = 0;
    if (!digit)
        b->seg_numeric = false;
}

static int wb_finish(word_builder *b, const char *end, kt_word_fn fn, void *ctx)
{
    wb_end_segment(b);
    b->open = false;
    kt_word *w = &b->w;
    w->folded[w->len] = 0; /* a range hyphen may have been the last byte added */
    if (!w->len)
        return 0;
    /* A numeric segment merged by a range hyphen counts as part of the previous one. */
    w->orig_len = (size_t)(end - w->orig);
    return fn(w, ctx);
}

/* What a byte of a run of lower-case letters and digits is (0: it ends the run). */
#define RUN_LOWER 1
#define RUN_DIGIT 2
static const uint8_t run_kind[256] = {
    ['0'] = RUN_DIGIT, ['1'] = RUN_DIGIT, ['2'] = RUN_DIGIT, ['3'] = RUN_DIGIT, ['4'] = RUN_DIGIT,
    ['5'] = RUN_DIGIT, ['6'] = RUN_DIGIT, ['7'] = RUN_DIGIT, ['8'] = RUN_DIGIT, ['9'] = RUN_DIGIT,
    ['a'] = RUN_LOWER, ['b'] = RUN_LOWER, ['c'] = RUN_LOWER, ['d'] = RUN_LOWER, ['e'] = RUN_LOWER,
    ['f'] = RUN_LOWER, ['g'] = RUN_LOWER, ['h'] = RUN_LOWER, ['i'] = RUN_LOWER, ['j'] = RUN_LOWER,
    ['k'] = RUN_LOWER, ['l'] = RUN_LOWER, ['m'] = RUN_LOWER, ['n'] = RUN_LOWER, ['o'] = RUN_LOWER,
    ['p'] = RUN_LOWER, ['q'] = RUN_LOWER, ['r'] = RUN_LOWER, ['s'] = RUN_LOWER, ['t'] = RUN_LOWER,
    ['u'] = RUN_LOWER, ['v'] = RUN_LOWER, ['w'] = RUN_LOWER, ['x'] = RUN_LOWER, ['y'] = RUN_LOWER,
    ['z'] = RUN_LOWER,
};

/* What an ASCII byte is in a plain word (0: no letter or digit). A capital folds by its
 * WC_UPPER bit moved to 0x20. */
#define WC_UPPER 1
#define WC_LOWER 2
#define WC_DIGIT 4
/* clang-format off */
static const uint8_t word_class[256] = {
    ['a'] = WC_LOWER, ['b'] = WC_LOWER, ['c'] = WC_LOWER, ['d'] = WC_LOWER, ['e'] = WC_LOWER,
    ['f'] = WC_LOWER, ['g'] = WC_LOWER, ['h'] = WC_LOWER, ['i'] = WC_LOWER, ['j'] = WC_LOWER,
    ['k'] = WC_LOWER, ['l'] = WC_LOWER, ['m'] = WC_LOWER, ['n'] = WC_LOWER, ['o'] = WC_LOWER,
    ['p'] = WC_LOWER, ['q'] = WC_LOWER, ['r'] = WC_LOWER, ['s'] = WC_LOWER, ['t'] = WC_LOWER,
    ['u'] = WC_LOWER, ['v'] = WC_LOWER, ['w'] = WC_LOWER, ['x'] = WC_LOWER, ['y'] = WC_LOWER,
    ['z'] = WC_LOWER, ['A'] = WC_UPPER, ['B'] = WC_UPPER, ['C'] = WC_UPPER, ['D'] = WC_UPPER,
    ['E'] = WC_UPPER, ['F'] = WC_UPPER, ['G'] = WC_UPPER, ['H'] = WC_UPPER, ['I'] = WC_UPPER,
    ['J'] = WC_UPPER, ['K'] = WC_UPPER, ['L'] = WC_UPPER, ['M'] = WC_UPPER, ['N'] = WC_UPPER,
    ['O'] = WC_UPPER, ['P'] = WC_UPPER, ['Q'] = WC_UPPER, ['R'] = WC_UPPER, ['S'] = WC_UPPER,
    ['T'] = WC_UPPER, ['U'] = WC_UPPER, ['V'] = WC_UPPER, ['W'] = WC_UPPER, ['X'] = WC_UPPER,
    ['Y'] = WC_UPPER, ['Z'] = WC_UPPER, ['0'] = WC_DIGIT, ['1'] = WC_DIGIT, ['2'] = WC_DIGIT,
    ['3'] = WC_DIGIT, ['4'] = WC_DIGIT, ['5'] = WC_DIGIT, ['6'] = WC_DIGIT, ['7'] = WC_DIGIT,
    ['8'] = WC_DIGIT, ['9'] = WC_DIGIT,
};
/* clang-format on */

/* A plain word: a run of ASCII letters and digits, shorter than a kt_word holds, followed by
 * an ASCII separator or the end (not a hyphen, an apostrophe or a non-ASCII byte, which the
 * byte-by-byte path below reads). Such a word is one segment, and it is what most agenda text
 * is made of: fold it in one pass into w and return its length, or 0 when the word is not
 * plain (nothing is consumed then). Gives the same kt_word as the byte-by-byte path. */
static size_t plain_word(const unsigned char *s, kt_word *w)
{
    size_t n = 0, upper = 0, digits = 0;
    for (;; n++) {
        unsigned char c = s[n];
        unsigned k = word_class[c];
        if (k != WC_LOWER) { /* most bytes are lower-case letters: one test for them */
            if (!k)
                break;
            upper += k == WC_UPPER;
            digits += k == WC_DIGIT;
            c |= (unsigned char)((k & WC_UPPER) << 5);
        }
        if (n + 1 >= KT_TEXT_MAX_WORD)
            return 0; /* long runs are cut there: the byte path knows how */
        w->folded[n] = (char)c;
    }
    unsigned char end = s[n];
    if (end >= 0x80 || end == '-' || end == '\'')
        return 0;
    w->folded[n] = 0;
    w->len = (uint8_t)n;
    w->nseg = 1;
    w->seg_off[0] = 0;
    w->seg_len[0] = (uint8_t)n;
    w->upper = (uint8_t)upper;
    w->digits = digits > 0;
    w->alpha = digits < n;
    w->orig = (const char *)s;
    w->orig_len = n;
    return n;
}

int kt_text_words(const char *text, kt_word_fn fn, void *ctx)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    word_builder b = {.open = false};
    const char *last_end = (const char *)s; /* end of the last byte that belonged to a word */
    while (*s) {
        if (!b.open && *s < 0x80) {
            if (!word_class[*s]) { /* between words every other ASCII byte is skipped */
                s++;
                continue;
            }
            size_t n = plain_word(s, &b.w);
            if (n) {
                int rc = fn(&b.w, ctx);
                if (rc)
                    return rc;
                s += n;
                continue;
            }
        }
        /* Lower-case letters and digits are most of any text: append a run of them directly
         * (what does not fit, the slow path below drops as before). */
        if (b.open && b.seg_open && b.w.len + 1 < KT_TEXT_MAX_WORD && run_kind[*s]) {
            size_t len = b.w.len;
            unsigned kinds = 0;
            while (len + 1 < KT_TEXT_MAX_WORD) {
                unsigned char c = *s;
                unsigned k = run_kind[c];
                if (!k)
                    break;
                kinds |= k;
                b.w.folded[len++] = (char)c;
                s++;
            }
            b.w.folded[len] = 0;
            b.w.len = (uint8_t)len;
            b.w.digits |= (kinds & RUN_DIGIT) != 0;
            b.w.alpha |= (kinds & RUN_LOWER) != 0;
            if (kinds & RUN_LOWER)
                b.seg_numeric = false;
            last_end = (const char *)s;
            continue;
        }
        size_t n = 1;
        char ascii[2];
        int upper = 0;
        size_t rlen = 1;
        const char *rep;
        if (*s < 0x80) { /* ASCII (spaces, capitals, punctuation): fold_cp's answer inline */
            unsigned char c = *s;
            if (c >= 'A' && c <= 'Z') {
                upper = 1;
                c = (unsigned char)(c - 'A' + 'a');
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                         c == '\'')) {
                c = ' ';
            }
            ascii[0] = (char)c;
            ascii[1] = 0;
            rep = ascii;
        } else {
            unsigned cp;
            n = utf8_decode(s, &cp);
            rep = n ? fold_cp(cp, ascii, &upper, &rlen) : " ";
            if (!n)
                n = 1;
        }
        bool sep = rep && rep[0] == ' ';
        bool hyphen = rep && rep[0] == '-';
        bool apos = rep && rep[0] == '\'';
        if (sep || (!b.open && (hyphen || apos))) {
            if (b.open) {
                int rc = wb_finish(&b, last_end, fn, ctx);
                if (rc)
                    return rc;
            }
            s += n;
            continue;
        }
        if (hyphen) {
            /* Inside a word a hyphen ends a segment; "kind- en" leaves the segment as is. */
            wb_end_segment(&b);
            s += n;
            continue;
        }
        if (apos) {
            /* "thema's", "boa's", "GI's": the plural/genitive 's goes; other apostrophes join. */
            const unsigned char *t = s + n;
            if ((t[0] == 's' || t[0] == 'S') && !is_orig_alnum(t[1])) {
                s = t + 1;
                last_end = (const char *)s;
                continue;
            }
            s += n;
            continue;
        }
        if (!b.open)
            wb_start(&b, (const char *)s);
        if (rep)
            wb_append(&b, rep, rlen, rep[0] >= '0' && rep[0] <= '9');
        else
            wb_append(&b, (const char *)s, n, false);
        kt_word *w = &b.w;
        if (upper && w->upper < 255)
            w->upper++;
        if (rep && rep[0] >= '0' && rep[0] <= '9')
            w->digits = true;
        else
            w->alpha = true;
        s += n;
        last_end = (const char *)s;
    }
    if (b.open)
        return wb_finish(&b, last_end, fn, ctx);
    return 0;
}

/* --- word lists -------------------------------------------------------------------------- */

/* All lists are sorted (strcmp order) for bsearch; test_text checks that they stay so. */
static const char *const stopwords[] = {
    "aan",          "achter",     "afgelopen",  "al",
    "alle",         "alleen",     "allemaal",   "alles",
    "als",          "alsmede",    "alsnog",     "alsook",
    "altijd",       "ander",      "andere",     "anders",
    "apr",          "april",      "aug",        "augustus",
    "beide",        "beiden",     "ben",        "bent",
    "betekende",    "betekenen",  "betekent",   "bevat",
    "bevatten",     "bij",        "bijna",      "bijv",
    "bijvoorbeeld", "binnen",     "bleek",      "blijft",
    "blijken",      "blijkt",     "blijven",    "boven",
    "bovendien",    "bracht",     "brengen",    "brengt",
    "buiten",       "ca",         "circa",      "daar",
    "daarbij",      "daardoor",   "daarin",     "daarmee",
    "daarna",       "daarnaast",  "daarom",     "daarover",
    "daartoe",      "daarvan",    "daarvoor",   "dacht",
    "dan",          "dat",        "de",         "dec",
    "december",     "den",        "denken",     "denkt",
    "der",          "dergelijk",  "dergelijke", "des",
    "deze",         "dezelfde",   "die",        "dinsdag",
    "dit",          "doch",       "doen",       "doet",
    "donderdag",    "door",       "dus",        "dwz",
    "echter",       "een",        "eens",       "eerst",
    "eigen",        "eigenlijk",  "elders",     "elk",
    "elke",         "en",         "enige",      "enkele",
    "er",           "erg",        "etc",        "even",
    "eveneens",     "eventueel",  "eventuele",  "evt",
    "excl",         "feb",        "februari",   "gaan",
    "gaat",         "gaven",      "ge",         "gebleken",
    "gebracht",     "gebruikt",   "gedaan",     "gedacht",
    "gedurende",    "geeft",      "geen",       "gegeven",
    "gehad",        "gehouden",   "gekeken",    "gekomen",
    "gelaten",      "geldt",      "gemaakt",    "genomen",
    "geven",        "gevolgd",    "gevonden",   "gevraagd",
    "geweest",      "gewerkt",    "gezegd",     "gezet",
    "gezien",       "gij",        "haar",       "had",
    "hadden",       "heb",        "hebben",     "hebt",
    "heeft",        "heel",       "hele",       "hem",
    "hen",          "het",        "hetzelfde",  "hier",
    "hierbij",      "hierin",     "hiermee",    "hierover",
    "hiervan",      "hiervoor",   "hij",        "hoe",
    "hoeft",        "hoeveel",    "hoeven",     "hoewel",
    "hoort",        "horen",      "houden",     "houdt",
    "hun",          "ieder",      "iedere",     "iedereen",
    "iemand",       "iets",       "ihkv",       "ik",
    "in",           "incl",       "inderdaad",  "inmiddels",
    "inzake",       "is",         "ivm",        "ja",
    "jan",          "januari",    "je",         "jij",
    "jl",           "jou",        "jouw",       "jul",
    "juli",         "jullie",     "jun",        "juni",
    "kan",          "keek",       "kijken",     "kijkt",
    "kom",          "komen",      "komt",       "kon",
    "konden",       "kreeg",      "kregen",     "krijgen",
    "krijgt",       "kun",        "kunnen",     "kunt",
    "kwam",         "kwamen",     "laat",       "lag",
    "lagen",        "laten",      "leek",       "liet",
    "lieten",       "liggen",     "ligt",       "lijken",
    "lijkt",        "loopt",      "maakt",      "maandag",
    "maar",         "maart",      "mag",        "maken",
    "mbt",          "me",         "meer",       "meerdere",
    "meestal",      "mei",        "men",        "met",
    "middels",      "mij",        "mijn",       "misschien",
    "mn",           "mocht",      "mochten",    "moest",
    "moesten",      "moet",       "moeten",     "mogelijk",
    "mogen",        "mrt",        "na",         "naar",
    "naast",        "nadat",      "nader",      "nam",
    "namelijk",     "namen",      "natuurlijk", "nav",
    "nee",          "neemt",      "nemen",      "niemand",
    "niet",         "niets",      "nl",         "noch",
    "nodig",        "nog",        "nooit",      "nov",
    "november",     "nu",         "oa",         "of",
    "ofwel",        "okt",        "oktober",    "om",
    "omdat",        "onder",      "ongeveer",   "ons",
    "onze",         "ooit",       "ook",        "op",
    "opnieuw",      "over",       "overal",     "per",
    "probeert",     "proberen",   "reeds",      "resp",
    "rond",         "rondom",     "sep",        "sept",
    "september",    "sinds",      "sommige",    "st",
    "staan",        "staat",      "steeds",     "stelde",
    "stelden",      "stellen",    "stelt",      "tav",
    "tbv",          "te",         "tegen",      "ten",
    "ter",          "terwijl",    "tevens",     "toch",
    "toe",          "toen",       "toont",      "tot",
    "tussen",       "u",          "uit",        "uiteindelijk",
    "uw",           "vaak",       "vaker",      "van",
    "vanaf",        "vanuit",     "vanwege",    "veel",
    "verder",       "vervolgens", "verwacht",   "via",
    "vinden",       "vindt",      "vond",       "vonden",
    "voor",         "vooral",     "voordat",    "voornamelijk",
    "vraagt",       "vrijdag",    "waar",       "waarbij",
    "waardoor",     "waarin",     "waarmee",    "waarna",
    "waarom",       "waarop",     "waarover",   "waarschijnlijk",
    "waarvan",      "wanneer",    "want",       "waren",
    "was",          "wat",        "we",         "weer",
    "weet",         "wegens",     "weinig",     "wel",
    "welk",         "welke",      "werd",       "werden",
    "werkt",        "werkte",     "werkten",    "weten",
    "wie",          "wiens",      "wij",        "wil",
    "wilde",        "wilden",     "wilt",       "woensdag",
    "worden",       "wordt",      "zag",        "zagen",
    "zal",          "zaterdag",   "ze",         "zeer",
    "zeggen",       "zegt",       "zei",        "zeiden",
    "zelf",         "zet",        "zette",      "zetten",
    "zich",         "zie",        "zien",       "zij",
    "zijn",         "zit",        "zitten",     "zo",
    "zoals",        "zodat",      "zodra",      "zoekt",
    "zondag",       "zonder",     "zorgde",     "zorgt",
    "zou",          "zouden",     "zowel",      "zulke",
    "zullen",
};
static const char *const generic_strong[] = {
    "aandacht",
    "aanpak",
    "aanpassing",
    "aanpassingen",
    "aantal",
    "acht",
    "actualisatie",
    "actualiseren",
    "actueel",
    "actuele",
    "advies",
    "adviezen",
    "afspraak",
    "afspraken",
    "agenda",
    "agendapunt",
    "agendapunten",
    "agenderingsverzoek",
    "algemeen",
    "algemene",
    "beeldvormend",
    "behandeling",
    "besluit",
    "besluiten",
    "besluitvormend",
    "besluitvorming",
    "bespreekpunt",
    "bespreekstuk",
    "bespreken",
    "bespreking",
    "bestaande",
    "beter",
    "bijdrage",
    "brief",
    "collegebesluit",
    "concept",
    "definitief",
    "definitieve",
    "derde",
    "diverse",
    "document",
    "doel",
    "doelen",
    "doelstelling",
    "doelstellingen",
    "doorkijk",
    "drie",
    "eerder",
    "eerste",
    "elkaar",
    "ervaring",
    "ervaringen",
    "evaluatie",
    "evalueren",
    "extra",
    "geactualiseerd",
    "geactualiseerde",
    "geinformeerd",
    "gesprek",
    "gesprekken",
    "gezamenlijk",
    "gezamenlijke",
    "goed",
    "graag",
    "herziening",
    "huidige",
    "inbreng",
    "informatie",
    "informeren",
    "input",
    "invulling",
    "inzet",
    "inzicht",
    "item",
    "jaar",
    "jaarlijks",
    "jaarlijkse",
    "jaren",
    "kader",
    "kaders",
    "kennisname",
    "keuze",
    "keuzes",
    "knelpunt",
    "knelpunten",
    "komende",
    "kort",
    "korte",
    "laatste",
    "later",
    "lopende",
    "maand",
    "maanden",
    "meer",
    "memo",
    "minder",
    "mogelijke",
    "mogelijkheden",
    "mogelijkheid",
    "negen",
    "nieuw",
    "nieuwe",
    "nota",
    "notitie",
    "onderwerp",
    "onderwerpen",
    "ontwikkeling",
    "ontwikkelingen",
    "oordeelsvormend",
    "opbrengst",
    "opbrengsten",
    "opdracht",
    "openstaande",
    "opzet",
    "overige",
    "overleg",
    "overleggen",
    "overzicht",
    "plan",
    "plannen",
    "planning",
    "presentatie",
    "procedure",
    "proces",
    "punt",
    "punten",
    "raadsinformatiebrief",
    "raadsvoorstel",
    "raakvlak",
    "raakvlakken",
    "rapport",
    "rapportage",
    "reactie",
    "reacties",
    "resultaat",
    "resultaten",
    "rol",
    "rollen",
    "ronde",
    "samen",
    "stand",
    "stap",
    "stappen",
    "stappenplan",
    "status",
    "stuk",
    "stukken",
    "taak",
    "taken",
    "terugblik",
    "terugkoppeling",
    "tien",
    "toelichting",
    "toezegging",
    "toezeggingen",
    "twee",
    "tweede",
    "uitgangspunten",
    "uitleg",
    "uitwerking",
    "update",
    "vast",
    "vaste",
    "vaststellen",
    "vaststelling",
    "verkennen",
    "verkennende",
    "verkenning",
    "verlenging",
    "verschillende",
    "versie",
    "vertrouwelijk",
    "vertrouwelijke",
    "vervolg",
    "vervolgbespreking",
    "vervolgstappen",
    "verzoek",
    "vier",
    "vierde",
    "vijf",
    "vijfde",
    "volgende",
    "voorbereiding",
    "voorstel",
    "voorstellen",
    "voortgang",
    "vooruitblik",
    "vorige",
    "vraag",
    "vragen",
    "week",
    "weken",
    "werkwijze",
    "wijziging",
    "wijzigingen",
    "zaken",
    "zes",
    "zeven",
    "zicht",
};
static const char *const generic_mild[] = {
    "aanbod",
    "aanpakken",
    "aansluiting",
    "actieplan",
    "afstemming",
    "afzonderlijke",
    "analyse",
    "aparte",
    "artikel",
    "beeld",
    "belangrijk",
    "belangrijke",
    "belastingdienst",
    "beleid",
    "beleidsplan",
    "bestuur",
    "bestuurlijk",
    "bestuurlijke",
    "betrokken",
    "betrokkenheid",
    "bewoners",
    "bewonersavond",
    "bewustwording",
    "bijeenkomst",
    "bijeenkomsten",
    "brainstorm",
    "brainstormsessie",
    "brede",
    "breed",
    "budget",
    "burgemeester",
    "burgers",
    "buurt",
    "buurten",
    "capaciteit",
    "collega",
    "collegas",
    "college",
    "commissie",
    "concreet",
    "concrete",
    "corporatie",
    "corporaties",
    "cursus",
    "cursussen",
    "dialoogsessie",
    "dialoogsessies",
    "domein",
    "duidelijk",
    "duidelijke",
    "eenduidig",
    "eenduidige",
    "expertmeeting",
    "financiering",
    "gebied",
    "gebieden",
    "gemeente",
    "gemeentelijk",
    "gemeentelijke",
    "gemeenten",
    "gemeenteraad",
    "gericht",
    "gerichte",
    "groot",
    "grote",
    "heisessie",
    "herkennen",
    "hoge",
    "hoog",
    "hulp",
    "hulpdiensten",
    "hulpverleners",
    "huurders",
    "informatieavond",
    "informatiebijeenkomst",
    "integraal",
    "integrale",
    "inwoners",
    "jaarplan",
    "jaarverslag",
    "kaartsessie",
    "kaartsessies",
    "kernteam",
    "ketenpartners",
    "klantmanager",
    "klantmanagers",
    "klein",
    "kleine",
    "kosten",
    "landelijk",
    "landelijke",
    "lang",
    "lange",
    "langer",
    "lessen",
    "lokaal",
    "lokale",
    "maatregel",
    "maatregelen",
    "medewerkers",
    "middelen",
    "ministerie",
    "monitor",
    "monitoring",
    "nationaal",
    "nationale",
    "netwerk",
    "noord",
    "ondernemers",
    "ondersteuning",
    "onderzoek",
    "oost",
    "organisatie",
    "organisaties",
    "oud",
    "oude",
    "partner",
    "partners",
    "pilot",
    "politie",
    "professionals",
    "programma",
    "programmas",
    "project",
    "projecten",
    "projectplan",
    "provincie",
    "raad",
    "regiegroep",
    "regio",
    "regionaal",
    "regionale",
    "rijk",
    "rondetafelgesprek",
    "samenwerken",
    "samenwerking",
    "sessie",
    "sessies",
    "signaal",
    "signalen",
    "signaleren",
    "snel",
    "snelle",
    "sneller",
    "sociaal",
    "sociale",
    "specifiek",
    "specifieke",
    "stad",
    "startbijeenkomst",
    "stedelijk",
    "stedelijke",
    "structureel",
    "structurele",
    "stuurgroep",
    "subsidie",
    "tafel",
    "team",
    "teams",
    "thema",
    "themabijeenkomst",
    "themabijeenkomsten",
    "themas",
    "themasessie",
    "tijdelijk",
    "tijdelijke",
    "training",
    "trainingen",
    "traject",
    "trajecten",
    "uitvoering",
    "uitvoeringsplan",
    "uitvoeringsprogramma",
    "uniform",
    "uniforme",
    "veilig",
    "veiligheid",
    "verbetering",
    "verbinding",
    "versterking",
    "voorlichting",
    "webinar",
    "webinars",
    "werk",
    "werkbezoek",
    "werkbezoeken",
    "werkgroep",
    "werkgroepen",
    "werksessie",
    "werksessies",
    "west",
    "wethouder",
    "wijk",
    "wijken",
    "winkelcentrum",
    "woningbouwcorporatie",
    "woningbouwcorporaties",
    "woningcorporatie",
    "woningcorporaties",
    "workshop",
    "workshops",
    "zorg",
    "zuid",
};
static const char *const proc_heads[] = {
    "actielijst",
    "actielijsten",
    "actiepunten",
    "actiepuntenlijst",
    "afsluiting",
    "agenda",
    "besluitenlijst",
    "besluitenlijsten",
    "correspondentie",
    "ingekomen",
    "introductie",
    "kennismaking",
    "kennismakingsronde",
    "lunch",
    "mededeling",
    "mededelingen",
    "notulen",
    "openen",
    "opening",
    "pauze",
    "rondvraag",
    "sluiting",
    "toezeggingenlijst",
    "uitgaande",
    "update",
    "vergaderdata",
    "vergaderplanning",
    "vergaderschema",
    "verslag",
    "verslagen",
    "voorstelronde",
    "welkom",
    "welkomstwoord",
    "wvttk",
};
static const char *const proc_fillers[] = {
    "aanvullingen",  "aanwezig",       "aanwezigen",   "actie",       "actiepunt",    "acties",
    "afmeldingen",   "afspraken",      "afwezig",      "afwezigen",   "besluiten",    "bestuur",
    "bijeenkomst",   "bijeenkomsten",  "collega",      "collegas",    "commissie",    "concept",
    "coordinator",   "data",           "datum",        "deelnemers",  "doorlopen",    "doornemen",
    "eerdere",       "gast",           "gasten",       "goedkeuren",  "goedkeuring",  "keer",
    "kort",          "korte",          "laatste",      "leden",       "lid",          "lijst",
    "medewerker",    "medewerkers",    "nieuw",        "nieuwe",      "notulist",     "openstaande",
    "overleg",       "partners",       "planning",     "platform",    "post",         "regiegroep",
    "secretaris",    "sessie",         "stukken",      "stuurgroep",  "tafel",        "tekstueel",
    "tekstuele",     "terugkoppeling", "toezeggingen", "vaststellen", "vaststelling", "vergadering",
    "vergaderingen", "volgende",       "voorstellen",  "voorzitter",  "vorige",       "werkgroep",
    "werkgroepen",   "wijkagent",      "wijkmanager",  "wijzigingen",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int cmp_str(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

static bool in_list(const char *w, const char *const *list, size_t n)
{
    return bsearch(w, list, n, sizeof *list, cmp_str) != NULL;
}

/* No stop word is longer than this ("waarschijnlijk"); most content words are. */
#define STOPWORD_MAX 14

bool kt_text_is_stopword(const char *folded)
{
    return strlen(folded) <= STOPWORD_MAX && in_list(folded, stopwords, COUNT(stopwords));
}

/* Generic agenda words: strong ones are what every agenda says about any subject ("stand van
 * zaken", "voorstel", "evaluatie"); mild ones name the setting rather than the subject
 * ("gemeente", "regionaal", "programma", "veiligheid"). */
#define GENERIC_STRONG 0.15f
#define GENERIC_MILD   0.35f

size_t kt_text_generic_count(void)
{
    return COUNT(generic_strong) + COUNT(generic_mild);
}

const char *kt_text_generic_word(size_t i, float *weight)
{
    if (i < COUNT(generic_strong)) {
        *weight = GENERIC_STRONG;
        return generic_strong[i];
    }
    i -= COUNT(generic_strong);
    if (i < COUNT(generic_mild)) {
        *weight = GENERIC_MILD;
        return generic_mild[i];
    }
    *weight = 1.0f;
    return NULL;
}

/* The aspect an agenda item takes of its subject: two items on one subject in different
 * aspects (the plan and its evaluation, a case and the policy rule, a training and the
 * financing) are usually not one subject for two chairs to coordinate. General agenda
 * structure, not words from labelled pairs; met as whole words of the title or as compound
 * parts ("uitvoeringsplan", "beleidsregels"). Classes from 1. "planning", "jaarplanning" and
 * "terugkoppeling" (a plan and the feedback on what was done) were added after reading dev's
 * false positives (bench/README.md, detqual7); dev2 was the check. */
static const struct {
    const char *word;
    int cls;
} aspect_words[] = {
    {"evaluatie", 1},    {"evalueren", 1},       {"terugblik", 1},  {"plan", 2},
    {"actieplan", 2},    {"uitvoeringsplan", 2}, {"werkplan", 2},   {"jaarplan", 2},
    {"monitor", 3},      {"cijfers", 3},         {"dashboard", 3},  {"beleidsregel", 4},
    {"beleidskader", 4}, {"verordening", 4},     {"training", 5},   {"trainingen", 5},
    {"workshop", 5},     {"cursus", 5},          {"opleiding", 5},  {"bewustwording", 5},
    {"financiering", 6}, {"budget", 6},          {"subsidie", 6},   {"begroting", 6},
    {"bekostiging", 6},  {"casus", 7},           {"casuistiek", 7}, {"planning", 2},
    {"jaarplanning", 2}, {"terugkoppeling", 1},
};

const char *kt_text_aspect_word(size_t i, int *cls)
{
    if (i >= COUNT(aspect_words))
        return NULL;
    *cls = aspect_words[i].cls;
    return aspect_words[i].word;
}

int kt_text_selfcheck(void)
{
    struct {
        const char *const *a;
        size_t n;
    } lists[] = {
        {stopwords, COUNT(stopwords)},       {generic_strong, COUNT(generic_strong)},
        {generic_mild, COUNT(generic_mild)}, {proc_heads, COUNT(proc_heads)},
        {proc_fillers, COUNT(proc_fillers)},
    };
    for (size_t l = 0; l < COUNT(lists); l++)
        for (size_t i = 1; i < lists[l].n; i++)
            if (strcmp(lists[l].a[i - 1], lists[l].a[i]) >= 0)
                return KT_EINVAL;
    return 0;
}

/* --- procedural items -------------------------------------------------------------------- */

/* Multi-word procedural formulas, matched on folded words before the word-by-word check. */
static const char *const proc_phrases[][6] = {
    {"wat", "verder", "ter", "tafel", "komt", NULL},
    {"stand", "van", "zaken", NULL},
    {"ingekomen", "stukken", NULL},
    {"vorige", "keer", NULL},
};

/* Body nouns such as "leefbaarheidsoverleg" or "stuurgroep" around a procedural word do not
 * make it a subject ("Verslag Leefbaarheidsoverleg 12 maart"). */
static bool is_body_noun(const char *w, size_t len)
{
    static const char *const suffixes[] = {"overleg", "groep", "commissie", "tafel", "team"};
    for (size_t i = 0; i < COUNT(suffixes); i++) {
        size_t sl = strlen(suffixes[i]);
        if (len >= sl && memcmp(w + len - sl, suffixes[i], sl) == 0)
            return true;
    }
    return false;
}

typedef struct proc_scan {
    char words[24][KT_TEXT_MAX_WORD];
    size_t n;
    bool overflow; /* too long, or a word that can be in no procedural title */
} proc_scan;

static bool in_phrase(const char *w)
{
    for (size_t p = 0; p < COUNT(proc_phrases); p++)
        for (size_t k = 0; proc_phrases[p][k]; k++)
            if (!strcmp(proc_phrases[p][k], w))
                return true;
    return false;
}

static bool is_number(const char *w);
static bool is_body_noun(const char *w, size_t len);

bool kt_text_maybe_procedural(const char *folded, size_t len)
{
    return len <= 1 || in_list(folded, proc_heads, COUNT(proc_heads)) ||
           in_list(folded, proc_fillers, COUNT(proc_fillers)) || kt_text_is_stopword(folded) ||
           is_number(folded) || is_body_noun(folded, len) || in_phrase(folded);
}

/* Collects the folded segments of a title; hyphenated words count segment by segment. Stops
 * at the first word that no procedural title has: most titles are subjects, and say so in
 * their first word. */
static int proc_collect(const kt_word *w, void *ctx)
{
    proc_scan *ps = ctx;
    for (uint8_t i = 0; i < w->nseg; i++) {
        if (ps->n == COUNT(ps->words)) {
            ps->overflow = true;
            return 1;
        }
        char *word = ps->words[ps->n];
        memcpy(word, w->folded + w->seg_off[i], w->seg_len[i]);
        word[w->seg_len[i]] = 0;
        if (!kt_text_maybe_procedural(word, w->seg_len[i])) {
            ps->overflow = true;
            return 1;
        }
        ps->n++;
    }
    return 0;
}

static size_t match_phrase(const proc_scan *ps, size_t at)
{
    for (size_t p = 0; p < COUNT(proc_phrases); p++) {
        size_t k = 0;
        while (proc_phrases[p][k] && at + k < ps->n &&
               !strcmp(proc_phrases[p][k], ps->words[at + k]))
            k++;
        if (!proc_phrases[p][k])
            return k;
    }
    return 0;
}

static bool is_number(const char *w)
{
    for (; *w; w++)
        if ((*w < '0' || *w > '9') && *w != '-')
            return false;
    return true;
}

bool kt_text_is_procedural(const char *title)
{
    if (!title)
        return false;
    proc_scan ps = {.n = 0};
    kt_text_words(title, proc_collect, &ps);
    if (ps.overflow || !ps.n)
        return false;
    bool head = false;
    for (size_t i = 0; i < ps.n;) {
        size_t k = match_phrase(&ps, i);
        if (k) {
            head = true;
            i += k;
            continue;
        }
        const char *w = ps.words[i++];
        if (in_list(w, proc_heads, COUNT(proc_heads))) {
            head = true;
            continue;
        }
        if (in_list(w, proc_fillers, COUNT(proc_fillers)) || kt_text_is_stopword(w) ||
            is_number(w) || strlen(w) == 1 || is_body_noun(w, strlen(w)))
            continue;
        return false; /* a word with a subject of its own */
    }
    return head;
}

/* --- lexicon ----------------------------------------------------------------------------- */

/* A set of folded words (the map's values are unused). */
struct kt_lexicon {
    kt_strmap words;
};

kt_lexicon *kt_lexicon_new(void)
{
    return calloc(1, sizeof(kt_lexicon));
}

void kt_lexicon_free(kt_lexicon *lex)
{
    if (!lex)
        return;
    kt_strmap_free(&lex->words);
    free(lex);
}

static int lex_add_folded(kt_lexicon *lex, const char *w, size_t n)
{
    if (!n || n >= KT_TEXT_MAX_WORD)
        return 0;
    return kt_strmap_put(&lex->words, w, n, 0, NULL);
}

int kt_lexicon_add(kt_lexicon *lex, const char *word)
{
    char f[KT_TEXT_MAX_WORD];
    size_t n = kt_text_fold(word, f, sizeof f);
    return lex_add_folded(lex, f, n);
}

/* A dictionary line is a useful compound part when it is a lower-case word of letters only. */
static bool lexicon_line_ok(const char *line, const char *folded)
{
    if (line[0] >= 'A' && line[0] <= 'Z')
        return false;
    if ((unsigned char)line[0] == 0xC3 && (unsigned char)line[1] >= 0x80 &&
        (unsigned char)line[1] <= 0x9E)
        return false; /* É, Ö...: capitals too */
    for (const char *p = folded; *p; p++)
        if (*p < 'a' || *p > 'z')
            return false;
    return folded[0] != 0;
}

int kt_lexicon_load(kt_lexicon *lex, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return KT_EIO;
    char line[256], folded[KT_TEXT_MAX_WORD * 2];
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        size_t n = kt_text_fold(line, folded, sizeof folded);
        if (n < KT_TEXT_MAX_WORD && lexicon_line_ok(line, folded))
            rc = lex_add_folded(lex, folded, n);
    }
    if (!rc && ferror(f))
        rc = KT_EIO;
    fclose(f);
    return rc;
}

bool kt_lexicon_has(const kt_lexicon *lex, const char *folded, size_t len)
{
    uint32_t unused;
    if (!lex || !len || len >= KT_TEXT_MAX_WORD)
        return false;
    return kt_strmap_get(&lex->words, folded, len, &unused);
}

size_t kt_lexicon_size(const kt_lexicon *lex)
{
    return lex ? lex->words.len : 0;
}

/* --- compounds --------------------------------------------------------------------------- */

/* Word endings that a dictionary lists as words but that are suffixes in a compound:
 * "werkloos|heid", "bestuur|lijke". And particles that start verbs rather than compounds:
 * "terug|koppeling", "samen|werking". */
static const char *const bad_tails[] = {
    "aar",     "aars",  "achtig", "achtige",  "baar", "bare",     "dom",   "erij",
    "heden",   "heid",  "ing",    "ingen",    "isch", "ische",    "iteit", "lijk",
    "lijke",   "lijks", "ling",   "lingen",   "loos", "loosheid", "loze",  "matig",
    "matige",  "nis",   "schap",  "schappen", "ster", "teit",     "tje",   "tjes",
    "waardig", "wijs",  "wijze",  "zaam",     "zame",
};
static const char *const bad_heads[] = {
    "achter", "door",  "mee",   "neer", "om",  "onder", "over",
    "samen",  "terug", "tegen", "toe",  "uit", "voor",  "weer",
};

/* head: the first part, checked against particles; later parts against suffixes. */
static bool part_ok(const kt_lexicon *lex, const char *s, size_t n, bool head)
{
    if (!kt_lexicon_has(lex, s, n))
        return false;
    char w[KT_TEXT_MAX_WORD];
    memcpy(w, s, n);
    w[n] = 0;
    /* A long stop word may start a compound ("tussen|evaluatie", "binnen|stad"): the caller
     * drops it as a term, but the split shows what the word is made of. */
    if (kt_text_is_stopword(w) && !(head && n >= 5))
        return false;
    const char *const *bad = head ? bad_heads : bad_tails;
    size_t nbad = head ? COUNT(bad_heads) : COUNT(bad_tails);
    for (size_t i = 0; i < nbad; i++) /* the first letter first: a call for few of them */
        if (bad[i][0] == w[0] && !strcmp(bad[i] + 1, w + 1))
            return false;
    return true;
}

typedef struct split_best {
    int nparts;
    int score; /* sum of squared part lengths: long parts beat many short ones */
    uint8_t off[KT_TEXT_MAX_PARTS], len[KT_TEXT_MAX_PARTS];
} split_best;

/* Shortest parts allowed: a part of a word the dictionary knows must be long, because short
 * pieces of known words are mostly accidents ("jong|eren", "voort|gang", "mede|werkers"),
 * while unknown words are mostly real compounds or names. Next to a long part a part may be
 * one letter shorter: last after a long one ("jongeren|werk", "escape|room"), first before a
 * very long rest ("laag|geletterdheid"). */
typedef struct split_rule {
    size_t min_part, long_prev, long_rest;
} split_rule;

static const split_rule rule_known = {5, 6, 8}, rule_unknown = {4, 5, 7};

/* Depth-first search over split points; words are short (< 64 bytes), parts at most 4. */
static void split_rec(const kt_lexicon *lex, const char *w, size_t len, size_t at,
                      const split_rule *rule, split_best *cur, split_best *best)
{
    if (at == len) {
        if (cur->nparts >= 2 && (cur->nparts < best->nparts || !best->nparts ||
                                 (cur->nparts == best->nparts && cur->score > best->score)))
            *best = *cur;
        return;
    }
    if (cur->nparts == KT_TEXT_MAX_PARTS)
        return;
    if (best->nparts && cur->nparts + 1 > best->nparts)
        return;
    size_t prev = cur->nparts ? cur->len[cur->nparts - 1] : 0;
    size_t min_last = prev >= rule->long_prev ? rule->min_part - 1 : rule->min_part;
    for (size_t end = len; end > at; end--) {
        size_t n = end - at;
        bool last = end == len;
        size_t min = rule->min_part;
        if (last && cur->nparts)
            min = min_last;
        else if (!cur->nparts && len - end >= rule->long_rest)
            min = rule->min_part - 1;
        if (n < min)
            break;
        if (cur->nparts == 0 && last)
            continue; /* the whole word is not a split */
        if (!part_ok(lex, w + at, n, cur->nparts == 0))
            continue;
        split_best next = *cur;
        next.off[next.nparts] = (uint8_t)at;
        next.len[next.nparts] = (uint8_t)n;
        next.nparts++;
        next.score += (int)(n * n);
        split_rec(lex, w, len, end, rule, &next, best);
        /* Linking -s-: "ondermijning|s|beeld", "gezin|s|bescherming". */
        if (!last && w[end] == 's' && end + 1 < len)
            split_rec(lex, w, len, end + 1, rule, &next, best);
    }
}

int kt_text_split_compound(const kt_lexicon *lex, const char *word, size_t len,
                           uint8_t off[KT_TEXT_MAX_PARTS], uint8_t plen[KT_TEXT_MAX_PARTS])
{
    if (!lex || len < 7 || len >= KT_TEXT_MAX_WORD)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (word[i] < 'a' || word[i] > 'z')
            return 0;
    const split_rule *rule = kt_lexicon_has(lex, word, len) ? &rule_known : &rule_unknown;
    split_best cur = {0}, best = {0};
    split_rec(lex, word, len, 0, rule, &cur, &best);
    for (int i = 0; i < best.nparts; i++) {
        off[i] = best.off[i];
        plen[i] = best.len[i];
    }
    return best.nparts;
}

/* An unknown word that no split explains may still end in a long word of the list: a compound
 * whose modifier the list lacks ("cyber|weerbaarheid", "shisha|lounges", "tiktok|filmpjes").
 * Dutch compounds take their head last, so the longest known ending of at least min_head
 * letters is the head and what comes before it (at least 3 letters) the modifier. */
int kt_text_split_head(const kt_lexicon *lex, const char *word, size_t len, size_t min_head,
                       uint8_t off[KT_TEXT_MAX_PARTS], uint8_t plen[KT_TEXT_MAX_PARTS])
{
    if (!lex || !min_head || len < min_head + 3 || len >= KT_TEXT_MAX_WORD)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (word[i] < 'a' || word[i] > 'z')
            return 0;
    if (kt_lexicon_has(lex, word, len))
        return 0;
    for (size_t at = 3; len - at >= min_head; at++)
        if (part_ok(lex, word + at, len - at, false)) {
            off[0] = 0;
            plen[0] = (uint8_t)at;
            off[1] = (uint8_t)at;
            plen[1] = (uint8_t)(len - at);
            return 2;
        }
    return 0;
}

/* --- stemming ---------------------------------------------------------------------------- */

struct kt_stemmer {
    struct sb_stemmer *sb;
    const kt_lexicon *lex;
};

kt_stemmer *kt_stemmer_new(const kt_lexicon *lex)
{
    kt_stemmer *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->sb = sb_stemmer_new("dutch", "UTF_8");
    if (!st->sb) {
        free(st);
        return NULL;
    }
    st->lex = lex;
    return st;
}

void kt_stemmer_free(kt_stemmer *st)
{
    if (!st)
        return;
    sb_stemmer_delete(st->sb);
    free(st);
}

static bool is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

size_t kt_stemmer_stem(kt_stemmer *st, const char *folded, size_t len, char *out, size_t cap)
{
    if (!cap)
        return 0;
    /* Snowball keeps -s after a vowel ("controles" stays, "controle" becomes "control"), so
     * plurals in -s would not meet their singular. Drop it when the dictionary knows the
     * singular; without a dictionary Snowball's rule stands. */
    if (len >= 5 && folded[len - 1] == 's' && is_vowel(folded[len - 2]) &&
        kt_lexicon_has(st->lex, folded, len - 1))
        len--;
    /* English loanwords take -es after ch and sh ("coaches", "lifecoaches"), which Snowball
     * Dutch leaves on: "lifecoaches" would not meet "life-coaching". */
    if (len >= 6 && !memcmp(folded + len - 2, "es", 2) && folded[len - 3] == 'h' &&
        (folded[len - 4] == 'c' || folded[len - 4] == 's'))
        len -= 2;
    const sb_symbol *r = sb_stemmer_stem(st->sb, (const sb_symbol *)folded, (int)len);
    size_t n = r ? (size_t)sb_stemmer_length(st->sb) : 0;
    if (!r) { /* out of memory inside libstemmer: the word itself is a fair stand-in */
        r = (const sb_symbol *)folded;
        n = len;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, r, n);
    /* Dutch stems do not end in a doubled consonant; Snowball undoubles only k, d and t, so
     * "messen" would stay "mess" while "mes" is "mes". */
    if (n >= 3 && out[n - 1] == out[n - 2] && !is_vowel(out[n - 1]) && out[n - 1] >= 'a' &&
        out[n - 1] <= 'z')
        n--;
    out[n] = 0;
    return n;
}
