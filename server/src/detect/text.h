/* text: the Dutch side of duplicate detection. Turns agenda text into comparable words:
 * case and diacritics folded (coöperatie = cooperatie, ĳ = ij), tokens that keep "13b" and
 * hyphen segments, stop words, Snowball Dutch stems, compounds split against a word list
 * (woningsluitingen -> woning + sluitingen), and the procedural items every agenda has.
 * Nothing here allocates per call except the lexicon and the stemmer, which the caller owns. */
#ifndef KT_DETECT_TEXT_H
#define KT_DETECT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest folded word we look at; longer runs are cut (no Dutch word needs more). */
#define KT_TEXT_MAX_WORD 64
/* Most hyphen segments kept per word ("mbo-2/3-studenten" has few; URLs may have many). */
#define KT_TEXT_MAX_SEG 8
/* Most parts a compound is split into. */
#define KT_TEXT_MAX_PARTS 4

/* Folds UTF-8 text for comparison: ASCII lower case, Latin letters without their diacritics
 * (é->e, ö->o, ß->ss, æ->ae, ĳ->ij), typographic dashes and quotes to '-' and '\'', other
 * punctuation and symbols to ' '. Letters of other scripts are copied unchanged. Invalid UTF-8
 * bytes become ' '. Writes at most cap-1 bytes and a NUL; returns the folded length. */
size_t kt_text_fold(const char *in, char *out, size_t cap);

/* One word of running text: a run of letters and digits, possibly several segments joined by
 * hyphens ("13b-procedure", "life-coaching"). folded holds the segments without the hyphens
 * ("13bprocedure"), except for purely numeric segments, which keep them ("2025-2026"). */
typedef struct kt_word {
    char folded[KT_TEXT_MAX_WORD];
    uint8_t len;                      /* strlen(folded) */
    uint8_t nseg;                     /* >= 1 */
    uint8_t seg_off[KT_TEXT_MAX_SEG]; /* segment i is folded[seg_off[i] .. +seg_len[i]] */
    uint8_t seg_len[KT_TEXT_MAX_SEG];
    uint8_t upper;    /* upper-case letters in the original (acronym hint: "PmG", "RVT") */
    bool digits;      /* any digit */
    bool alpha;       /* any letter */
    const char *orig; /* the word in the caller's text, not NUL-terminated */
    size_t orig_len;
} kt_word;

/* Calls fn for each word of text in order; stops early when fn returns non-zero and returns
 * that value, else 0. text must be NUL-terminated UTF-8 (invalid bytes separate words). */
typedef int (*kt_word_fn)(const kt_word *w, void *ctx);
int kt_text_words(const char *text, kt_word_fn fn, void *ctx);

/* Dutch function words that never carry a subject ("de", "van", "welke", "o.a."...). */
bool kt_text_is_stopword(const char *folded);

/* The built-in prior for agenda words that say little about the subject ("aanpak",
 * "voortgang", "gemeente", "overleg", "update", "plan"): word i (folded, not stemmed; the
 * caller stems it) and its weight in (0, 1) against 1 for ordinary words. Returns NULL past
 * the end. The strings are static. */
size_t kt_text_generic_count(void);
const char *kt_text_generic_word(size_t i, float *weight);
/* The i-th word that names the aspect an item takes of its subject (evaluatie, plan, monitor,
 * beleidsregel, training, financiering, casus...) and its class (1..); NULL after the last. */
const char *kt_text_aspect_word(size_t i, int *cls);

/* 0 when the built-in word lists are sorted as bsearch needs; KT_EINVAL otherwise. */
int kt_text_selfcheck(void);

/* True when the title is one of the procedural items every body has (opening, welkom,
 * mededelingen, verslag/notulen, vaststellen agenda, actielijst, rondvraag, wvttk, sluiting,
 * ingekomen stukken, kennismaking...), possibly with dates, body names and roles around it.
 * "Sluiting" is procedural; "Bestuurlijke sluiting na explosies" is not. NULL is false. */
bool kt_text_is_procedural(const char *title);

/* Whether a folded word (one hyphen segment) can stand in a procedural title: a procedural
 * word, a filler ("vorige", "concept", "stuurgroep"), a stop word or a number. A title with
 * any other word is a subject; callers that see the words anyway can skip
 * kt_text_is_procedural for it. */
bool kt_text_maybe_procedural(const char *folded, size_t len);

/* --- lexicon: known Dutch words, for compound splitting -------------------------------- */

typedef struct kt_lexicon kt_lexicon;

/* An empty lexicon, or NULL when out of memory. Free with kt_lexicon_free. */
kt_lexicon *kt_lexicon_new(void);
void kt_lexicon_free(kt_lexicon *lex);
/* Adds one word (folded here; it need not be). 0 or KT_ENOMEM. */
int kt_lexicon_add(kt_lexicon *lex, const char *word);
/* Adds every line of a word list such as Debian's wdutch (/usr/share/dict/dutch). Lines that
 * start with a capital (names, acronyms) or hold anything but letters are skipped: they make
 * bad compound parts. 0, KT_EIO (cannot read path) or KT_ENOMEM. */
int kt_lexicon_load(kt_lexicon *lex, const char *path);
bool kt_lexicon_has(const kt_lexicon *lex, const char *folded, size_t len);
size_t kt_lexicon_size(const kt_lexicon *lex);

/* Splits a folded word into known parts ("woningsluitingen" -> "woning", "sluitingen";
 * "ondermijningsbeeld" -> "ondermijning", "beeld": the linking s is dropped). Prefers few,
 * long parts; refuses suffix-like parts ("-heid", "-lijk") and particles ("terug-").
 * Writes part offsets/lengths into word; returns the number of parts (>= 2) or 0 when the
 * word is not a compound the lexicon can explain. */
int kt_text_split_compound(const kt_lexicon *lex, const char *word, size_t len,
                           uint8_t off[KT_TEXT_MAX_PARTS], uint8_t plen[KT_TEXT_MAX_PARTS]);
/* An unknown word with no split: its longest known ending (>= min_head letters) as the head,
 * the rest (>= 3 letters) as the modifier; 2 parts, or 0. */
int kt_text_split_head(const kt_lexicon *lex, const char *word, size_t len, size_t min_head,
                       uint8_t off[KT_TEXT_MAX_PARTS], uint8_t plen[KT_TEXT_MAX_PARTS]);

/* --- stemming ---------------------------------------------------------------------------- */

typedef struct kt_stemmer kt_stemmer;

/* Snowball Dutch (libstemmer). lex may be NULL; when given (borrowed, must outlive the
 * stemmer) it lets plural -s after a vowel go ("controles" -> "controle") the way Snowball
 * does after consonants. NULL when out of memory. Not thread-safe: one per thread. */
kt_stemmer *kt_stemmer_new(const kt_lexicon *lex);
void kt_stemmer_free(kt_stemmer *st);
/* Stems a folded word into out (cap >= KT_TEXT_MAX_WORD). Returns the stem length. */
size_t kt_stemmer_stem(kt_stemmer *st, const char *folded, size_t len, char *out, size_t cap);

#endif
