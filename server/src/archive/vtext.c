/* Sentences, patterns, names, dates and times for reading a verslag; see vtext.h. */
#include "archive/vtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- words ------------------------------------------------------------------------------- */

static bool starts_capital(const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    if (!n)
        return false;
    if (u[0] >= 'A' && u[0] <= 'Z')
        return true;
    /* À..Þ (U+00C0..U+00DE) except ×; Ĳ (U+0132); Ç, Ö etc. are in that range */
    if (n >= 2 && u[0] == 0xC3 && u[1] >= 0x80 && u[1] <= 0x9E && u[1] != 0x97)
        return true;
    if (n >= 2 && u[0] == 0xC4 && u[1] == 0xB2)
        return true;
    return false;
}

static int add_word(const kt_word *w, void *ctx)
{
    kt_vt_sentence *s = ctx;
    if (s->n >= KT_VT_MAX_WORDS)
        return 1;
    kt_vt_word *o = &s->w[s->n++];
    memcpy(o->f, w->folded, (size_t)w->len + 1);
    o->orig = w->orig;
    o->orig_len = w->orig_len;
    o->cap = starts_capital(w->orig, w->orig_len);
    return 0;
}

void kt_vt_words(const char *text, kt_vt_sentence *out)
{
    out->n = 0;
    out->question = false;
    kt_text_words(text, add_word, out);
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '*' || text[len - 1] == '"' ||
                   text[len - 1] == '\'' || text[len - 1] == ')'))
        len--;
    out->question = len && text[len - 1] == '?';
}

/* --- sentences --------------------------------------------------------------------------- */

/* Abbreviations after which a period does not end a sentence (folded, without periods). */
static const char *const abbrevs[] = {
    "bijv", "bv",   "ca",   "dhr",  "dr", "drs", "dwz", "ea",   "ed",  "etc", "evt", "excl",
    "ggd",  "ibid", "incl", "ing",  "ir", "jl",  "mbt", "mevr", "mr",  "mw",  "nl",  "nr",
    "oa",   "pag",  "prof", "resp", "st", "tav", "tel", "ivm",  "zgn", "zie",
};

static bool is_abbrev(const char *s, size_t end)
{
    /* The word that ends at s[end-1] (the period at s[end]), periods inside kept out. */
    size_t b = end;
    while (b > 0 && s[b - 1] != ' ' && s[b - 1] != '\n' && s[b - 1] != '(' && end - b < 16)
        b--;
    char w[20];
    size_t k = 0;
    for (size_t i = b; i < end && k + 1 < sizeof w; i++) {
        char c = s[i];
        if (c == '.')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        w[k++] = c;
    }
    w[k] = 0;
    if (k == 1 && s[b] >= 'A' && s[b] <= 'Z')
        return true; /* an initial: "J. Jansen" */
    for (size_t i = 0; i < sizeof abbrevs / sizeof abbrevs[0]; i++)
        if (!strcmp(w, abbrevs[i]))
            return true;
    return false;
}

