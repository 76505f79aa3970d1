#include "feed/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(kt_strbuf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->failed = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void kt_sb_addn(kt_strbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void kt_sb_add(kt_strbuf *b, const char *s)
{
    if (s)
        kt_sb_addn(b, s, strlen(s));
}

void kt_sb_addf(kt_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *kt_sb_take(kt_strbuf *b)
{
    char *s = b->failed ? NULL : b->s;
    if (!s && !b->failed)
        s = calloc(1, 1);
    if (b->failed)
        free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = false;
    return s;
}

void kt_sb_free(kt_strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

void kt_sb_add_html(kt_strbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            kt_sb_add(b, "&amp;");
            break;
        case '<':
            kt_sb_add(b, "&lt;");
            break;
        case '>':
            kt_sb_add(b, "&gt;");
            break;
        case '"':
            kt_sb_add(b, "&quot;");
            break;
        case '\'':
            kt_sb_add(b, "&#39;");
            break;
        case '\n':
            kt_sb_add(b, "<br>");
            break;
        default:
            kt_sb_addn(b, s, 1);
        }
    }
}
