#include "feed/digest.h"

#include "domain/views.h"
#include "feed/mail.h"
#include "feed/strbuf.h"
#include "store/directory.h"
#include "store/notifications.h"
#include "store/store.h"
#include "util/err.h"
#include "util/ivec.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/worker.h"

#include <libwebsockets.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BATCH         20  /* letters composed per turn of the loop */
#define MAX_NOTES     200 /* digest notifications in one letter */
#define MAX_UNREAD    20  /* unread direct notifications recalled in one letter */
#define FIRST_TICK_US (2 * LWS_US_PER_SEC)
#define TICK_US       (60 * LWS_US_PER_SEC)
#define DAY           86400

/* One person's digest of one day. */
typedef struct letter {
    int64_t person;
    kt_ivec ids; /* the digest notifications it settles (marked digested once sent) */
    kt_mail mail;
    int rc;
    char err[200];
} letter;

/* A day's pass: everything pending before cutoff, claimed for day. */
typedef struct pass {
    char day[16];
    int64_t cutoff;
} pass;

struct kt_digest {
    kt_app *app;
    kt_worker *worker;
    lws_sorted_usec_list_t sul;
    atomic_bool stop;
    bool in_flight;
    char done_day[16]; /* the pass of this day has finished */
    uint64_t sent, failed;
    char last_error[200];
};

/* ---- reading ---- */

static const char *base_url(const kt_app *app, char *buf, size_t n)
{
    const char *base = app->cfg.public_url ? app->cfg.public_url : "";
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    snprintf(buf, n, "%.*s", (int)len, base);
    return buf;
}

/* Persons with digest notifications before cutoff and no digest claimed for day. */
static int pending_persons(kt_store *st, const pass *ps, kt_ivec *out)
{
    return kt_store_digest_pending(st, ps->cutoff, ps->day, BATCH, out);
}

/* 1 when this node now owns person's digest of the day, 0 when someone else does. */
static int claim(kt_store *st, int64_t person, const char *day, const char *node)
{
    bool claimed = false;
    int rc = kt_store_begin(st);
    if (!rc)
        rc = kt_store_digest_claim(st, person, day, node ? node : "ketentafel", &claimed);
    if (rc) {
        kt_store_rollback(st);
        return rc;
    }
    rc = kt_store_commit(st);
    return rc ? rc : claimed;
}

/* The notifications of ids person may still see, as JSON (new array). */
static json_t *visible(kt_store *st, int64_t person, const kt_ivec *ids)
{
    json_t *out = json_array();
    for (size_t i = 0; i < ids->n; i++) {
        if (!kt_notification_visible(st, person, ids->v[i]))
            continue;
        json_t *j = kt_notification_json(st, ids->v[i]);
        if (j)
            json_array_append_new(out, j);
    }
    return out;
}

/* ---- composing ---- */

static int by_body(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *bx = json_string_value(json_object_get(x, "body_name"));
    const char *by = json_string_value(json_object_get(y, "body_name"));
    if (!bx != !by)
        return bx ? -1 : 1; /* notes without a body last */
    int c = bx ? strcmp(bx, by) : 0;
    if (c)
        return c;
    json_int_t ix = json_integer_value(json_object_get(x, "id"));
    json_int_t iy = json_integer_value(json_object_get(y, "id"));
    return ix < iy ? -1 : ix > iy;
}

/* "  " before every line of a multi-line text. */
static void indented(kt_strbuf *b, const char *s)
{
    kt_sb_add(b, "  ");
    for (; *s; s++) {
        kt_sb_addn(b, s, 1);
        if (*s == '\n' && s[1])
            kt_sb_add(b, "  ");
    }
    kt_sb_add(b, "\n");
}

typedef struct writer {
    kt_strbuf text, html;
    const char *base;
} writer;

static void note_when(json_t *n, char *buf, size_t len)
{
    int64_t t = 0;
    kt_time_parse(json_string_value(json_object_get(n, "created_at")), &t);
    char when[80];
    kt_time_dutch(t, true, when, sizeof when);
    const char *actor = json_string_value(json_object_get(n, "actor_name"));
    snprintf(buf, len, actor ? "%s, door %s" : "%s", when, actor);
}

