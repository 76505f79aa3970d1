/* Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, max U+10FFFF). */
#ifndef KT_UTF8_H
#define KT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool kt_utf8_valid(const char *s, size_t len);
/* Number of code points in a valid UTF-8 string. */
size_t kt_utf8_length(const char *s);

#endif
