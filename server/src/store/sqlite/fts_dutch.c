/* FTS5 tokenizer "ktdutch" and auxiliary function kt_hits(); see fts_dutch.h. */
#include "store/sqlite/fts_dutch.h"

#include "detect/text.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The word list compounds are split against (Debian's wdutch, a dependency). Loaded once per
 * process and read-only after that; without it documents are indexed without compound parts
 * and plural -s after a vowel stays, for index and queries alike. The choice is made once, so a
 * database sees one tokenizer for its whole life in a process. */
#define KT_DUTCH_WORDS "/usr/share/dict/dutch"

static pthread_once_t lex_once = PTHREAD_ONCE_INIT;
static kt_lexicon *lex_shared;

static void lex_load(void)
{
    kt_lexicon *lex = kt_lexicon_new();
    if (lex && kt_lexicon_load(lex, KT_DUTCH_WORDS) == 0 && kt_lexicon_size(lex) > 1000) {
        lex_shared = lex;
        return;
    }
    kt_lexicon_free(lex);
}

/* What a word (folded, without digits) becomes in the index, remembered by the tokenizer: chat,
 * minutes and actions repeat their words, and a stem (Snowball and the word list's plural check)
 * and a compound's parts cost thousands of instructions a word, about all of a short text's
 * indexing. Direct-mapped: a word takes the slot of its hash, whatever was there before. */
#define CACHE_SLOTS 1024 /* a power of two; ~200 bytes each, allocated on first use */

typedef struct cached {
    uint8_t len; /* of word; 0: an empty slot */
    bool stop;   /* a stop word: nothing is indexed */
    uint8_t stem_len, nparts;
    uint8_t part_len[KT_TEXT_MAX_PARTS];
    char word[KT_TEXT_MAX_WORD];
    char stem[KT_TEXT_MAX_WORD];
    char parts[KT_TEXT_MAX_WORD]; /* the stems of the compound's parts, one after another */
} cached;

typedef struct tok {
    kt_stemmer *stem; /* one per tokenizer: FTS5 uses a tokenizer on one connection's thread */
    cached *cache;    /* CACHE_SLOTS, or NULL (not yet, or out of memory: every word analysed) */
} tok;

static int tok_create(void *ctx, const char **argv, int argc, Fts5Tokenizer **out)
{
    (void)ctx;
    (void)argv;
    (void)argc;
    pthread_once(&lex_once, lex_load);
    tok *t = calloc(1, sizeof *t);
    if (!t)
        return SQLITE_NOMEM;
    t->stem = kt_stemmer_new(lex_shared);
    if (!t->stem) {
        free(t);
        return SQLITE_NOMEM;
    }
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p)
{
    tok *t = (tok *)p;
    if (!t)
        return;
    kt_stemmer_free(t->stem);
    free(t->cache);
    free(t);
}

typedef struct tok_run {
    tok *t;
    void *ctx;
    int (*emit)(void *, int, const char *, int, int, int);
    const char *base;
    bool document;
    int rc;
} tok_run;

/* Analyses word (folded, len < KT_TEXT_MAX_WORD, no digits) into c: whether it is a stop word,
 * its stem and, for a long word and a word list, the stems of its compound's parts that differ
 * from the word's (each at least 3 letters and not a stop word). false when the parts' stems do
 * not fit in c (not kept then; never for real words). */
static bool analyse(tok *t, const char *word, size_t len, cached *c)
{
    c->len = (uint8_t)len;
    memcpy(c->word, word, len);
    c->word[len] = 0;
    c->stem_len = c->nparts = 0;
    c->stop = kt_text_is_stopword(word);
    if (c->stop)
        return true;
    c->stem_len = (uint8_t)kt_stemmer_stem(t->stem, word, len, c->stem, sizeof c->stem);
    if (!lex_shared || len < 8)
        return true;
    uint8_t off[KT_TEXT_MAX_PARTS], plen[KT_TEXT_MAX_PARTS];
    int parts = kt_text_split_compound(lex_shared, word, len, off, plen);
    size_t used = 0;
    for (int i = 0; i < parts; i++) {
        if (plen[i] < 3)
            continue;
        char part[KT_TEXT_MAX_WORD], pstem[KT_TEXT_MAX_WORD];
        memcpy(part, word + off[i], plen[i]);
        part[plen[i]] = 0;
        if (kt_text_is_stopword(part))
            continue;
        size_t pn = kt_stemmer_stem(t->stem, part, plen[i], pstem, sizeof pstem);
        if (pn == c->stem_len && !memcmp(pstem, c->stem, pn))
            continue;
        if (used + pn > sizeof c->parts)
            return false;
        memcpy(c->parts + used, pstem, pn);
        used += pn;
        c->part_len[c->nparts++] = (uint8_t)pn;
    }
    return true;
}