static void write_note(writer *w, json_t *n)
{
    const char *title = json_string_value(json_object_get(n, "title"));
    const char *text = json_string_value(json_object_get(n, "text"));
    char url[700], when[300];
    snprintf(url, sizeof url, "%s/%s", w->base, json_string_value(json_object_get(n, "link")));
    note_when(n, when, sizeof when);
    kt_sb_addf(&w->text, "* %s\n", title);
    if (text && *text)
        indented(&w->text, text);
    kt_sb_addf(&w->text, "  %s\n  %s\n\n", when, url);
    kt_sb_add(&w->html, "<li style=\"margin-bottom:0.8em\"><a href=\"");
    kt_sb_add_html(&w->html, url);
    kt_sb_add(&w->html, "\">");
    kt_sb_add_html(&w->html, title);
    kt_sb_add(&w->html, "</a>");
    if (text && *text) {
        kt_sb_add(&w->html, "<br>");
        kt_sb_add_html(&w->html, text);
    }
    kt_sb_add(&w->html, "<br><small style=\"color:#555\">");
    kt_sb_add_html(&w->html, when);
    kt_sb_add(&w->html, "</small></li>\n");
}

static void write_heading(writer *w, const char *heading)
{
    kt_sb_addf(&w->text, "%s\n", heading);
    for (const char *p = heading; *p; p++)
        if (((unsigned char)*p & 0xc0) != 0x80)
            kt_sb_add(&w->text, "-");
    kt_sb_add(&w->text, "\n");
    kt_sb_add(&w->html, "<h2 style=\"font-size:1.1em;margin-top:1.4em\">");
    kt_sb_add_html(&w->html, heading);
    kt_sb_add(&w->html, "</h2>\n");
}

/* The digest notifications, one section per body (sorted by name), the rest last. */
static void write_sections(writer *w, json_t *notes)
{
    size_t n = json_array_size(notes);
    json_t **sorted = calloc(n ? n : 1, sizeof *sorted);
    if (!sorted) {
        w->text.failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(notes, i);
    qsort(sorted, n, sizeof *sorted, by_body);
    const char *current = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *body = json_string_value(json_object_get(sorted[i], "body_name"));
        if (i == 0 || (body ? !current || strcmp(body, current) != 0 : current != NULL)) {
            if (i > 0)
                kt_sb_add(&w->html, "</ul>\n");
            write_heading(w, body ? body : "Overig");
            kt_sb_add(&w->html, "<ul style=\"padding-left:1.2em\">\n");
            current = body;
        }
        write_note(w, sorted[i]);
    }
    if (n)
        kt_sb_add(&w->html, "</ul>\n");
    free(sorted);
}

static void write_unread(writer *w, json_t *unread)
{
    if (!json_array_size(unread))
        return;
    write_heading(w, "Nog ongelezen in ketentafel");
    kt_sb_add(&w->text, "Deze meldingen kreeg u het afgelopen etmaal direct in ketentafel; u heeft "
                        "ze nog niet gelezen.\n\n");
    kt_sb_add(&w->html, "<p>Deze meldingen kreeg u het afgelopen etmaal direct in ketentafel; u "
                        "heeft ze nog niet gelezen.</p>\n<ul style=\"padding-left:1.2em\">\n");
    size_t i;
    json_t *n;
    json_array_foreach(unread, i, n) write_note(w, n);
    kt_sb_add(&w->html, "</ul>\n");
}

