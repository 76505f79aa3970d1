/* archive/vtext: the small pieces of Dutch text handling that reading a verslag needs and the
 * duplicate detector does not: sentences, words with their place in the original, phrase
 * patterns over folded words, capitalised name runs, and Dutch dates and clock times.
 * Folding and word splitting are detect/text.h's (one notion of a Dutch word in ketentafel). */
#ifndef KT_ARCHIVE_VTEXT_H
#define KT_ARCHIVE_VTEXT_H

#include "detect/text.h"

#include <stdbool.h>
#include <stddef.h>

/* Most words of one sentence looked at; the rest of a longer sentence is not recognised. */
#define KT_VT_MAX_WORDS 256

typedef struct kt_vt_word {
    char f[KT_TEXT_MAX_WORD]; /* folded (detect/text.h) */
    const char *orig;         /* in the sentence's text, not NUL-terminated */
    size_t orig_len;
    bool cap; /* starts with a capital letter */
} kt_vt_word;

typedef struct kt_vt_sentence {
    kt_vt_word w[KT_VT_MAX_WORDS];
    size_t n;
    bool question;
} kt_vt_sentence;

/* Splits NUL-terminated text into its words (borrowed pointers into text). */
void kt_vt_words(const char *text, kt_vt_sentence *out);

/* Calls fn for each sentence of a paragraph (s, n bytes; not NUL-terminated): splits after
 * '.', '?' or '!' followed by white space and a capital, a digit or a quote, but not after
 * abbreviations (o.a., bijv., dhr.) or initials. fn gets a pointer into s and a length. */
typedef void (*kt_vt_sentence_fn)(const char *s, size_t n, void *ctx);
void kt_vt_sentences(const char *s, size_t n, kt_vt_sentence_fn fn, void *ctx);

/* Finds a pattern of folded words in the sentence from word `from` on: words separated by
 * spaces, "*" matches up to 5 words, a word ending in '*' matches by prefix ("toezegging*").
 * Returns the index of the first matched word, or -1; *end (may be NULL) gets one past the
 * last. */
int kt_vt_find(const kt_vt_sentence *s, size_t from, const char *pattern, size_t *end);

/* Whether folded word w is a name particle ("van", "de", "der", "ten", "'t"...). */
bool kt_vt_particle(const char *w);

/* The capitalised run of words (with particles between) that starts at word i: a name or an
 * organisation ("Daphne Meijer", "Peter van der Gugten", "Woonplus"). Returns the number of
 * words (0 when word i is not capitalised); at most max words. */
size_t kt_vt_name_run(const kt_vt_sentence *s, size_t i, size_t max);

/* A month's number from a folded Dutch name or abbreviation ("mei", "sept", "okt"), else 0. */
int kt_vt_month(const char *folded);

/* Finds a calendar date in text: "24 mei 2023", "woensdag 24 mei", "24-05-2023", "24/5/23",
 * "2023-05-24". default_year is used when the text has none (0: then no date). Writes
 * "YYYY-MM-DD" into out (11 bytes). Returns true when found. */
bool kt_vt_date(const char *text, int default_year, char out[11]);

/* Finds clock times in text: "13.30 uur", "13:30", "9u30", "14 uur". Writes up to max
 * "HH:MM" strings into out; returns how many were found. */
size_t kt_vt_times(const char *text, char out[][6], size_t max);

#endif
