/* Resolving the option table (options.c) in layers, checking each value where it is read, and
 * writing the table out as --help, a manual page and check-config's report. */
#include "config/config.h"
#include "util/err.h"
#include "util/utf8.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE_MAX_LEN 4096

const kt_option *kt_conf_option(const char *name)
{
    for (int i = 0; i < kt_n_options; i++)
        if (strcmp(kt_options[i].name, name) == 0)
            return &kt_options[i];
    return NULL;
}

static bool in_file(const kt_option *o)
{
    return !(o->flags & (KT_OPTF_NO_FILE | KT_OPTF_TESTING));
}

/* ---- masking ---- */

void kt_conf_mask_secrets(const char *s, char *out, size_t n)
{
    assert(n > 0);
    snprintf(out, n, "%s", s ? s : "");
    char *scheme = strstr(out, "://");
    if (!scheme)
        return;
    char *auth = scheme + 3;
    char *end = auth + strcspn(auth, "/?#");
    char *at = NULL;
    for (char *p = auth; p < end; p++)
        if (*p == '@')
            at = p; /* the last '@' ends the user information */
    char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    char buf[1024];
    if (colon) {
        snprintf(buf, sizeof buf, "%.*s***%s", (int)(colon + 1 - out), out, at);
        snprintf(out, n, "%s", buf);
    }
    for (char *p = strstr(out, "password="); p; p = strstr(p + 1, "password=")) {
        if (p != out && p[-1] != '?' && p[-1] != '&' && p[-1] != ';')
            continue;
        char *v = p + strlen("password=");
        size_t len = strcspn(v, "&;#");
        snprintf(buf, sizeof buf, "%.*s***%s", (int)(v - out), out, v + len);
        snprintf(out, n, "%s", buf);
    }
}

/* ---- one value ---- */

/* Fills c->err; returns KT_EINVAL. */
static int fail(kt_conf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(kt_conf *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return KT_EINVAL;
}

/* "--port", "KT_PORT" or "FILE:LINE: port": where a value came from, for messages. */
static void where(const kt_conf *c, int i, enum kt_conf_source src, int line, char *buf, size_t n)
{
    const kt_option *o = &kt_options[i];
    switch (src) {
    case KT_SRC_FILE:
        snprintf(buf, n, "%s:%d: %s", c->s.config_path, line, o->name);
        break;
    case KT_SRC_ENV:
        snprintf(buf, n, "%s", o->env);
        break;
    case KT_SRC_FLAG:
        snprintf(buf, n, "--%s", o->name);
        break;
    default:
        snprintf(buf, n, "default of %s", o->name);
    }
}

/* Whether word is one of the '|'-separated words in list. */
static bool one_of(const char *list, const char *word, size_t len)
{
    for (const char *p = list; *p;) {
        size_t l = strcspn(p, "|");
        if (l == len && strncmp(p, word, len) == 0)
            return true;
        p += l;
        if (*p == '|')
            p++;
    }
    return false;
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (int k = 0; k < 4; k++) {
        if (strcmp(v, yes[k]) == 0)
            return *out = true, 0;
        if (strcmp(v, no[k]) == 0)
            return *out = false, 0;
    }
    return KT_EINVAL;
}

static void *field(kt_conf *c, const kt_option *o)
{
    return (char *)&c->s + o->offset;
}

/* Checks v against option i and stores it; on error fills c->err naming src. */
static int set_value(kt_conf *c, int i, const char *v, enum kt_conf_source src, int line)
{
    const kt_option *o = &kt_options[i];
    char at[300], shown[200];
    where(c, i, src, line, at, sizeof at);
    if (o->flags & KT_OPTF_SECRET)
        kt_conf_mask_secrets(v, shown, sizeof shown);
    else
        snprintf(shown, sizeof shown, "%s", v);
    switch (o->kind) {
    case KT_OPT_INT: {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < o->lo || n > o->hi)
            return fail(c, "%s: not a whole number from %d to %d: %s", at, o->lo, o->hi, shown);
        *(int *)field(c, o) = (int)n;
        break;
    }
    case KT_OPT_BOOL:
        if (parse_bool(v, (bool *)field(c, o)))
            return fail(c, "%s: yes or no, not: %s", at, shown);
        break;
    case KT_OPT_CHOICE:
        if (!one_of(o->choices, v, strlen(v)))
            return fail(c, "%s: one of %s, not: %s", at, o->choices, shown);
        *(const char **)field(c, o) = v;
        break;
    case KT_OPT_URL: {
        const char *sep = strstr(v, "://");
        if (!sep || !sep[3] || !one_of(o->choices, v, (size_t)(sep - v)))
            return fail(c, "%s: a URL starting with %s://, not: %s", at, o->choices, shown);
        *(const char **)field(c, o) = v;
        break;
    }
    case KT_OPT_STR:
        if (o->check && !o->check(v))
            return fail(c, "%s: %s, not: %s", at, o->expect, shown);
        *(const char **)field(c, o) = v;
        break;
    }
    c->src[i] = src;
    c->line[i] = line;
    return 0;
}