void kt_vt_sentences(const char *s, size_t n, kt_vt_sentence_fn fn, void *ctx)
{
    size_t start = 0;
    while (start < n && (s[start] == ' ' || s[start] == '\n'))
        start++;
    for (size_t i = start; i < n; i++) {
        char c = s[i];
        if (c != '.' && c != '?' && c != '!')
            continue;
        size_t j = i + 1;
        while (j < n && (s[j] == '*' || s[j] == '"' || s[j] == ')' || s[j] == '\''))
            j++;
        if (j < n && s[j] != ' ' && s[j] != '\n')
            continue;
        size_t k = j;
        while (k < n && (s[k] == ' ' || s[k] == '\n'))
            k++;
        if (k < n) {
            unsigned char d = (unsigned char)s[k];
            bool opens = (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9') || d == '"' ||
                         d == '\'' || d == '*' || d == '(' || d >= 0xC3;
            if (!opens)
                continue;
        }
        if (c == '.' && is_abbrev(s, i))
            continue;
        fn(s + start, j - start, ctx);
        start = k;
        i = k ? k - 1 : 0;
    }
    size_t end = n;
    while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\n'))
        end--;
    if (end > start)
        fn(s + start, end - start, ctx);
}

/* --- patterns ---------------------------------------------------------------------------- */

#define GAP_WORDS 5

static bool word_matches(const char *pat, size_t plen, const char *w)
{
    if (plen && pat[plen - 1] == '*')
        return strncmp(w, pat, plen - 1) == 0;
    return strlen(w) == plen && strncmp(w, pat, plen) == 0;
}

/* Matches the pattern words pat[0..np) at sentence word i; returns one past the end or 0. */
static size_t match_at(const kt_vt_sentence *s, size_t i, const char *const *pw, const size_t *pl,
                       size_t np)
{
    size_t at = i;
    for (size_t k = 0; k < np; k++) {
        if (pl[k] == 1 && pw[k][0] == '*') {
            /* a gap: try the rest after 0..GAP_WORDS words */
            for (size_t g = 0; g <= GAP_WORDS && at + g <= s->n; g++) {
                size_t e = match_at(s, at + g, pw + k + 1, pl + k + 1, np - k - 1);
                if (e)
                    return e;
            }
            return 0;
        }
        if (at >= s->n || !word_matches(pw[k], pl[k], s->w[at].f))
            return 0;
        at++;
    }
    return at > i ? at : (np == 0 ? i + 1 : 0);
}

int kt_vt_find(const kt_vt_sentence *s, size_t from, const char *pattern, size_t *end)
{
    const char *pw[12];
    size_t pl[12], np = 0;
    const char *p = pattern;
    while (*p && np < 12) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        pw[np] = p;
        while (*p && *p != ' ')
            p++;
        pl[np] = (size_t)(p - pw[np]);
        np++;
    }
    if (!np)
        return -1;
    for (size_t i = from; i < s->n; i++) {
        size_t e = match_at(s, i, pw, pl, np);
        if (e) {
            if (end)
                *end = e;
            return (int)i;
        }
    }
    return -1;
}

/* --- names ------------------------------------------------------------------------------- */

static const char *const particles[] = {"'t", "d'",  "da",  "de",  "den", "der",   "di", "du",
                                        "el", "het", "in",  "la",  "le",  "op",    "s",  "t",
                                        "te", "ten", "ter", "uit", "van", "vande", "von"};

bool kt_vt_particle(const char *w)
{
    for (size_t i = 0; i < sizeof particles / sizeof particles[0]; i++)
        if (!strcmp(w, particles[i]))
            return true;
    return false;
}

size_t kt_vt_name_run(const kt_vt_sentence *s, size_t i, size_t max)
{
    if (i >= s->n || !s->w[i].cap)
        return 0;
    size_t last = i; /* the last capitalised word in the run */
    for (size_t j = i + 1; j < s->n && j - i < max; j++) {
        if (s->w[j].cap) {
            /* Words must be adjacent in the original: "Jansen. Piet" or "Jansen, Piet" are
             * two runs. */
            const char *gap = s->w[j - 1].orig + s->w[j - 1].orig_len;
            bool adjacent = true;
            for (const char *g = gap; g < s->w[j].orig; g++)
                if (*g != ' ' && *g != '-')
                    adjacent = false;
            if (!adjacent)
                break;
            last = j;
        } else if (!kt_vt_particle(s->w[j].f)) {
            break;
        }
    }
    return last - i + 1;
}

/* --- dates and times --------------------------------------------------------------------- */

static const char *const months[] = {"januari",   "februari", "maart",    "april",
                                     "mei",       "juni",     "juli",     "augustus",
                                     "september", "oktober",  "november", "december"};
static const char *const month_abbr[] = {"jan", "feb", "mrt", "apr", "mei", "jun",
                                         "jul", "aug", "sep", "okt", "nov", "dec"};