static void write_letter(writer *w, const char *name, const char *day, json_t *notes,
                         json_t *unread)
{
    size_t count = json_array_size(notes);
    kt_sb_addf(&w->text,
               "Beste %s,\n\nHierbij uw dagoverzicht van ketentafel van %s: %zu %s die u als "
               "dagelijkse e-mail wilt ontvangen.\n\n",
               name, day, count, count == 1 ? "melding" : "meldingen");
    kt_sb_add(&w->html, "<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
                        "<title>Dagoverzicht ketentafel</title>\n</head>\n"
                        "<body style=\"font-family:Arial,Helvetica,sans-serif;line-height:1.4\">\n"
                        "<p>Beste ");
    kt_sb_add_html(&w->html, name);
    kt_sb_addf(&w->html,
               ",</p>\n<p>Hierbij uw dagoverzicht van ketentafel van %s: %zu %s die u als "
               "dagelijkse e-mail wilt ontvangen.</p>\n",
               day, count, count == 1 ? "melding" : "meldingen");
    write_sections(w, notes);
    write_unread(w, unread);
    kt_sb_addf(&w->text,
               "Alle meldingen vindt u in ketentafel: %s/#/\n\n"
               "-- \nU ontvangt deze e-mail omdat u in ketentafel voor een of meer soorten "
               "meldingen het dagoverzicht heeft gekozen. Dat kunt u daar bij uw meldingen "
               "wijzigen.\n",
               w->base);
    kt_sb_add(&w->html, "<p><a href=\"");
    kt_sb_add_html(&w->html, w->base);
    kt_sb_add(&w->html, "/#/\">Open ketentafel</a> voor al uw meldingen.</p>\n"
                        "<p style=\"color:#555;font-size:small\">U ontvangt deze e-mail omdat u "
                        "in ketentafel voor een of meer soorten meldingen het dagoverzicht heeft "
                        "gekozen. Dat kunt u daar bij uw meldingen wijzigen.</p>\n</body>\n"
                        "</html>\n");
}

static int load_person(kt_store *st, int64_t person, letter *l)
{
    json_t *p;
    int rc = kt_store_person_get(st, person, &p);
    if (rc)
        return rc;
    if (!json_is_true(json_object_get(p, "active"))) {
        json_decref(p);
        return KT_ENOTFOUND;
    }
    l->mail.to_name = strdup(json_string_value(json_object_get(p, "name")));
    l->mail.to_addr = strdup(json_string_value(json_object_get(p, "email")));
    json_decref(p);
    return l->mail.to_name && l->mail.to_addr ? 0 : KT_ENOMEM;
}

/* Composes person's letter. KT_ENOTFOUND when nothing in it may be shown (l->ids still lists
 * what it would have settled). */
static int compose(kt_app *app, int64_t person, const pass *ps, letter *l)
{
    kt_store *st = app->store;
    l->person = person;
    int rc = load_person(st, person, l);
    if (!rc)
        rc = kt_store_digest_notes(st, person, ps->cutoff, MAX_NOTES, &l->ids);
    kt_ivec recent = {0};
    if (!rc)
        rc = kt_store_unread_direct(st, person, ps->cutoff - DAY, ps->cutoff, MAX_UNREAD, &recent);
    json_t *notes = rc ? NULL : visible(st, person, &l->ids);
    json_t *unread = rc ? NULL : visible(st, person, &recent);
    kt_ivec_free(&recent);
    if (!rc && json_array_size(notes) == 0)
        rc = KT_ENOTFOUND;
    if (!rc) {
        char base[512], day[80], subject[160];
        writer w = {.base = base_url(app, base, sizeof base)};
        kt_time_dutch(ps->cutoff - 1, false, day, sizeof day); /* the pass's day */
        write_letter(&w, l->mail.to_name, day, notes, unread);
        size_t count = json_array_size(notes);
        snprintf(subject, sizeof subject, "Dagoverzicht ketentafel \xe2\x80\x93 %zu %s", count,
                 count == 1 ? "melding" : "meldingen");
        l->mail.subject = strdup(subject);
        l->mail.text = kt_sb_take(&w.text);
        l->mail.html = kt_sb_take(&w.html);
        kt_mail_stamp(&l->mail, app->cfg.mail_from);
        if (!l->mail.subject || !l->mail.text || !l->mail.html)
            rc = KT_ENOMEM;
    }
    json_decref(notes);
    json_decref(unread);
    return rc;
}

