/* PostgreSQL search; see search.h. */
#include "store/pg/search.h"

#include "detect/text.h"
#include "feed/strbuf.h"
#include "store/db.h"
#include "util/err.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KT_DUTCH_WORDS "/usr/share/dict/dutch"
#define SNIPPET_WORDS  24

/* The lexicon and stemmer of the loop thread (the store is used by one thread at a time). */
static pthread_once_t lex_once = PTHREAD_ONCE_INIT;
static kt_lexicon *lex_shared;
static kt_stemmer *stemmer;

static void lex_load(void)
{
    kt_lexicon *lex = kt_lexicon_new();
    if (lex && kt_lexicon_load(lex, KT_DUTCH_WORDS) == 0 && kt_lexicon_size(lex) > 1000)
        lex_shared = lex;
    else
        kt_lexicon_free(lex);
    stemmer = kt_stemmer_new(lex_shared);
}

typedef struct qstems {
    char stem[KT_SEARCH_MAX_TERMS][KT_TEXT_MAX_WORD];
    size_t len[KT_SEARCH_MAX_TERMS];
    size_t n;
} qstems;

/* The stem of one folded query word (a word with digits stays as it is). */
static size_t stem_of(const char *folded, size_t len, bool digits, char *out)
{
    if (digits || !stemmer) {
        memcpy(out, folded, len + 1);
        return len;
    }
    return kt_stemmer_stem(stemmer, folded, len, out, KT_TEXT_MAX_WORD);
}

static int query_word(const kt_word *w, void *arg)
{
    qstems *q = arg;
    if (!w->len || kt_text_is_stopword(w->folded) || q->n == KT_SEARCH_MAX_TERMS)
        return 0;
    q->len[q->n] = stem_of(w->folded, w->len, w->digits, q->stem[q->n]);
    q->n++;
    return 0;
}

static void query_stems(const kt_search_query *q, qstems *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < q->nterms && out->n < KT_SEARCH_MAX_TERMS; i++) {
        size_t before = out->n;
        kt_text_words(q->terms[i], query_word, out);
        if (out->n == before) { /* keep the term's slot (counted as never hit) */
            out->stem[out->n][0] = 0;
            out->n++;
        } else {
            out->n = before + 1; /* one stem per term */
        }
    }
}

/* ---- reading a document ---- */

typedef struct doc_run {
    const qstems *q;
    int weight;       /* hits count this much (title 2, text 1) */
    uint16_t *tf;     /* per query term */
    uint32_t words;   /* the document's words (compound parts do not count) */
    const char *base; /* the text, for offsets */
    void (*mark)(void *arg, size_t start, size_t end); /* a word that is a hit */
    void *arg;
} doc_run;

/* Which query term a stem is (-1: none). */
static int term_of(const qstems *q, const char *stem, size_t n)
{
    for (size_t i = 0; i < q->n; i++)
        if (q->len[i] == n && q->stem[i][0] && memcmp(q->stem[i], stem, n) == 0)
            return (int)i;
    return -1;
}

static int doc_word(const kt_word *w, void *arg)
{
    doc_run *r = arg;
    if (!w->len || kt_text_is_stopword(w->folded))
        return 0;
    r->words++;
    char stem[KT_TEXT_MAX_WORD];
    size_t n = stem_of(w->folded, w->len, w->digits, stem);
    bool hit = false;
    int t = term_of(r->q, stem, n);
    if (t >= 0) {
        r->tf[t] += (uint16_t)r->weight;
        hit = true;
    }
    if (!w->digits && lex_shared && w->len >= 8) { /* the parts of a compound, as SQLite's */
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
            size_t pn = stem_of(part, plen[i], false, pstem);
            if (pn == n && !memcmp(pstem, stem, n))
                continue;
            int pt = term_of(r->q, pstem, pn);
            if (pt >= 0) {
                r->tf[pt] += (uint16_t)r->weight;
                hit = true;
            }
        }
    }
    if (hit && r->mark)
        r->mark(r->arg, (size_t)(w->orig - r->base), (size_t)(w->orig - r->base) + w->orig_len);
    return 0;
}

static void read_doc(doc_run *r, const char *text)
{
    if (!text || !*text)
        return;
    r->base = text;
    kt_text_words(text, doc_word, r);
}

/* ---- candidates ---- */

/* Every kind of searchable row of the reader's bodies, newest first, narrowed to those whose
 * folded text holds each term's stem (?2..?9: a pattern, '' for unused terms). */
#define FOLD(x) "translate(lower(" x "), 'áàäâãéèëêíìïîóòöôõúùüûçñ', 'aaaaaeeeeiiiiooooouuuucn')"
#define TERM(n)                                                                                    \
    " AND (CAST(?" #n " AS TEXT) = '' OR " FOLD("s.title || ' ' || s.text") " ~ ?" #n ")"
