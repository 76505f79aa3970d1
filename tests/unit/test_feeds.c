/* Feeds and mail without a network: feed links (token, kind, revocation, membership), the
 * iCalendar text libical writes (Amsterdam wall-clock times with our TZID, a pruned VTIMEZONE,
 * stable UIDs), e-mail addresses and stamps. */
#include "test_clock.h"
#include "app.h"
#include "feed/feeds.h"
#include "feed/ical.h"
#include "feed/mail.h"
#include "feed/strbuf.h"
#include "store/store.h"
#include "util/err.h"
#include "util/timeutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char path[64];
static kt_app app;

/* 2026-12-01T12:00:00Z: a fixed "now" for the calendar window. */
#define NOW 1796126400LL

static void exec_ok(const char *sql)
{
    assert_int_equal(kt_store_exec(app.store, sql), 0);
}

static int setup(void **state)
{
    (void)state;
    kt_time_init();
    snprintf(path, sizeof path, "/tmp/kt-unit-feeds-%d.db", (int)getpid());
    unlink(path);
    kt_store_options o = {.path = path};
    memset(&app, 0, sizeof app);
    app.cfg.public_url = "https://kt.example/";
    if (kt_store_open(&o, &app.store))
        return -1;
    exec_ok("INSERT INTO scopes(id, name, kind) VALUES (1, 'Dordrecht', 'gemeente');"
            "INSERT INTO organisations(id, name, kind, created_at, updated_at) VALUES "
            "(1, 'Gemeente', 'gemeente', 0, 0), (2, 'Politie', 'politie', 0, 0);"
            "INSERT INTO persons(id, org_id, name, email, created_at, updated_at) VALUES "
            "(1, 1, 'Carla', 'c@x.example', 0, 0), (2, 2, 'Piet', 'p@x.example', 0, 0);"
            "INSERT INTO bodies(id, name, kind, scope_id, level, created_at, updated_at) VALUES "
            "(1, 'Regiegroep, Test; één', 'regiegroep', 1, 'tactisch', 0, 0),"
            "(2, 'Werkgroep', 'werkgroep', 1, 'tactisch', 0, 0);"
            "INSERT INTO memberships(body_id, person_id, role, created_at) VALUES "
            "(1, 1, 'voorzitter', 0), (1, 2, 'lid', 0), (2, 1, 'voorzitter', 0);"
            /* 2027-01-15 08:30Z = 09:30 CET; 2027-07-01 07:30Z = 09:30 CEST */
            "INSERT INTO meetings(id, body_id, starts_at, ends_at, location, status, version, "
            "created_at, updated_at) VALUES "
            "(10, 1, 1800001800, 1800009000, 'Stadhuis', 'concept', 1, 0, 0),"
            "(11, 1, 1814427000, 1814434200, '', 'geannuleerd', 3, 0, 0),"
            "(12, 2, 1800001800, 1800009000, '', 'concept', 1, 0, 0),"
            /* outside the window: 2026-06-01 and 2028-03-01 */
            "(13, 1, 1780300800, 1780304400, '', 'concept', 1, 0, 0),"
            "(14, 1, 1835510400, 1835514000, '', 'concept', 1, 0, 0);");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kt_store_close(app.store);
    kt_feeds_shutdown();
    char p[80];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return 0;
}

static kt_principal principal(int64_t person)
{
    kt_principal p;
    assert_int_equal(kt_principal_load(app.store, person, &p), 0);
    return p;
}

static void calendar_times_are_amsterdam_wall_clock(void **state)
{
    (void)state;
    kt_principal p = principal(2);
    char *cal = kt_ical_render(&app, &p, 0, NOW);
    assert_non_null(cal);
    assert_non_null(strstr(cal, "BEGIN:VCALENDAR\r\n"));
    assert_non_null(strstr(cal, "\r\nTZID:Europe/Amsterdam\r\n"));
    assert_null(strstr(cal, "freeassociation"));
    assert_null(strstr(cal, "TZNAME:AMT")); /* observances of 1835 pruned */
    assert_non_null(strstr(cal, "DTSTART;TZID=Europe/Amsterdam:20270115T093000\r\n"));
    assert_non_null(strstr(cal, "DTEND;TZID=Europe/Amsterdam:20270115T113000\r\n"));
    assert_non_null(strstr(cal, "DTSTART;TZID=Europe/Amsterdam:20270701T093000\r\n"));
    assert_non_null(strstr(cal, "UID:meeting-10@ketentafel\r\n"));
    assert_non_null(strstr(cal, "URL:https://kt.example/#/vergadering/10\r\n"));
    assert_non_null(strstr(cal, "SUMMARY:Regiegroep\\, Test\\; één\r\n"));
    assert_non_null(strstr(cal, "STATUS:CANCELLED\r\nURL:https://kt.example/#/vergadering/11"));
    assert_non_null(strstr(cal, "SEQUENCE:3\r\n"));
    assert_non_null(strstr(cal, "LOCATION:Stadhuis\r\n"));
    assert_null(strstr(cal, "meeting-12@")); /* not Piet's body */
    assert_null(strstr(cal, "meeting-13@"));
    assert_null(strstr(cal, "meeting-14@"));
    free(cal);
}

static void body_calendar_has_only_that_body(void **state)
{
    (void)state;
    kt_principal p = principal(1);
    char *cal = kt_ical_render(&app, &p, 2, NOW);
    assert_non_null(cal);
    assert_non_null(strstr(cal, "UID:meeting-12@ketentafel"));
    assert_null(strstr(cal, "UID:meeting-10@ketentafel"));
    assert_non_null(strstr(cal, "X-WR-CALNAME:Werkgroep (ketentafel)"));
    free(cal);
}

