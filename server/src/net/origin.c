#include "net/origin.h"

#include <stdio.h>
#include <string.h>

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool hex_or_colon(char c)
{
    return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

/* Parses [p, end) as scheme://host[:port]; writes the normalised form. */
static bool parse(const char *p, const char *end, char *out, size_t outlen)
{
    char scheme[8];
    size_t n = 0;
    while (p < end && *p != ':' && n < sizeof scheme - 1)
        scheme[n++] = lower(*p++);
    scheme[n] = 0;
    int dflt = strcmp(scheme, "http") == 0 ? 80 : strcmp(scheme, "https") == 0 ? 443 : 0;
    if (!dflt || end - p < 3 || memcmp(p, "://", 3) != 0)
        return false;
    p += 3;
    char host[KT_ORIGIN_MAX + 1];
    size_t h = 0;
    if (p < end && *p == '[') { /* an IPv6 literal */
        host[h++] = *p++;
        while (p < end && *p != ']' && h < sizeof host - 2) {
            char c = lower(*p++);
            if (!hex_or_colon(c))
                return false;
            host[h++] = c;
        }
        if (p == end || *p != ']' || h < 3)
            return false;
        host[h++] = *p++;
    } else {
        while (p < end && *p != ':' && h < sizeof host - 1) {
            char c = lower(*p++);
            if (!host_char(c))
                return false;
            host[h++] = c;
        }
        if (h == 0 || host[0] == '.' || host[0] == '-' || host[h - 1] == '-')
            return false;
    }
    host[h] = 0;
    long port = dflt;
    if (p < end && *p == ':') {
        p++;
        if (p == end || end - p > 5)
            return false;
        port = 0;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9')
                return false;
            port = port * 10 + (*p - '0');
        }
        if (port < 1 || port > 65535)
            return false;
    }
    if (p != end)
        return false;
    int w = snprintf(out, outlen, "%s://%s:%ld", scheme, host, port);
    return w > 0 && (size_t)w < outlen;
}

bool kt_origin_normalise(const char *in, size_t len, char *out, size_t outlen)
{
    if (!in || len == 0 || len > KT_ORIGIN_MAX || memchr(in, 0, len))
        return false;
    return parse(in, in + len, out, outlen);
}

bool kt_origin_of_url(const char *url, char *out, size_t outlen)
{
    if (!url)
        return false;
    const char *sep = strstr(url, "://");
    if (!sep)
        return false;
    const char *end = sep + 3;
    while (*end && *end != '/' && *end != '?' && *end != '#')
        end++;
    return kt_origin_normalise(url, (size_t)(end - url), out, outlen);
}

static bool add(kt_origins *o, const char *norm)
{
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->v[i], norm) == 0)
            return true;
    if (o->n == KT_ORIGINS_MAX_LIST)
        return false;
    snprintf(o->v[o->n++], sizeof o->v[0], "%s", norm);
    return true;
}

bool kt_origins_init(kt_origins *o, const char *public_url, const char *allowed, int loopback_port,
                     const char **bad)
{
    char norm[sizeof o->v[0]];
    memset(o, 0, sizeof *o);
    *bad = public_url;
    if (!kt_origin_of_url(public_url, norm, sizeof norm) || !add(o, norm))
        return false;
    for (const char *p = allowed; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && (*p == ' ')) {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        *bad = p;
        if (len && (!kt_origin_normalise(p, len, norm, sizeof norm) || !add(o, norm)))
            return false;
        p = comma ? comma + 1 : NULL;
    }
    if (loopback_port > 0) {
        static const char *const hosts[] = {"localhost", "127.0.0.1", "[::1]"};
        for (int i = 0; i < 3; i++) {
            snprintf(norm, sizeof norm, "http://%s:%d", hosts[i], loopback_port);
            if (!add(o, norm))
                return false;
        }
    }
    *bad = NULL;
    return true;
}

bool kt_origins_allow(const kt_origins *o, const char *in, size_t len)
{
    char norm[sizeof o->v[0]];
    if (!kt_origin_normalise(in, len, norm, sizeof norm))
        return false;
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->v[i], norm) == 0)
            return true;
    return false;
}