/* ---- recording ---- */

static int mark_digested(kt_store *st, const kt_ivec *ids, int64_t now)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < ids->n; i++)
        rc = kt_store_notification_digested(st, ids->v[i], now);
    return rc;
}

/* Writes what became of l: sent (its notifications digested), failed (error kept, the
 * notifications wait for tomorrow), or never tried (the claim is released). */
static void record(kt_app *app, const pass *ps, letter *l, bool tried)
{
    kt_store *st = app->store;
    int64_t now = kt_now();
    int rc = kt_store_begin(st);
    if (!rc && !tried)
        rc = kt_store_digest_release(st, l->person, ps->day);
    else if (!rc)
        rc = kt_store_digest_record(st, l->person, ps->day, l->rc == 0 ? now : 0,
                                    l->rc != 0 ? l->err : NULL);
    /* Sent, or nothing in it may be shown any more: these notifications are settled. */
    if (!rc && tried && (l->rc == 0 || l->rc == KT_ENOTFOUND))
        rc = mark_digested(st, &l->ids, now);
    if (!rc)
        rc = kt_store_commit(st);
    else if (kt_store_in_txn(st))
        kt_store_rollback(st);
    if (rc)
        kt_warn("digest not recorded", "person=%lld rc=%d", (long long)l->person, rc);
}

static void letters_free(letter *ls, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kt_ivec_free(&ls[i].ids);
        kt_mail_clear(&ls[i].mail);
    }
    free(ls);
}

/* Claims and composes the next letters of the pass. *n = 0: the pass is complete. Letters with
 * nothing to show are settled here and not returned. */
static int prepare_batch(kt_app *app, const pass *ps, letter **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    kt_ivec persons = {0};
    int rc = pending_persons(app->store, ps, &persons);
    letter *ls = rc || !persons.n ? NULL : calloc(persons.n, sizeof *ls);
    if (!rc && persons.n && !ls)
        rc = KT_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; !rc && i < persons.n; i++) {
        int claimed = claim(app->store, persons.v[i], ps->day, app->cfg.node_id);
        if (claimed <= 0) {
            rc = claimed;
            continue;
        }
        letter *l = &ls[k];
        l->rc = compose(app, persons.v[i], ps, l);
        if (l->rc == 0) {
            k++;
            continue;
        }
        snprintf(l->err, sizeof l->err, "%s",
                 l->rc == KT_ENOTFOUND ? "niets te melden" : "kon niet worden opgesteld");
        record(app, ps, l, true);
        kt_ivec_free(&l->ids);
        kt_mail_clear(&l->mail);
        memset(l, 0, sizeof *l);
    }
    kt_ivec_free(&persons);
    if (!k) {
        free(ls);
        return rc;
    }
    /* A later claim failed: the letters claimed so far still go; the rest waits a tick. */
    *out = ls;
    *n = k;
    return 0;
}

/* ---- the schedule (loop thread) and the sends (worker thread) ---- */

typedef struct send_job {
    kt_job base;
    kt_digest *d;
    pass ps;
    letter *letters;
    size_t n;
    bool ran;
} send_job;

/* l->rc when a send was cut short by the node stopping: not tried, the claim is released. */
#define NOT_TRIED KT_ESTATE

static void send_run(kt_job *base)
{
    send_job *j = (send_job *)base;
    const kt_config *cfg = &j->d->app->cfg;
    for (size_t i = 0; i < j->n; i++) {
        letter *l = &j->letters[i];
        l->rc = atomic_load(&j->d->stop) ? NOT_TRIED
                                         : kt_mail_send(cfg->smtp_url, cfg->mail_from, &l->mail,
                                                        &j->d->stop, l->err, sizeof l->err);
        if (l->rc && atomic_load(&j->d->stop))
            l->rc = NOT_TRIED;
    }
    j->ran = true;
}

static void start_batch(kt_digest *d, const pass *ps);