#define BODIES " = ANY(CAST(?1 AS BIGINT[]))"
static const char candidates_sql[] =
    "SELECT s.k, s.id, s.subkind, s.body, s.meeting, s.item, s.conf, s.at, s.title, s.text FROM ("
    "SELECT 1 AS k, i.id, 'agendapunt' AS subkind, i.body_id AS body, i.meeting_id AS meeting, "
    "i.id AS item, i.confidential AS conf, i.created_at AS at, i.title, i.description AS text "
    "FROM items i WHERE i.body_id" BODIES " UNION ALL "
    "SELECT 2, m.id, 'verslag', m.body_id, m.id, NULL, 0, m.starts_at, '', m.minutes "
    "FROM meetings m WHERE m.minutes <> '' AND m.body_id" BODIES " UNION ALL "
    "SELECT 3, a.id, a.kind, a.body_id, NULL, a.origin_item_id, COALESCE(i.confidential, 0), "
    "a.created_at, '', a.text FROM actions a LEFT JOIN items i ON i.id = a.origin_item_id "
    "WHERE a.body_id" BODIES " UNION ALL "
    "SELECT 4, g.id, 'chat', g.body_id, NULL, g.item_id, COALESCE(i.confidential, 0), "
    "g.created_at, '', g.text FROM messages g LEFT JOIN items i ON i.id = g.item_id "
    "WHERE g.body_id" BODIES " UNION ALL "
    "SELECT 5, n.item_id, 'notulen', i.body_id, i.meeting_id, i.id, i.confidential, "
    "n.updated_at, '', n.text FROM item_notes n JOIN items i ON i.id = n.item_id "
    "WHERE i.body_id" BODIES ") s WHERE TRUE" TERM(2) TERM(3) TERM(4) TERM(5) TERM(6) TERM(7)
        TERM(8) TERM(9) " ORDER BY s.id * 8 + s.k DESC LIMIT ?10";

/* A regular expression that finds the word forms a stem comes from: Snowball undoubles vowels
 * ("loods" -> "lod"), so a single a, e, o or u may stand for two. "" for no stem. */
static void stem_pattern(const char *stem, char *out, size_t n)
{
    size_t o = 0;
    out[0] = 0;
    for (const char *p = stem; *p && o + 8 < n; p++) {
        if (strchr("aeou", *p)) {
            o += (size_t)snprintf(out + o, n - o, "%c{1,2}", *p);
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                   (unsigned char)*p >= 0x80) {
            out[o++] = *p;
        } else {
            out[o++] = '\\';
            out[o++] = *p;
        }
        out[o] = 0;
    }
}

int kt_pg_search_candidates(kt_store *st, const kt_search_query *q, kt_search_cand **out, size_t *n,
                            bool *truncated)
{
    pthread_once(&lex_once, lex_load);
    qstems qs;
    query_stems(q, &qs);
    kt_strbuf bodies = {0};
    kt_sb_add(&bodies, "{");
    for (size_t i = 0; i < q->nbodies; i++)
        kt_sb_addf(&bodies, "%s%lld", i ? "," : "", (long long)q->bodies[i]);
    kt_sb_add(&bodies, "}");
    char *body_list = kt_sb_take(&bodies);
    char pattern[KT_SEARCH_MAX_TERMS][KT_TEXT_MAX_WORD * 8];
    kt_db_stmt *s = body_list ? kt_db_prepare(st, candidates_sql) : NULL;
    if (!s) {
        free(body_list);
        return body_list ? KT_ESTORE : KT_ENOMEM;
    }
    kt_db_bind_text(s, 1, body_list);
    for (size_t i = 0; i < KT_SEARCH_MAX_TERMS; i++) {
        stem_pattern(i < qs.n ? qs.stem[i] : "", pattern[i], sizeof pattern[i]);
        kt_db_bind_text(s, 2 + (int)i, pattern[i]);
    }
    /* The narrowing lets through rows the tokenizer refuses; read a few more than wanted. */
    kt_db_bind_int(s, 10, (int64_t)q->max * 4 + 1);
    size_t cap = 0;
    int rc;
    while ((rc = kt_db_step(s)) == KT_DB_ROW) {
        kt_search_cand c = {0};
        doc_run r = {.q = &qs, .tf = c.tf};
        r.weight = 2;
        read_doc(&r, kt_db_text(s, 8));
        r.weight = 1;
        read_doc(&r, kt_db_text(s, 9));
        bool all = true;
        for (size_t i = 0; i < qs.n; i++)
            all = all && c.tf[i] > 0;
        if (!all)
            continue;
        if (*n == q->max) {
            *truncated = true;
            break;
        }
        c.kind = (kt_search_kind)kt_db_int(s, 0);
        c.id = kt_db_int(s, 1);
        snprintf(c.subkind, sizeof c.subkind, "%s", kt_db_text(s, 2) ? kt_db_text(s, 2) : "");
        c.body = kt_db_int(s, 3);
        c.meeting = kt_db_int(s, 4);
        c.item = kt_db_int(s, 5);
        c.confidential = kt_db_int(s, 6) != 0;
        c.at = kt_db_int(s, 7);
        c.len = r.words;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            kt_search_cand *a = realloc(*out, cap * sizeof *a);
            if (!a) {
                rc = KT_ENOMEM;
                break;
            }
            *out = a;
        }
        (*out)[(*n)++] = c;
    }
    kt_db_reset(s);
    free(body_list);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

