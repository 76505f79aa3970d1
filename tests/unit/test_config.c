/* The option table and its layers: defaults < file < environment < flags, errors that name the
 * file and line (or the variable, or the flag), secrets masked. */
#include "config/config.h"
#include "util/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char path[64];

static void clear_env(void)
{
    for (int i = 0; i < kt_n_options; i++)
        if (kt_options[i].env)
            unsetenv(kt_options[i].env);
}

static int setup(void **state)
{
    (void)state;
    clear_env();
    snprintf(path, sizeof path, "/tmp/kt-conf-test-%d.conf", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clear_env();
    unlink(path);
    return 0;
}

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads with argv = {"ketentafel", args..., NULL}. */
static int load(kt_conf *c, const char *default_path, ...)
{
    char *argv[16] = {"ketentafel"};
    int argc = 1;
    va_list ap;
    va_start(ap, default_path);
    for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 15;)
        argv[argc++] = a;
    va_end(ap);
    return kt_conf_load(c, argc, argv, default_path);
}

static void every_row_is_complete_and_unique(void **state)
{
    (void)state;
    for (int i = 0; i < kt_n_options; i++) {
        const kt_option *o = &kt_options[i];
        assert_non_null(o->help);
        assert_non_null(o->group);
        assert_true(o->help[strlen(o->help) - 1] == '.');
        assert_true((o->kind == KT_OPT_BOOL) == (o->arg == NULL));
        if (o->env)
            assert_int_equal(strncmp(o->env, "KT_", 3), 0);
        if (o->kind == KT_OPT_CHOICE || o->kind == KT_OPT_URL)
            assert_non_null(o->choices);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(o->name, kt_options[j].name);
            if (o->env && kt_options[j].env)
                assert_string_not_equal(o->env, kt_options[j].env);
        }
    }
}

static void defaults_are_valid_and_documented_ones_are_used(void **state)
{
    (void)state;
    kt_conf c;
    assert_int_equal(load(&c, NULL, NULL), 0);
    assert_int_equal(c.s.cfg.port, 8080);
    assert_int_equal(c.s.cfg.session_ttl, 12 * 3600);
    assert_true(c.s.cfg.sync_full);
    assert_false(c.s.cfg.demo);
    assert_null(c.s.cfg.redis_url);
    assert_null(c.s.config_path);
    assert_string_equal(c.s.log_level, "info");
    kt_conf_free(&c);
}

static void flags_beat_environment_beats_file_beats_defaults(void **state)
{
    (void)state;
    write_file("# a comment\n\n  port = 9001\nping-secs=40\nmail-from = a@example.nl\n"
               "sync = normal\n");
    setenv("KT_PING_SECS", "50", 1);
    setenv("KT_MAIL_FROM", "b@example.nl", 1);
    kt_conf c;
    assert_int_equal(load(&c, NULL, "--config", path, "--mail-from", "c@example.nl", NULL), 0);
    assert_int_equal(c.s.cfg.port, 9001);                   /* file over default */
    assert_int_equal(c.s.cfg.ping_secs, 50);                /* env over file */
    assert_string_equal(c.s.cfg.mail_from, "c@example.nl"); /* flag over env */
    assert_false(c.s.cfg.sync_full);                        /* derived from the file */
    assert_int_equal(c.s.cfg.digest_hour, 7);               /* untouched default */
    assert_int_equal(c.src[kt_conf_option("port") - kt_options], KT_SRC_FILE);
    assert_int_equal(c.line[kt_conf_option("port") - kt_options], 3);
    assert_int_equal(c.src[kt_conf_option("ping-secs") - kt_options], KT_SRC_ENV);
    assert_int_equal(c.src[kt_conf_option("mail-from") - kt_options], KT_SRC_FLAG);
    assert_string_equal(c.s.config_path, path);
    kt_conf_free(&c);
}

static void the_file_comes_from_the_environment_or_the_default_path(void **state)
{
    (void)state;
    write_file("port = 9002\n");
    kt_conf c;
    assert_int_equal(load(&c, path, NULL), 0); /* the default file, present */
    assert_int_equal(c.s.cfg.port, 9002);
    kt_conf_free(&c);
    assert_int_equal(load(&c, "/nonexistent/ketentafel.conf", NULL), 0); /* absent: fine */
    assert_int_equal(c.s.cfg.port, 8080);
    kt_conf_free(&c);
    setenv("KT_CONFIG", path, 1);
    assert_int_equal(load(&c, NULL, NULL), 0);
    assert_int_equal(c.s.cfg.port, 9002);
    kt_conf_free(&c);
    unsetenv("KT_CONFIG");
    assert_int_equal(load(&c, NULL, "--config", "/nonexistent/x.conf", NULL), KT_EINVAL);
    assert_non_null(strstr(c.err, "/nonexistent/x.conf: cannot read"));
    kt_conf_free(&c);
}

/* The message for a file holding text must name the file, the line and what is wrong. */
static void expect_file_error(const char *text, const char *expect)
{
    write_file(text);
    kt_conf c;
    assert_int_equal(load(&c, NULL, "--config", path, NULL), KT_EINVAL);
    char want[256];
    snprintf(want, sizeof want, "%s:%s", path, expect);
    if (!strstr(c.err, want))
        fail_msg("error \"%s\" lacks \"%s\"", c.err, want);
    kt_conf_free(&c);
}

