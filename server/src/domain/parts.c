/* Whole documents in parts (PROTOCOL.md, "Documents in parts"): export.minutes and
 * person.export build their document whole, then hand out the part asked for. The cut is the
 * same on every request for the same data, so that a client asking for part 0, 1, 2, ... gets
 * every entry and every byte of the text once. */
#include "domain/handlers.h"

#include "util/timeutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

size_t kt_parts_split(const size_t *sizes, size_t n, size_t part, size_t max_bytes, size_t *first,
                      size_t *end)
{
    size_t runs = 0, at = 0;
    *first = *end = n;
    while (at < n) {
        size_t start = at, bytes = sizes[at++];
        while (at < n && bytes + sizes[at] <= max_bytes)
            bytes += sizes[at++];
        if (runs == part) {
            *first = start;
            *end = at;
        }
        runs++;
    }
    return runs;
}

/* Where the chunk that starts at text[at] ends: at the last line end within max_bytes, or (a
 * line longer than that) at the last UTF-8 character boundary within it. */
static size_t chunk_end(const char *text, size_t len, size_t at, size_t max_bytes)
{
    if (len - at <= max_bytes)
        return len;
    size_t end = at + max_bytes;
    for (size_t i = end; i > at; i--)
        if (text[i - 1] == '\n')
            return i;
    while (end > at + 1 && ((unsigned char)text[end] & 0xC0) == 0x80)
        end--; /* not inside a character */
    return end;
}

size_t kt_text_part(const char *text, size_t part, size_t max_bytes, size_t *off, size_t *n)
{
    size_t len = text ? strlen(text) : 0, at = 0, chunks = 0;
    *off = len;
    *n = 0;
    if (max_bytes < 8)
        max_bytes = 8;
    while (at < len) {
        size_t end = chunk_end(text, len, at, max_bytes);
        if (chunks == part) {
            *off = at;
            *n = end - at;
        }
        chunks++;
        at = end;
    }
    return chunks;
}

size_t kt_parts_of(const size_t *sizes, size_t n, const char *text, size_t part, size_t *first,
                   size_t *end, size_t *off, size_t *len)
{
    size_t runs = kt_parts_split(sizes, n, part, KT_PART_BYTES, first, end);
    size_t chunks = kt_text_part(text, part, KT_PART_BYTES, off, len);
    size_t parts = runs > chunks ? runs : chunks;
    return parts ? parts : 1;
}

/* ---- the parts of documents, kept for a while (handlers.h: kt_doc_key) ---- */

typedef struct doc_entry {
    kt_doc_key key;
    char **parts; /* serialized results */
    size_t n, bytes;
    int extra;
    int64_t at; /* kt_now_ms() when kept */
    uint64_t used;
} doc_entry;

static struct {
    pthread_mutex_t lock;
    doc_entry e[KT_DOC_CACHE_ENTRIES];
    uint64_t clock;
} docs = {.lock = PTHREAD_MUTEX_INITIALIZER};

void kt_doc_key_init(kt_doc_key *k, const kt_ctx *c, const char *op, int64_t subject)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a over the viewer's items */
    for (int i = 0; i < c->viewer.n_items; i++)
        for (int b = 0; b < 8; b++)
            h = (h ^ (uint8_t)((uint64_t)c->viewer.items[i] >> (8 * b))) * 1099511628211ULL;
    *k = (kt_doc_key){.op = op,
                      .store = c->st,
                      .subject = subject,
                      .person = c->me ? c->me->person : 0,
                      .org = c->me ? c->me->org : 0,
                      .role = (int64_t)c->viewer.role * 2 + (c->me && c->me->admin),
                      .n_items = c->viewer.n_items,
                      .items = h};
}

static bool key_eq(const kt_doc_key *a, const kt_doc_key *b)
{
    return a->op && b->op && !strcmp(a->op, b->op) && a->store == b->store &&
           a->subject == b->subject && a->person == b->person && a->org == b->org &&
           a->role == b->role && a->n_items == b->n_items && a->items == b->items &&
           a->stamp[0] == b->stamp[0] && a->stamp[1] == b->stamp[1];
}

static void entry_free(doc_entry *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->parts[i]);
    free(e->parts);
    memset(e, 0, sizeof *e);
}

/* Drops what is past its age; with lock held. */
static size_t expire(int64_t now)
{
    size_t bytes = 0;
    for (int i = 0; i < KT_DOC_CACHE_ENTRIES; i++) {
        doc_entry *e = &docs.e[i];
        if (e->parts && now - e->at > KT_DOC_CACHE_MS)
            entry_free(e);
        bytes += e->bytes;
    }
    return bytes;
}

json_t *kt_doc_parts_get(const kt_doc_key *k, size_t part, int *extra)
{
    json_t *out = NULL;
    pthread_mutex_lock(&docs.lock);
    expire(kt_now_ms());
    for (int i = 0; i < KT_DOC_CACHE_ENTRIES; i++) {
        doc_entry *e = &docs.e[i];
        if (e->parts && key_eq(&e->key, k) && part < e->n) {
            out = json_loads(e->parts[part], 0, NULL);
            *extra = e->extra;
            e->used = ++docs.clock;
            break;
        }
    }
    pthread_mutex_unlock(&docs.lock);
    return out;
}

void kt_doc_parts_put(const kt_doc_key *k, char **parts, size_t n, int extra)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += strlen(parts[i]);
    doc_entry add = {.key = *k, .parts = parts, .n = n, .bytes = bytes, .extra = extra};
    pthread_mutex_lock(&docs.lock);
    add.at = kt_now_ms();
    add.used = ++docs.clock;
    size_t held = expire(add.at);
    for (int i = 0; i < KT_DOC_CACHE_ENTRIES; i++) /* the same document built again */
        if (docs.e[i].parts && key_eq(&docs.e[i].key, k)) {
            held -= docs.e[i].bytes;
            entry_free(&docs.e[i]);
        }
    for (;;) { /* room: a free slot and the bytes, by dropping the least recently used */
        int free_slot = -1, oldest = -1;
        for (int i = 0; i < KT_DOC_CACHE_ENTRIES; i++) {
            if (!docs.e[i].parts)
                free_slot = free_slot < 0 ? i : free_slot;
            else if (oldest < 0 || docs.e[i].used < docs.e[oldest].used)
                oldest = i;
        }
        if (free_slot >= 0 && held + bytes <= KT_DOC_CACHE_BYTES) {
            docs.e[free_slot] = add;
            break;
        }
        if (oldest < 0) { /* larger than all the room there is */
            entry_free(&add);
            break;
        }
        held -= docs.e[oldest].bytes;
        entry_free(&docs.e[oldest]);
    }
    pthread_mutex_unlock(&docs.lock);
}

bool kt_doc_parts_add(char ***all, size_t n, size_t p, const json_t *part, size_t *bytes)
{
    if (!*all)
        return false;
    char *s = part ? json_dumps(part, JSON_COMPACT) : NULL;
    if (s)
        *bytes += strlen(s);
    if (!s || *bytes > KT_DOC_CACHE_BYTES) {
        free(s);
        for (size_t i = 0; i < n; i++)
            free((*all)[i]);
        free(*all);
        *all = NULL;
        return false;
    }
    (*all)[p] = s;
    return true;
}
