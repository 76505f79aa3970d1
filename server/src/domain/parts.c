/* Whole documents in parts (PROTOCOL.md, "Documents in parts"): export.minutes and
 * person.export build their document whole, then hand out the part asked for. The cut is the
 * same on every request for the same data, so that a client asking for part 0, 1, 2, ... gets
 * every entry and every byte of the text once. */
#include "domain/handlers.h"

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