static void send_done(kt_job *base)
{
    send_job *j = (send_job *)base;
    kt_digest *d = j->d;
    for (size_t i = 0; i < j->n; i++) {
        letter *l = &j->letters[i];
        bool tried = j->ran && l->rc != NOT_TRIED;
        record(d->app, &j->ps, l, tried);
        if (!tried)
            continue;
        if (l->rc == 0) {
            d->sent++;
            kt_info("digest sent", "person=%lld notifications=%zu", (long long)l->person, l->ids.n);
        } else {
            d->failed++;
            snprintf(d->last_error, sizeof d->last_error, "%s", l->err);
            kt_warn("digest not sent", "person=%lld error=\"%s\"", (long long)l->person, l->err);
        }
    }
    letters_free(j->letters, j->n);
    pass ps = j->ps;
    bool go_on = j->ran && !atomic_load(&d->stop);
    free(j);
    d->in_flight = false;
    if (go_on)
        start_batch(d, &ps); /* the next batch of the same pass */
}

static void start_batch(kt_digest *d, const pass *ps)
{
    letter *ls;
    size_t n;
    int rc = prepare_batch(d->app, ps, &ls, &n);
    if (rc) {
        kt_warn("digest pass interrupted", "rc=%d", rc);
        return; /* the next tick tries again */
    }
    if (!n) {
        snprintf(d->done_day, sizeof d->done_day, "%s", ps->day);
        kt_info("digest pass done", "day=%s sent=%llu failed=%llu", ps->day,
                (unsigned long long)d->sent, (unsigned long long)d->failed);
        return;
    }
    send_job *j = calloc(1, sizeof *j);
    if (!j) {
        for (size_t i = 0; i < n; i++)
            record(d->app, ps, &ls[i], false);
        letters_free(ls, n);
        return;
    }
    j->base.run = send_run;
    j->base.done = send_done;
    j->d = d;
    j->ps = *ps;
    j->letters = ls;
    j->n = n;
    d->in_flight = true;
    kt_worker_submit(d->worker, &j->base);
}

/* ---- single messages (password links) on the same worker ---- */

typedef struct mail_job {
    kt_job base;
    kt_digest *d;
    kt_mail mail;
    int rc;
    char err[200];
    bool ran;
} mail_job;

static void mail_run(kt_job *base)
{
    mail_job *j = (mail_job *)base;
    const kt_config *cfg = &j->d->app->cfg;
    j->rc = atomic_load(&j->d->stop) ? NOT_TRIED
                                     : kt_mail_send(cfg->smtp_url, cfg->mail_from, &j->mail,
                                                    &j->d->stop, j->err, sizeof j->err);
    j->ran = true;
}

static void mail_done(kt_job *base)
{
    mail_job *j = (mail_job *)base;
    if (j->ran && j->rc == 0) {
        kt_info("mail sent", "subject=\"%s\"", j->mail.subject);
    } else {
        j->d->failed++;
        snprintf(j->d->last_error, sizeof j->d->last_error, "%s",
                 j->ran ? j->err : "niet verstuurd: de server stopte");
        kt_warn("mail not sent", "error=\"%s\"", j->d->last_error);
    }
    kt_mail_clear(&j->mail);
    free(j);
}

int kt_digest_mail(kt_digest *d, kt_mail *m)
{
    mail_job *j = d ? calloc(1, sizeof *j) : NULL;
    if (!j) {
        kt_mail_clear(m);
        return d ? KT_ENOMEM : KT_EINVAL;
    }
    j->base.run = mail_run;
    j->base.done = mail_done;
    j->d = d;
    j->mail = *m;
    memset(m, 0, sizeof *m);
    kt_mail_stamp(&j->mail, d->app->cfg.mail_from);
    return kt_worker_submit(d->worker, &j->base);
}