/* ---- marks ---- */

#define MAX_MARKS 256

typedef struct marks {
    size_t start[MAX_MARKS], end[MAX_MARKS];
    size_t n;
} marks;

static void add_mark(void *arg, size_t start, size_t end)
{
    marks *m = arg;
    if (m->n < MAX_MARKS) {
        m->start[m->n] = start;
        m->end[m->n] = end;
        m->n++;
    }
}

/* text with its hits between \x02 and \x03 (malloc'd). */
static char *marked(const qstems *q, const char *text)
{
    marks m = {.n = 0};
    uint16_t tf[KT_SEARCH_MAX_TERMS] = {0};
    doc_run r = {.q = q, .weight = 1, .tf = tf, .mark = add_mark, .arg = &m};
    read_doc(&r, text);
    kt_strbuf b = {0};
    size_t at = 0;
    for (size_t i = 0; i < m.n; i++) {
        kt_sb_addn(&b, text + at, m.start[i] - at);
        kt_sb_add(&b, "\x02");
        kt_sb_addn(&b, text + m.start[i], m.end[i] - m.start[i]);
        kt_sb_add(&b, "\x03");
        at = m.end[i];
    }
    kt_sb_add(&b, text + at);
    return kt_sb_take(&b);
}

/* Word boundaries of text, for the snippet's window. */
typedef struct words {
    size_t start[4096];
    size_t n;
    const char *base;
} words;

static int any_word(const kt_word *w, void *arg)
{
    words *ws = arg;
    if (ws->n < sizeof ws->start / sizeof ws->start[0])
        ws->start[ws->n++] = (size_t)(w->orig - ws->base);
    return 0;
}

/* About SNIPPET_WORDS words of text around its first hit, marked, with an ellipsis where
 * text was cut (malloc'd). */
static char *snippet(const qstems *q, const char *text)
{
    marks m = {.n = 0};
    uint16_t tf[KT_SEARCH_MAX_TERMS] = {0};
    doc_run r = {.q = q, .weight = 1, .tf = tf, .mark = add_mark, .arg = &m};
    read_doc(&r, text);
    words *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->base = text;
    kt_text_words(text, any_word, ws);
    size_t first = 0, hit_at = m.n ? m.start[0] : 0;
    while (first + 1 < ws->n && ws->start[first + 1] <= hit_at)
        first++;
    size_t from_word = first > SNIPPET_WORDS / 4 ? first - SNIPPET_WORDS / 4 : 0;
    size_t to_word = from_word + SNIPPET_WORDS;
    size_t from = ws->n ? ws->start[from_word] : 0;
    size_t to = to_word < ws->n ? ws->start[to_word] : strlen(text);
    free(ws);
    char *whole = marked(q, text);
    if (!whole)
        return NULL;
    /* Map the cut from the plain text to the marked one (each mark adds two bytes). */
    size_t shift_from = 0, shift_to = 0;
    for (size_t i = 0; i < m.n; i++) {
        if (m.end[i] <= from)
            shift_from += 2;
        if (m.end[i] <= to)
            shift_to += 2;
    }
    kt_strbuf b = {0};
    if (from > 0)
        kt_sb_add(&b, "\xE2\x80\xA6");
    kt_sb_addn(&b, whole + from + shift_from, (to + shift_to) - (from + shift_from));
    if (to < strlen(text))
        kt_sb_add(&b, "\xE2\x80\xA6");
    free(whole);
    return kt_sb_take(&b);
}

int kt_pg_search_marks(kt_store *st, const kt_search_query *q, const kt_search_cand *c,
                       json_t *show)
{
    pthread_once(&lex_once, lex_load);
    qstems qs;
    query_stems(q, &qs);
    const char *sql = NULL;
    switch (c->kind) {
    case KT_SEARCH_ITEM:
        sql = "SELECT title, description FROM items WHERE id = ?1";
        break;
    case KT_SEARCH_MINUTES:
        sql = "SELECT '', minutes FROM meetings WHERE id = ?1";
        break;
    case KT_SEARCH_ACTION:
        sql = "SELECT '', text FROM actions WHERE id = ?1";
        break;
    case KT_SEARCH_MESSAGE:
        sql = "SELECT '', text FROM messages WHERE id = ?1";
        break;
    case KT_SEARCH_NOTES:
        sql = "SELECT '', text FROM item_notes WHERE item_id = ?1";
        break;
    }
    if (!sql)
        return KT_EINVAL;
    kt_db_stmt *s = kt_db_prepare(st, sql);
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, c->id);
    int rc = kt_db_step(s);
    if (rc == KT_DB_ROW) {
        char *title = marked(&qs, kt_db_text(s, 0) ? kt_db_text(s, 0) : "");
        char *snip = snippet(&qs, kt_db_text(s, 1) ? kt_db_text(s, 1) : "");
        if (title && snip) {
            json_object_set_new(show, "title", json_string(title));
            json_object_set_new(show, "snippet", json_string(snip));
        } else {
            rc = KT_ENOMEM;
        }
        free(title);
        free(snip);
    }
    kt_db_reset(s);
    return rc == KT_DB_ROW ? 0 : rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
}