/* ---- the file ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = 0;
    return s;
}

static int index_of(const char *name)
{
    const kt_option *o = kt_conf_option(name);
    return o ? (int)(o - kt_options) : -1;
}

static int file_line(kt_conf *c, const char *path, int lineno, char *line, int *seen)
{
    char *s = trim(line);
    if (!*s || *s == '#')
        return 0;
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(c, "%s:%d: expected \"name = value\": %.60s", path, lineno, s);
    *eq = 0;
    char *key = trim(s), *val = trim(eq + 1);
    int i = index_of(key);
    if (i < 0)
        return fail(c, "%s:%d: unknown setting \"%.60s\" (see ketentafel --help)", path, lineno,
                    key);
    if (!in_file(&kt_options[i]))
        return fail(c, "%s:%d: %s cannot be set in the configuration file", path, lineno, key);
    if (seen[i])
        return fail(c, "%s:%d: %s is set already on line %d", path, lineno, key, seen[i]);
    if (!*val)
        return fail(c, "%s:%d: %s has no value (leave the line out for the default)", path, lineno,
                    key);
    seen[i] = lineno;
    char *owned = strdup(val);
    if (!owned)
        return fail(c, "out of memory");
    free(c->owned[i]);
    c->owned[i] = owned;
    return set_value(c, i, owned, KT_SRC_FILE, lineno);
}

int kt_conf_read_file(kt_conf *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(c, "%s: cannot read the configuration file: %s", path, strerror(errno));
    free(c->path_owned);
    c->path_owned = strdup(path);
    c->s.config_path = c->path_owned;
    int seen[KT_CONF_MAX_OPTIONS] = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = 0;
    while (!rc && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > LINE_MAX_LEN)
            rc = fail(c, "%s:%d: line longer than %d bytes", path, lineno, LINE_MAX_LEN);
        else if (memchr(line, 0, (size_t)len) || !kt_utf8_valid(line, (size_t)len))
            rc = fail(c, "%s:%d: not UTF-8 text", path, lineno);
        else
            rc = file_line(c, path, lineno, line, seen);
    }
    if (!rc && ferror(f))
        rc = fail(c, "%s: read error", path);
    free(line);
    fclose(f);
    return rc;
}

/* ---- layers ---- */

static int defaults(kt_conf *c)
{
    for (int i = 0; i < kt_n_options; i++) {
        c->src[i] = KT_SRC_DEFAULT;
        if (kt_options[i].dflt && set_value(c, i, kt_options[i].dflt, KT_SRC_DEFAULT, 0))
            return KT_EINVAL; /* a defect in the table; test_config checks every row */
        c->src[i] = KT_SRC_DEFAULT;
    }
    return 0;
}

/* The config option itself is resolved first, by kt_conf_load: skip names it. */
static int environment(kt_conf *c, int skip)
{
    for (int i = 0; i < kt_n_options; i++) {
        const char *v = kt_options[i].env ? getenv(kt_options[i].env) : NULL;
        if (i != skip && v && *v && set_value(c, i, v, KT_SRC_ENV, 0))
            return KT_EINVAL;
    }
    return 0;
}

/* Collects the flags (the last of each wins) without applying them: the file named by
 * --config has to be read before them. */
static int scan_flags(kt_conf *c, int argc, char **argv, const char **flag)
{
    struct option longopts[KT_CONF_MAX_OPTIONS + 2];
    int n = 0;
    for (int i = 0; i < kt_n_options; i++)
        longopts[n++] = (struct option){
            kt_options[i].name, kt_options[i].kind == KT_OPT_BOOL ? no_argument : required_argument,
            NULL, 256 + i};
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    optind = 0; /* glibc: start afresh (tests call this more than once) */
    int ch;
    while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        if (ch == 'h') {
            c->help = true;
            return 0;
        }
        if (ch < 256)
            return fail(c, "unknown or incomplete option: %s (see ketentafel --help)",
                        argv[optind - 1]);
        int i = ch - 256;
        flag[i] = kt_options[i].kind == KT_OPT_BOOL ? "yes" : optarg;
    }
    if (optind < argc)
        return fail(c, "unexpected argument: %s", argv[optind]);
    return 0;
}

/* --config, else $KT_CONFIG, else the default file when it exists; NULL: no file. */
static const char *config_file(kt_conf *c, int cfg, const char *flag, const char *default_path)
{
    const char *env = getenv("KT_CONFIG");
    if (flag && *flag)
        return c->src[cfg] = KT_SRC_FLAG, flag;
    if (env && *env)
        return c->src[cfg] = KT_SRC_ENV, env;
    if (default_path && access(default_path, F_OK) == 0)
        return default_path;
    return NULL;
}

int kt_conf_load(kt_conf *c, int argc, char **argv, const char *default_path)
{
    memset(c, 0, sizeof *c);
    const char *flag[KT_CONF_MAX_OPTIONS] = {0};
    if (defaults(c) || scan_flags(c, argc, argv, flag) || c->help)
        return c->err[0] ? KT_EINVAL : 0;
    int cfg = index_of("config");
    const char *path = config_file(c, cfg, flag[cfg], default_path);
    if (path && kt_conf_read_file(c, path))
        return KT_EINVAL;
    if (environment(c, cfg))
        return KT_EINVAL;
    for (int i = 0; i < kt_n_options; i++)
        if (i != cfg && flag[i] && set_value(c, i, flag[i], KT_SRC_FLAG, 0))
            return KT_EINVAL;
    if (!c->s.cfg.tls_cert != !c->s.cfg.tls_key)
        return fail(c, "%s without %s: give both the certificate and its key, or neither",
                    c->s.cfg.tls_cert ? "tls-cert" : "tls-key",
                    c->s.cfg.tls_cert ? "tls-key" : "tls-cert");
    c->s.cfg.session_ttl = (int64_t)c->s.session_hours * 3600;
    c->s.cfg.sync_full = strcmp(c->s.sync, "full") == 0;
    c->s.cfg.group_commit = strcmp(c->s.group_commit, "on") == 0;
    return 0;
}

void kt_conf_free(kt_conf *c)
{
    for (int i = 0; i < KT_CONF_MAX_OPTIONS; i++)
        free(c->owned[i]);
    free(c->path_owned);
    memset(c->owned, 0, sizeof c->owned);
    c->path_owned = NULL;
}