static void feed_links_resolve_until_revoked(void **state)
{
    (void)state;
    char ical[KT_TOKEN_LEN + 1], body[KT_TOKEN_LEN + 1], url[KT_FEED_URL_MAX], p[200];
    int64_t id_ical, id_body;
    assert_int_equal(kt_store_begin(app.store), 0);
    assert_int_equal(kt_feed_create(app.store, 2, "ical", 0, ical, &id_ical), 0);
    assert_int_equal(kt_feed_create(app.store, 2, "body_ical", 1, body, &id_body), 0);
    assert_int_equal(kt_store_commit(app.store), 0);
    kt_feed_url(&app, "ical", ical, url, sizeof url);
    snprintf(p, sizeof p, "https://kt.example/feeds/ical/%s.ics", ical);
    assert_string_equal(url, p);

    kt_feed_response r;
    snprintf(p, sizeof p, "/feeds/ical/%s.ics", ical);
    kt_feed_http(&app, p, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.ctype, "text/calendar; charset=utf-8");
    free(r.body);
    snprintf(p, sizeof p, "/feeds/atom/%s.xml", ical); /* a calendar token is no Atom token */
    kt_feed_http(&app, p, &r);
    assert_int_equal(r.status, 404);
    assert_null(r.body);
    snprintf(p, sizeof p, "/feeds/ical/%s.ics", body);
    kt_feed_http(&app, p, &r);
    assert_int_equal(r.status, 200);
    free(r.body);

    /* leaving the body closes its calendar; revoking closes any link */
    exec_ok("DELETE FROM memberships WHERE body_id = 1 AND person_id = 2");
    kt_feed_http(&app, p, &r);
    assert_int_equal(r.status, 404);
    exec_ok(
        "INSERT INTO memberships(body_id, person_id, role, created_at) VALUES (1, 2, 'lid', 0)");
    assert_int_equal(kt_store_begin(app.store), 0);
    assert_int_equal(kt_feed_revoke(app.store, 1, id_ical), KT_ENOTFOUND); /* not Carla's */
    assert_int_equal(kt_feed_revoke(app.store, 2, id_ical), 0);
    assert_int_equal(kt_feed_revoke(app.store, 2, id_ical), 0); /* idempotent */
    assert_int_equal(kt_store_commit(app.store), 0);
    snprintf(p, sizeof p, "/feeds/ical/%s.ics", ical);
    kt_feed_http(&app, p, &r);
    assert_int_equal(r.status, 404);
    const char *bad[] = {"/feeds/ical/short.ics", "/feeds/ical/", "/feeds/other/x.ics",
                         "/feeds/ical/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kt_feed_http(&app, bad[i], &r);
        assert_int_equal(r.status, 404);
    }
}

static void feeds_per_person_are_bounded(void **state)
{
    (void)state;
    char token[KT_TOKEN_LEN + 1];
    int64_t id;
    int rc = 0, made = 0;
    assert_int_equal(kt_store_begin(app.store), 0);
    while (!rc && made <= KT_FEEDS_MAX) {
        rc = kt_feed_create(app.store, 1, "atom", 0, token, &id);
        made += rc == 0;
    }
    assert_int_equal(rc, KT_EFULL);
    assert_int_equal(made, KT_FEEDS_MAX);
    kt_store_rollback(app.store);
}

static void mail_addresses_and_stamps(void **state)
{
    (void)state;
    assert_true(kt_mail_address_ok("piet.politie@politie.example"));
    assert_false(kt_mail_address_ok("piet@"));
    assert_false(kt_mail_address_ok("@x.example"));
    assert_false(kt_mail_address_ok("a@b@c"));
    assert_false(kt_mail_address_ok("a b@x.example"));
    assert_false(kt_mail_address_ok("a@x.example>\r\nBcc: z@y"));
    assert_false(kt_mail_address_ok("a@x.example,b@y.example"));
    assert_false(kt_mail_address_ok("é@x.example"));
    kt_mail m = {0};
    kt_mail_stamp(&m, "ketentafel@gemeente.example");
    assert_non_null(strstr(m.message_id, "@gemeente.example>"));
    assert_int_equal(m.message_id[0], '<');
    assert_int_equal(strlen(m.date), strlen("Tue, 01 Dec 2026 12:00:00 +0000"));
    assert_non_null(strstr(m.date, " +0000"));
    kt_mail n = {0};
    kt_mail_stamp(&n, "ketentafel@gemeente.example");
    assert_string_not_equal(m.message_id, n.message_id);
}

static void strbuf_appends(void **state)
{
    (void)state;
    kt_strbuf b = {0};
    for (int i = 0; i < 1000; i++)
        kt_sb_addf(&b, "%d,", i);
    kt_sb_add(&b, NULL);
    char *s = kt_sb_take(&b);
    assert_non_null(s);
    assert_int_equal(strncmp(s, "0,1,2,", 6), 0);
    assert_non_null(strstr(s, ",999,"));
    free(s);
    s = kt_sb_take(&b); /* empty, not NULL */
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calendar_times_are_amsterdam_wall_clock),
        cmocka_unit_test(body_calendar_has_only_that_body),
        cmocka_unit_test(feed_links_resolve_until_revoked),
        cmocka_unit_test(feeds_per_person_are_bounded),
        cmocka_unit_test(mail_addresses_and_stamps),
        cmocka_unit_test(strbuf_appends),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
