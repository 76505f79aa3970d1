/* The option table written out three ways: --help, the manual page, and check-config's report
 * of the effective configuration. */
#include "config/config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define WIDTH 79
#define COL   24 /* where the help text starts in --help */

/* Writes text wrapped at WIDTH, continuation lines indented by indent; col is where the
 * cursor is now. Ends with a newline. */
static void wrap(FILE *out, const char *text, int indent, int col)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        if (col > indent && col + 1 + (int)w > WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, w, out);
        col += (int)w;
        p += w;
    }
    fputc('\n', out);
}

static bool in_file_doc(const kt_option *o)
{
    return !(o->flags & (KT_OPTF_NO_FILE | KT_OPTF_TESTING));
}

static const char *default_text(const kt_option *o)
{
    return o->dflt ? o->dflt : o->dflt_doc;
}

/* The help sentence(s), the default and where else the option can be set. */
static void describe(const kt_option *o, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "%s", o->help);
    bool plain_switch = o->kind == KT_OPT_BOOL && (o->flags & KT_OPTF_NO_FILE);
    if (default_text(o) && !plain_switch && len < n)
        len += (size_t)snprintf(buf + len, n - len, " Default: %s.", default_text(o));
    if (o->env && len < n)
        len += (size_t)snprintf(buf + len, n - len, " (%s)", o->env);
    if (!o->env && (o->flags & KT_OPTF_NO_FILE) && len < n)
        snprintf(buf + len, n - len, " (flag only)");
}

void kt_conf_usage(FILE *out)
{
    fputs("ketentafel - shared agendas, actions and chat for chain partners\n\n"
          "Usage: ketentafel [COMMAND] [OPTIONS]\n\nCommands:\n",
          out);
    for (int i = 0; i < kt_n_commands; i++) {
        const char *syn = kt_commands[i].synopsis;
        fprintf(out, "  %s%s%s\n%*s", kt_commands[i].name, *syn ? " " : "", syn, 8, "");
        wrap(out, kt_commands[i].help, 8, 8);
    }
    fputc('\n', out);
    wrap(out,
         "Options are also read from the environment (the variable in brackets) and from the "
         "configuration file as \"name = value\" (not those marked flag only or for testing). "
         "Flags win over the environment, the environment over the file, the file over the "
         "defaults. More in: man ketentafel.",
         0, 0);
    const char *group = NULL;
    char text[1024];
    for (int i = 0; i < kt_n_options; i++) {
        const kt_option *o = &kt_options[i];
        if (!group || strcmp(group, o->group) != 0) {
            group = o->group;
            fprintf(out, "\n%s:\n", group);
        }
        char head[64];
        int col = snprintf(head, sizeof head, "  --%s%s%s", o->name, o->arg ? " " : "",
                           o->arg ? o->arg : "");
        fputs(head, out);
        if (col >= COL - 1) {
            fprintf(out, "\n%*s", COL, "");
        } else {
            fprintf(out, "%*s", COL - col, "");
        }
        describe(o, text, sizeof text);
        wrap(out, text, COL, COL);
    }
}

/* ---- the manual page ---- */

/* Text for roff: backslashes and hyphens escaped, no line starting with a control character. */
static void roff(FILE *out, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", out);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", out);
        else if (*s == '-')
            fputs("\\-", out);
        else if (*s == '\n') {
            fputc('\n', out);
            if (s[1] == '.' || s[1] == '\'')
                fputs("\\&", out);
        } else
            fputc(*s, out);
    }
}

static void roff_para(FILE *out, const char *s)
{
    fputs(".PP\n", out);
    roff(out, s);
    fputc('\n', out);
}

static void man_options(FILE *out)
{
    fputs(".SH OPTIONS\n", out);
    const char *group = NULL;
    char text[1024];
    for (int i = 0; i < kt_n_options; i++) {
        const kt_option *o = &kt_options[i];
        if (!group || strcmp(group, o->group) != 0) {
            group = o->group;
            fputs(".SS ", out);
            roff(out, group);
            fputc('\n', out);
        }
        fputs(".TP\n\\fB\\-\\-", out);
        roff(out, o->name);
        fputs("\\fR", out);
        if (o->arg) {
            fputs(" \\fI", out);
            roff(out, o->arg);
            fputs("\\fR", out);
        }
        fputc('\n', out);
        describe(o, text, sizeof text);
        roff(out, text);
        fputc('\n', out);
    }
}