static void file_errors_name_the_line(void **state)
{
    (void)state;
    expect_file_error("port = 8080\n\nport = abc\n", "3: port");
    expect_file_error("port = 8080\nport = 8081\n", "2: port is set already on line 1");
    expect_file_error("# x\nprot = 1\n", "2: unknown setting \"prot\"");
    expect_file_error("port 8080\n", "1: expected \"name = value\"");
    expect_file_error("email = a@b.nl\n", "1: email cannot be set");
    expect_file_error("config = /etc/x.conf\n", "1: config cannot be set");
    expect_file_error("test-now = 2027-01-01T00:00Z\n", "1: test-now cannot be set");
    expect_file_error("web =\n", "1: web has no value");
    expect_file_error("sync = sometimes\n", "1: sync: one of full|normal");
    expect_file_error("redis = localhost:6379\n", "1: redis: a URL starting with redis://");
    expect_file_error("demo = perhaps\n", "1: demo: yes or no");
    expect_file_error("mail-from = caf\xe9\n", "1: not UTF-8");
    expect_file_error("session-hours = 0\n", "1: session-hours: not a whole number from 1");
}

static void environment_and_flag_errors_name_their_source(void **state)
{
    (void)state;
    kt_conf c;
    setenv("KT_DEMO", "maybe", 1);
    assert_int_equal(load(&c, NULL, NULL), KT_EINVAL);
    assert_non_null(strstr(c.err, "KT_DEMO: yes or no"));
    kt_conf_free(&c);
    setenv("KT_DEMO", "1", 1); /* as docker-compose.yml has always said */
    assert_int_equal(load(&c, NULL, NULL), 0);
    assert_true(c.s.cfg.demo);
    kt_conf_free(&c);
    setenv("KT_DEMO", "", 1); /* empty: unset, as before */
    assert_int_equal(load(&c, NULL, NULL), 0);
    assert_false(c.s.cfg.demo);
    kt_conf_free(&c);
    assert_int_equal(load(&c, NULL, "--digest-hour", "24", NULL), KT_EINVAL);
    assert_non_null(strstr(c.err, "--digest-hour: not a whole number from 0 to 23: 24"));
    kt_conf_free(&c);
    assert_int_equal(load(&c, NULL, "--bogus", NULL), KT_EINVAL);
    assert_non_null(strstr(c.err, "unknown or incomplete option: --bogus"));
    kt_conf_free(&c);
    assert_int_equal(load(&c, NULL, "--port", "1", "stray", NULL), KT_EINVAL);
    assert_non_null(strstr(c.err, "unexpected argument: stray"));
    kt_conf_free(&c);
}

static void a_bad_secret_is_not_repeated_in_the_error(void **state)
{
    (void)state;
    kt_conf c;
    assert_int_equal(load(&c, NULL, "--smtp-url", "http://u:hunter2@relay", NULL), KT_EINVAL);
    assert_null(strstr(c.err, "hunter2"));
    assert_non_null(strstr(c.err, "--smtp-url"));
    kt_conf_free(&c);
}

static void help_stops_the_scan(void **state)
{
    (void)state;
    kt_conf c;
    assert_int_equal(load(&c, NULL, "--help", "--port", "x", NULL), 0);
    assert_true(c.help);
    kt_conf_free(&c);
}

static void masked(const char *in, const char *want)
{
    char out[256];
    kt_conf_mask_secrets(in, out, sizeof out);
    assert_string_equal(out, want);
}

static void passwords_in_urls_are_masked(void **state)
{
    (void)state;
    masked("smtp://user:secret@relay.example.nl:25", "smtp://user:***@relay.example.nl:25");
    masked("redis://:pw@redis:6379/0", "redis://:***@redis:6379/0");
    masked("smtps://a%40b:p@ss@relay:465", "smtps://a%40b:***@relay:465");
    masked("postgresql://kt@db/kt?sslmode=require&password=x1&x=2",
           "postgresql://kt@db/kt?sslmode=require&password=***&x=2");
    masked("smtp://relay:25", "smtp://relay:25");
    masked("smtp://user@relay:25", "smtp://user@relay:25");
    masked("data/ketentafel.db", "data/ketentafel.db");
}

static void check_config_prints_sources_and_no_secret(void **state)
{
    (void)state;
    write_file("smtp-url = smtp://mail:s3cret@relay:25\nport = 9003\n");
    setenv("KT_REDIS_URL", "redis://:r3dis@127.0.0.1:6379", 1);
    kt_conf c;
    assert_int_equal(load(&c, NULL, "--config", path, "--digest-hour", "9", NULL), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    kt_conf_print(&c, out);
    fclose(out);
    assert_null(strstr(buf, "s3cret"));
    assert_null(strstr(buf, "r3dis"));
    assert_non_null(strstr(buf, "# from line 2 of the file\nport = 9003\n"));
    assert_non_null(strstr(buf, "smtp-url = smtp://mail:***@relay:25\n"));
    assert_non_null(strstr(buf, "# from the environment: KT_REDIS_URL\n"));
    assert_non_null(strstr(buf, "# from the command line: --digest-hour\ndigest-hour = 9\n"));
    free(buf);
    kt_conf_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_row_is_complete_and_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(defaults_are_valid_and_documented_ones_are_used, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(flags_beat_environment_beats_file_beats_defaults, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_file_comes_from_the_environment_or_the_default_path,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(file_errors_name_the_line, setup, teardown),
        cmocka_unit_test_setup_teardown(environment_and_flag_errors_name_their_source, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_bad_secret_is_not_repeated_in_the_error, setup, teardown),
        cmocka_unit_test_setup_teardown(help_stops_the_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(passwords_in_urls_are_masked, setup, teardown),
        cmocka_unit_test_setup_teardown(check_config_prints_sources_and_no_secret, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
