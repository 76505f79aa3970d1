/* A growable text buffer for the feed and mail renderers. Appends never fail loudly: on a
 * failed allocation the buffer remembers it and kt_sb_take() returns NULL. */
#ifndef KT_STRBUF_H
#define KT_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kt_strbuf {
    char *s; /* NUL-terminated while not failed */
    size_t len, cap;
    bool failed;
} kt_strbuf;

void kt_sb_addn(kt_strbuf *b, const char *s, size_t n);
void kt_sb_add(kt_strbuf *b, const char *s); /* s NULL: nothing */
void kt_sb_addf(kt_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s with & < > " ' escaped for HTML text or attributes, newlines as <br>. */
void kt_sb_add_html(kt_strbuf *b, const char *s);
/* The text, handed to the caller (free it); NULL if an allocation failed. Resets b. */
char *kt_sb_take(kt_strbuf *b);
void kt_sb_free(kt_strbuf *b);

#endif
