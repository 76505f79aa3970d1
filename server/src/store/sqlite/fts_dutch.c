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

typedef struct tok {
    kt_stemmer *stem; /* one per tokenizer: FTS5 uses a tokenizer on one connection's thread */
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

static int on_word(const kt_word *w, void *arg)
{
    tok_run *r = arg;
    if (!w->len || kt_text_is_stopword(w->folded))
        return 0;
    int start = (int)(w->orig - r->base);
    int end = start + (int)w->orig_len;
    char stem[KT_TEXT_MAX_WORD];
    size_t n;
    if (w->digits) {
        memcpy(stem, w->folded, (size_t)w->len + 1);
        n = w->len;
    } else {
        n = kt_stemmer_stem(r->t->stem, w->folded, w->len, stem, sizeof stem);
    }
    r->rc = r->emit(r->ctx, 0, stem, (int)n, start, end);
    if (r->rc != SQLITE_OK)
        return 1;
    if (!r->document || w->digits || !lex_shared || w->len < 8)
        return 0;
    uint8_t off[KT_TEXT_MAX_PARTS], plen[KT_TEXT_MAX_PARTS];
    int parts = kt_text_split_compound(lex_shared, w->folded, w->len, off, plen);
    for (int i = 0; i < parts; i++) {
        if (plen[i] < 3)
            continue;
        char part[KT_TEXT_MAX_WORD], pstem[KT_TEXT_MAX_WORD];
        memcpy(part, w->folded + off[i], plen[i]);
        part[plen[i]] = 0;
        if (kt_text_is_stopword(part))
            continue;
        size_t pn = kt_stemmer_stem(r->t->stem, part, plen[i], pstem, sizeof pstem);
        if (pn == n && !memcmp(pstem, stem, n))
            continue;
        r->rc = r->emit(r->ctx, FTS5_TOKEN_COLOCATED, pstem, (int)pn, start, end);
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