static uint32_t word_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* w's analysis: from the cache, or made (and kept) now; tmp when the cache has no room. */
static const cached *analysis(tok *t, const kt_word *w, cached *tmp)
{
    if (!t->cache)
        t->cache = calloc(CACHE_SLOTS, sizeof *t->cache);
    cached *c = t->cache ? &t->cache[word_hash(w->folded, w->len) & (CACHE_SLOTS - 1)] : NULL;
    if (c && c->len == w->len && !memcmp(c->word, w->folded, w->len))
        return c;
    if (c && analyse(t, w->folded, w->len, c))
        return c;
    if (c)
        c->len = 0; /* half written */
    analyse(t, w->folded, w->len, tmp);
    return tmp;
}

static int on_word(const kt_word *w, void *arg)
{
    tok_run *r = arg;
    if (!w->len)
        return 0;
    int start = (int)(w->orig - r->base);
    int end = start + (int)w->orig_len;
    if (w->digits) { /* kept as it is */
        if (kt_text_is_stopword(w->folded))
            return 0;
        r->rc = r->emit(r->ctx, 0, w->folded, (int)w->len, start, end);
        return r->rc != SQLITE_OK;
    }
    cached tmp;
    const cached *c = analysis(r->t, w, &tmp);
    if (c->stop)
        return 0;
    r->rc = r->emit(r->ctx, 0, c->stem, (int)c->stem_len, start, end);
    if (r->rc != SQLITE_OK)
        return 1;
    if (!r->document)
        return 0;
    for (int i = 0, at = 0; i < c->nparts; at += c->part_len[i++]) {
        r->rc = r->emit(r->ctx, FTS5_TOKEN_COLOCATED, c->parts + at, c->part_len[i], start, end);
        if (r->rc != SQLITE_OK)
            return 1;
    }
    return 0;
}

static int tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int n,
                        int (*emit)(void *, int, const char *, int, int, int))
{
    if (n <= 0)
        return SQLITE_OK;
    /* kt_text_words wants a NUL-terminated text; FTS5 hands a length. */
    char *copy = malloc((size_t)n + 1);
    if (!copy)
        return SQLITE_NOMEM;
    memcpy(copy, text, (size_t)n);
    copy[n] = 0;
    tok_run r = {(tok *)p, ctx, emit, copy, (flags & FTS5_TOKENIZE_DOCUMENT) != 0, SQLITE_OK};
    kt_text_words(copy, on_word, &r);
    free(copy);
    return r.rc;
}

/* kt_hits(tbl): "len tf0 tf1 ..." for the current row: the row's token count over its first
 * two columns (title, text) and, per phrase of the query, its hits, the title's counted
 * twice. The search ranks with these (BM25 over the rows the reader may see). */
static void kt_hits(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nval,
                    sqlite3_value **val)
{
    (void)nval;
    (void)val;
    int ninst = 0, nphrase = api->xPhraseCount(fts);
    int len0 = 0, len1 = 0;
    if (api->xColumnSize(fts, 0, &len0) != SQLITE_OK ||
        api->xColumnSize(fts, 1, &len1) != SQLITE_OK || api->xInstCount(fts, &ninst) != SQLITE_OK) {
        sqlite3_result_error(ctx, "kt_hits failed", -1);
        return;
    }
    enum { MAXP = 16 };
    int tf[MAXP] = {0};
    for (int i = 0; i < ninst; i++) {
        int phrase, col, off;
        if (api->xInst(fts, i, &phrase, &col, &off) != SQLITE_OK)
            break;
        if (phrase >= 0 && phrase < MAXP && col <= 1)
            tf[phrase] += col == 0 ? 2 : 1;
    }
    char buf[16 * (MAXP + 1)];
    int o = snprintf(buf, sizeof buf, "%d", len0 + len1);
    for (int i = 0; i < nphrase && i < MAXP; i++)
        o += snprintf(buf + o, sizeof buf - (size_t)o, " %d", tf[i]);
    sqlite3_result_text(ctx, buf, o, SQLITE_TRANSIENT);
}

static fts5_api *fts5_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    return api;
}

int kt_fts_dutch_register(sqlite3 *db)
{
    fts5_api *api = fts5_of(db);
    if (!api)
        return SQLITE_ERROR;
    static fts5_tokenizer tk = {tok_create, tok_delete, tok_tokenize};
    int rc = api->xCreateTokenizer(api, "ktdutch", NULL, &tk, NULL);
    if (rc == SQLITE_OK)
        rc = api->xCreateFunction(api, "kt_hits", NULL, kt_hits, NULL);
    return rc;
}