int kt_vt_month(const char *f)
{
    for (int i = 0; i < 12; i++)
        if (!strcmp(f, months[i]) || !strcmp(f, month_abbr[i]))
            return i + 1;
    if (!strcmp(f, "sept") || !strcmp(f, "maa"))
        return !strcmp(f, "sept") ? 9 : 3;
    return 0;
}

static bool real_day(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        max = 29;
    return d <= max;
}

static bool put_date(int y, int m, int d, char out[11])
{
    if (y >= 0 && y < 100)
        y += 2000;
    if (!real_day(y, m, d))
        return false;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return true;
}

/* Reads up to 4 digits at s; returns the count of digits read (0: none). */
static int read_num(const char *s, int *v)
{
    int k = 0, x = 0;
    while (k < 5 && s[k] >= '0' && s[k] <= '9')
        x = x * 10 + (s[k++] - '0');
    *v = x;
    return k;
}

static bool numeric_date(const char *text, char out[11])
{
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9' || (p > text && p[-1] >= '0' && p[-1] <= '9'))
            continue;
        int a, b, c;
        int na = read_num(p, &a);
        char sep = p[na];
        if (na < 1 || na > 4 || (sep != '-' && sep != '/' && sep != '.'))
            continue;
        int nb = read_num(p + na + 1, &b);
        if (nb < 1 || nb > 2 || p[na + 1 + nb] != sep)
            continue;
        int nc = read_num(p + na + 2 + nb, &c);
        if (nc < 2 || nc > 4 || (p[na + 2 + nb + nc] >= '0' && p[na + 2 + nb + nc] <= '9'))
            continue;
        if (na == 4 ? put_date(a, b, c, out) : (nc != 3 && put_date(c, b, a, out)))
            return true;
    }
    return false;
}

bool kt_vt_date(const char *text, int default_year, char out[11])
{
    if (numeric_date(text, out))
        return true;
    kt_vt_sentence *s = malloc(sizeof *s);
    if (!s)
        return false;
    kt_vt_words(text, s);
    bool found = false;
    for (size_t i = 0; i + 1 < s->n && !found; i++) {
        int d;
        if (read_num(s->w[i].f, &d) != (int)strlen(s->w[i].f) || d < 1 || d > 31)
            continue;
        int m = kt_vt_month(s->w[i + 1].f);
        if (!m)
            continue;
        int y = default_year;
        if (i + 2 < s->n) {
            int yy;
            int ny = read_num(s->w[i + 2].f, &yy);
            if (ny == 4 && ny == (int)strlen(s->w[i + 2].f))
                y = yy;
        }
        if (y)
            found = put_date(y, m, d, out);
    }
    free(s);
    return found;
}

size_t kt_vt_times(const char *text, char out[][6], size_t max)
{
    size_t n = 0;
    for (const char *p = text; *p && n < max; p++) {
        if (*p < '0' || *p > '9' ||
            (p > text &&
             ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.' || p[-1] == ':' || p[-1] == '-')))
            continue;
        int h, m = 0;
        int nh = read_num(p, &h);
        if (nh < 1 || nh > 2 || h > 24)
            continue;
        const char *q = p + nh;
        if ((*q == '.' || *q == ':' || *q == 'u') && q[1] >= '0' && q[1] <= '9') {
            int nm = read_num(q + 1, &m);
            if (nm != 2 || m > 59)
                continue;
            q += 1 + nm;
            /* "24.05.2023" is a date, not a time */
            if (*q == '.' && q[1] >= '0' && q[1] <= '9')
                continue;
        } else {
            /* a bare hour needs "uur" after it: "14 uur" */
            while (*q == ' ')
                q++;
            if (strncmp(q, "uur", 3) != 0)
                continue;
        }
        if (h == 24)
            h = 0;
        snprintf(out[n++], 6, "%02d:%02d", h, m);
        p = q - 1;
    }
    return n;
}
