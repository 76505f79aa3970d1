/* The node's settings and where they come from. One table of options (config/options.c) is the
 * source of --help, the manual page, the configuration file's keys and the environment
 * variables, so none of them can drift from the others. Values are resolved in layers, each
 * overriding the one before: defaults < configuration file < environment < command line. */
#ifndef KT_CONFIG_H
#define KT_CONFIG_H

#include "app.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Everything an option can set: the node's kt_config and what only main.c needs. */
typedef struct kt_settings {
    kt_config cfg;
    const char *config_path; /* the file read, or NULL */
    const char *demo_file;
    const char *log_level;
    const char *test_now; /* tests only: the instant the clock starts at */
    const char *email, *name, *org;
    bool now;
    int session_hours; /* cfg.session_ttl after kt_conf_load */
    const char *sync;  /* cfg.sync_full after kt_conf_load */
    const char *group_commit; /* cfg.group_commit after kt_conf_load */
} kt_settings;

enum kt_opt_kind {
    KT_OPT_STR,    /* any text */
    KT_OPT_URL,    /* scheme://... with one of the schemes in `choices` */
    KT_OPT_INT,    /* a decimal integer in lo..hi */
    KT_OPT_BOOL,   /* a switch on the command line; yes/no, true/false, on/off, 1/0 elsewhere */
    KT_OPT_CHOICE, /* one of the words in `choices` ("full|normal") */
};

enum {
    KT_OPTF_NO_FILE = 1 << 0, /* refused in the configuration file (with env NULL: flag only) */
    KT_OPTF_SECRET = 1 << 1,  /* may carry a password (in a URL): masked when printed */
    KT_OPTF_TESTING = 1 << 2, /* for tests only: marked so in the docs, refused in the file */
};

typedef struct kt_option {
    const char *name; /* --name on the command line, and the key in the file */
    const char *env;  /* environment variable, or NULL */
    const char *arg;  /* the value's placeholder in the docs; NULL for KT_OPT_BOOL */
    enum kt_opt_kind kind;
    int lo, hi;           /* KT_OPT_INT */
    const char *choices;  /* KT_OPT_CHOICE: the words; KT_OPT_URL: the schemes; '|'-separated */
    const char *dflt;     /* the default in the option's own syntax; NULL: unset */
    const char *dflt_doc; /* how a derived default reads in the docs (when dflt is NULL) */
    const char *group;    /* heading in --help and the manual page */
    unsigned flags;       /* KT_OPTF_* */
    size_t offset;        /* of the value in kt_settings */
    bool (*check)(const char *value); /* KT_OPT_STR: further check, or NULL */
    const char *expect;               /* what check wants, for the message */
    const char *help;                 /* one or more sentences, English, without the default */
} kt_option;

extern const kt_option kt_options[];
extern const int kt_n_options;

/* The subcommands, for --help and the manual page (main.c dispatches them). */
typedef struct kt_command {
    const char *name;
    const char *synopsis; /* arguments after the name */
    const char *help;
} kt_command;

extern const kt_command kt_commands[];
extern const int kt_n_commands;

enum kt_conf_source { KT_SRC_DEFAULT, KT_SRC_FILE, KT_SRC_ENV, KT_SRC_FLAG };

#define KT_CONF_MAX_OPTIONS 64

typedef struct kt_conf {
    kt_settings s;
    enum kt_conf_source src[KT_CONF_MAX_OPTIONS];
    int line[KT_CONF_MAX_OPTIONS];    /* KT_SRC_FILE: the line the value came from */
    char *owned[KT_CONF_MAX_OPTIONS]; /* values read from the file (freed by kt_conf_free) */
    char *path_owned;
    bool help;     /* --help was given */
    char err[512]; /* after a failed kt_conf_load: what is wrong, naming file:line, variable
                      or flag */
} kt_conf;

/* Resolves every option: the defaults, then the configuration file (--config FILE, else
 * $KT_CONFIG, else default_path when that file exists; default_path may be NULL), then the
 * environment, then argv (options only: the subcommand is already removed). Each value is
 * checked where it is read. Returns 0, or KT_EINVAL with c->err set. c->help is set when
 * --help/-h was given. Call kt_conf_free afterwards in either case. */
int kt_conf_load(kt_conf *c, int argc, char **argv, const char *default_path);
void kt_conf_free(kt_conf *c);

/* Reads one configuration file into c (the file layer). Exposed for tests. */
int kt_conf_read_file(kt_conf *c, const char *path);

/* The effective configuration in the file's own syntax, each value's source in a comment,
 * secrets masked: what `ketentafel check-config` prints. */
void kt_conf_print(const kt_conf *c, FILE *out);

/* --help text and the manual page (roff, man(7) macros); both read the same table. */
void kt_conf_usage(FILE *out);
void kt_conf_manpage(FILE *out, const char *version);
/* A configuration file with every setting commented out at its default, each explained. */
void kt_conf_example(FILE *out);

/* Copies s into out (at most n bytes, always terminated) with the password of a URL's
 * user information ("scheme://user:secret@host") and any "password=" parameter replaced
 * by "***". Text that is not a URL is copied as it is. */
void kt_conf_mask_secrets(const char *s, char *out, size_t n);

/* The option called name, or NULL. */
const kt_option *kt_conf_option(const char *name);

#endif