static void man_environment(FILE *out)
{
    fputs(".SH ENVIRONMENT\n", out);
    for (int i = 0; i < kt_n_options; i++) {
        const kt_option *o = &kt_options[i];
        if (!o->env)
            continue;
        fputs(".TP\n.B ", out);
        roff(out, o->env);
        fputs("\nAs \\fB\\-\\-", out);
        roff(out, o->name);
        fputs("\\fR.\n", out);
    }
    fputs(".TP\n.B KT_ADMIN_PASSWORD\nThe password for \\fBcreate\\-admin\\fR "
          "(otherwise read from stdin).\n",
          out);
}

/* The files an installed node uses: the defaults of the options that name them. */
static void man_files(FILE *out)
{
    static const char *const names[][2] = {
        {"config", "The configuration file."},
        {"db", "The database (SQLite, with its -wal and -shm files beside it)."},
        {"web", "The web client."},
        {"demo-file", "The demo data."},
    };
    fputs(".SH FILES\n", out);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const kt_option *o = kt_conf_option(names[i][0]);
        const char *path = o ? default_text(o) : NULL;
        if (!path || strcmp(path, "none") == 0)
            continue;
        fputs(".TP\n.I ", out);
        roff(out, path);
        fputc('\n', out);
        roff(out, names[i][1]);
        fputs(" (\\fB\\-\\-", out);
        roff(out, o->name);
        fputs("\\fR)\n", out);
    }
    fputs(".TP\n.I /lib/systemd/system/ketentafel.service\nThe systemd service (installed "
          "packages); local changes go in a drop-in (systemctl edit ketentafel).\n",
          out);
}

void kt_conf_manpage(FILE *out, const char *version)
{
    fputs(".\\\" Generated by `ketentafel manpage` from the option table "
          "(server/src/config/options.c). Do not edit.\n",
          out);
    fprintf(out, ".TH KETENTAFEL 1 \"\" \"ketentafel %s\" \"User Commands\"\n", version);
    fputs(".SH NAME\nketentafel \\- shared agendas, actions and chat for chain partners\n"
          ".SH SYNOPSIS\n.B ketentafel\n[\\fICOMMAND\\fR] [\\fIOPTIONS\\fR]\n"
          ".SH DESCRIPTION\n",
          out);
    roff(out, "ketentafel keeps the shared agendas, action lists, decisions and chat of the "
              "bodies (gremia) that chain partners meet in, live in the browser, and flags "
              "overlapping meetings and duplicate agenda items across bodies. One process is "
              "one node; it serves the web client, the WebSocket API, feeds, /healthz and "
              "/metrics on one port.\n");
    fputs(".SH COMMANDS\n", out);
    for (int i = 0; i < kt_n_commands; i++) {
        fputs(".TP\n\\fB", out);
        roff(out, kt_commands[i].name);
        fputs("\\fR ", out);
        roff(out, kt_commands[i].synopsis);
        fputc('\n', out);
        roff(out, kt_commands[i].help);
        fputc('\n', out);
    }
    man_options(out);
    fputs(".SH CONFIGURATION FILE\n", out);
    roff(out, "The file holds one setting per line, \"name = value\", where name is an "
              "option's long name without the dashes. Blank lines and lines whose first "
              "character other than a space is # are ignored; everything after the = up to "
              "the end of the line, without surrounding spaces, is the value (no quotes, no "
              "comments after a value). Switches take yes or no. A setting may appear only "
              "once. Options marked flag only or for testing cannot be set in the file.\n");
    roff_para(out, "Flags win over the environment, the environment over the file, and the "
                   "file over the defaults. Every value is checked at start; an error names "
                   "the file and line, the variable or the flag, and the node does not start. "
                   "ketentafel check-config prints the effective configuration with the source "
                   "of each value and passwords masked.");
    fputs(".PP\nExample:\n.PP\n.nf\n.RS\n", out);
    roff(out, "# /etc/ketentafel/ketentafel.conf\nlisten = 127.0.0.1\nport = 8080\n"
              "public-url = https://ketentafel.example.nl\n"
              "db = /var/lib/ketentafel/ketentafel.db\n"
              "smtp-url = smtp://relay.example.nl:25\n");
    fputs(".RE\n.fi\n", out);
    man_environment(out);
    man_files(out);
    fputs(".SH SIGNALS\n.TP\n.B SIGTERM\\fR, \\fBSIGINT\nStop: close the connections and the "
          "database cleanly.\n.TP\n.B SIGHUP\nRead the TLS certificate and key again "
          "(\\fBsystemctl reload ketentafel\\fR): new connections get the new pair, open "
          "sessions stay; a pair that does not load is refused and the old one kept.\n",
          out);
    fputs(".SH EXIT STATUS\n0 on success, 1 when the command failed, 2 for a usage or "
          "configuration error.\n",
          out);
    fputs(".SH SEE ALSO\n", out);
    roff(out, "The README's Operating section, and docs/ in the source: the AVG page, "
              "protocol/PROTOCOL.md for the wire protocol.\n");
}