/* The pass of today, if the digest hour has come and it has not run yet. */
static bool due_pass(const kt_app *app, const char *done_day, bool any_hour, pass *ps)
{
    int y, mo, da, h, mi, wd;
    int64_t now = kt_now();
    kt_utc_to_local(now, &y, &mo, &da, &h, &mi, &wd);
    kt_date_today_local(ps->day, sizeof ps->day);
    ps->cutoff = now + 1;
    return (any_hour || h >= app->cfg.digest_hour) && strcmp(ps->day, done_day) != 0;
}

static void tick(lws_sorted_usec_list_t *sul)
{
    kt_digest *d = lws_container_of(sul, kt_digest, sul);
    pass ps;
    if (!d->in_flight && due_pass(d->app, d->done_day, false, &ps))
        start_batch(d, &ps);
    lws_sul_schedule(d->app->lws, 0, &d->sul, tick, TICK_US);
}

kt_digest *kt_digest_start(kt_app *app)
{
    if (!app->cfg.smtp_url || !*app->cfg.smtp_url) {
        kt_info("no mail relay configured: daily digests are skipped", NULL);
        return NULL;
    }
    kt_digest *d = calloc(1, sizeof *d);
    if (!d || kt_mail_global_init()) {
        free(d);
        kt_error("digest not started", NULL);
        return NULL;
    }
    d->app = app;
    atomic_init(&d->stop, false);
    d->worker = kt_worker_start(app->wake, app);
    if (!d->worker) {
        kt_mail_global_cleanup();
        free(d);
        kt_error("digest not started", "why=\"no worker thread\"");
        return NULL;
    }
    lws_sul_schedule(app->lws, 0, &d->sul, tick, FIRST_TICK_US);
    app->send_mail = kt_digest_mail;
    kt_info("daily digest scheduled", "hour=%d", app->cfg.digest_hour);
    return d;
}

void kt_digest_drain(kt_digest *d)
{
    if (d)
        kt_worker_drain(d->worker);
}

void kt_digest_stop(kt_digest *d)
{
    if (!d)
        return;
    atomic_store(&d->stop, true);
    d->app->send_mail = NULL;
    lws_sul_cancel(&d->sul);
    kt_worker_stop(d->worker); /* calls send_done for what finished and what never started */
    kt_mail_global_cleanup();
    free(d);
}

json_t *kt_digest_health(const kt_app *app)
{
    const kt_digest *d = app->digest;
    if (!d)
        return json_pack("{s:b, s:s}", "configured", 0, "digests", "skipped");
    return json_pack("{s:b, s:s, s:i, s:s?, s:I, s:I, s:s?}", "configured", 1, "digests", "daily",
                     "digest_hour", app->cfg.digest_hour, "last_day",
                     d->done_day[0] ? d->done_day : NULL, "sent", (json_int_t)d->sent, "failed",
                     (json_int_t)d->failed, "last_error", d->last_error[0] ? d->last_error : NULL);
}

/* ---- the command ---- */

int kt_digest_run_once(kt_app *app, bool any_hour, int *sent, int *failed)
{
    *sent = *failed = 0;
    if (!app->cfg.smtp_url || !*app->cfg.smtp_url)
        return KT_EINVAL;
    pass ps;
    if (!due_pass(app, "", any_hour, &ps))
        return 0;
    if (kt_mail_global_init())
        return KT_EIO;
    int rc = 0;
    for (;;) {
        letter *ls;
        size_t n;
        rc = prepare_batch(app, &ps, &ls, &n);
        if (rc || !n)
            break;
        for (size_t i = 0; i < n; i++) {
            ls[i].rc = kt_mail_send(app->cfg.smtp_url, app->cfg.mail_from, &ls[i].mail, NULL,
                                    ls[i].err, sizeof ls[i].err);
            record(app, &ps, &ls[i], true);
            if (ls[i].rc == 0) {
                (*sent)++;
            } else {
                (*failed)++;
                kt_warn("digest not sent", "person=%lld error=\"%s\"", (long long)ls[i].person,
                        ls[i].err);
            }
        }
        letters_free(ls, n);
    }
    kt_mail_global_cleanup();
    return rc ? rc : *failed ? KT_EIO : 0;
}