/* ---- the example file ---- */

/* Writes text as comment lines ("# ..."), wrapped. */
static void comment(FILE *out, const char *text)
{
    char line[WIDTH + 1];
    const char *p = text;
    while (*p) {
        int len = 0;
        while (*p == ' ')
            p++;
        while (*p) {
            size_t w = strcspn(p, " ");
            if (len && len + 1 + (int)w > WIDTH - 2)
                break;
            len += snprintf(line + len, sizeof line - (size_t)len, "%s%.*s", len ? " " : "", (int)w,
                            p);
            p += w;
            while (*p == ' ')
                p++;
        }
        fprintf(out, "# %s\n", line);
    }
}

void kt_conf_example(FILE *out)
{
    fputs("# ketentafel configuration file (man ketentafel: CONFIGURATION FILE).\n"
          "# One setting per line, \"name = value\". Every setting below is shown with its\n"
          "# default, commented out: remove the # and change the value to set it. Flags\n"
          "# and environment variables win over this file; `ketentafel check-config` shows\n"
          "# what the node will use. Written by `ketentafel example-config`.\n",
          out);
    const char *group = NULL;
    char text[1024];
    for (int i = 0; i < kt_n_options; i++) {
        const kt_option *o = &kt_options[i];
        if (!in_file_doc(o))
            continue;
        if (!group || strcmp(group, o->group) != 0) {
            group = o->group;
            fprintf(out, "\n# ---- %s ----\n", group);
        }
        fputs("\n", out);
        describe(o, text, sizeof text);
        comment(out, text);
        if (o->dflt)
            fprintf(out, "#%s = %s\n", o->name, o->dflt);
        else
            fprintf(out, "#%s = %s\n", o->name, o->arg ? o->arg : "yes");
    }
}

/* ---- check-config ---- */

static void print_value(const kt_conf *c, int i, FILE *out)
{
    const kt_option *o = &kt_options[i];
    char *f = (char *)&c->s + o->offset;
    char buf[1024];
    switch (o->kind) {
    case KT_OPT_INT:
        snprintf(buf, sizeof buf, "%d", *(int *)f);
        break;
    case KT_OPT_BOOL:
        snprintf(buf, sizeof buf, "%s", *(bool *)f ? "yes" : "no");
        break;
    default: {
        const char *s = *(const char **)f;
        if (!s) {
            fprintf(out, "# %s: not set (%s)\n", o->name, o->dflt_doc ? o->dflt_doc : "none");
            return;
        }
        kt_conf_mask_secrets(s, buf, sizeof buf);
        if (!(o->flags & KT_OPTF_SECRET))
            snprintf(buf, sizeof buf, "%s", s);
    }
    }
    switch (c->src[i]) {
    case KT_SRC_FILE:
        fprintf(out, "# from line %d of the file\n", c->line[i]);
        break;
    case KT_SRC_ENV:
        fprintf(out, "# from the environment: %s\n", o->env);
        break;
    case KT_SRC_FLAG:
        fprintf(out, "# from the command line: --%s\n", o->name);
        break;
    default:
        break;
    }
    fprintf(out, "%s = %s\n", o->name, buf);
}

void kt_conf_print(const kt_conf *c, FILE *out)
{
    fputs("# ketentafel: the effective configuration (passwords masked)\n", out);
    if (c->s.config_path)
        fprintf(out, "# configuration file: %s\n", c->s.config_path);
    else
        fputs("# configuration file: none\n", out);
    for (int i = 0; i < kt_n_options; i++) {
        const kt_option *o = &kt_options[i];
        if (in_file_doc(o))
            print_value(c, i, out);
        else if ((o->flags & KT_OPTF_TESTING) && c->src[i] != KT_SRC_DEFAULT)
            fprintf(out, "# WARNING: --%s is set (%s): for tests only, never in production\n",
                    o->name, c->src[i] == KT_SRC_ENV ? o->env : "command line");
    }
}
