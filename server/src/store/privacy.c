#include "store/privacy.h"

#include "store/audit.h"
#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T(n)                                                                                       \
    {                                                                                              \
        n, KT_COL_TIME                                                                             \
    }
#define I(n)                                                                                       \
    {                                                                                              \
        n, KT_COL_INT                                                                              \
    }
#define S(n)                                                                                       \
    {                                                                                              \
        n, KT_COL_TEXT                                                                             \
    }
#define B(n)                                                                                       \
    {                                                                                              \
        n, KT_COL_BOOL                                                                             \
    }
#define END_COL                                                                                    \
    {                                                                                              \
        NULL, 0                                                                                    \
    }

static const kt_db_col c_session[] = {T("created"), T("expires"), END_COL};
static const kt_db_col c_token[] = {T("expires"), END_COL};
static const kt_db_col c_membership[] = {I("body"), S("body_name"), S("role"), T("since"), END_COL};
static const kt_db_col c_stand_in[] = {I("body"), S("body_name"), I("person"), S("person_name"),
                                       END_COL};
static const kt_db_col c_attendance[] = {I("meeting"),      I("body"),   T("starts_at"),
                                         S("status"),       S("notice"), S("role"),
                                         B("leaves_early"), S("note"),   END_COL};
static const kt_db_col c_substituted[] = {I("meeting"), I("body"), T("starts_at"), I("for"),
                                          END_COL};
static const kt_db_col c_recorded[] = {I("meeting"), I("body"), T("starts_at"), T("saved"),
                                       END_COL};
static const kt_db_col c_version[] = {I("meeting"), I("body"),    I("version"),
                                      S("stage"),   T("created"), END_COL};
static const kt_db_col c_amendment[] = {I("id"),   I("meeting"), I("body"),    I("item"),
                                        S("text"), S("status"),  T("created"), END_COL};
static const kt_db_col c_agenda_request[] = {I("id"),     I("body"),    S("kind"), S("title"),
                                             S("status"), T("created"), END_COL};
static const kt_db_col c_email_changed[] = {I("person"), S("person_name"), END_COL};
static const kt_db_col c_request_decided[] = {I("id"), I("body"), S("status"), T("decided"),
                                              END_COL};
static const kt_db_col c_decided[] = {I("id"),     I("meeting"), I("body"),
                                      S("status"), T("decided"), END_COL};
static const kt_db_col c_msg_change[] = {I("message"),  I("body"), I("item"), S("kind"),
                                         S("old_text"), T("time"), END_COL};
static const kt_db_col c_item[] = {I("item"),  I("body"),         I("meeting"),
                                   S("title"), B("confidential"), END_COL};
static const kt_db_col c_listed[] = {I("item"), I("body"), S("title"), END_COL};
static const kt_db_col c_action[] = {I("id"),     I("body"), S("kind"), S("text"),
                                     S("status"), S("due"),  I("item"), END_COL};
static const kt_db_col c_message[] = {I("id"), I("body"), I("item"), S("text"), T("time"), END_COL};
static const kt_db_col c_notification[] = {I("id"),   S("kind"),    S("title"), S("text"),
                                           I("item"), T("created"), T("read"),  END_COL};
static const kt_db_col c_caused[] = {I("id"), I("to"), S("kind"), T("created"), END_COL};
static const kt_db_col c_pref[] = {S("kind"), S("mode"), END_COL};
static const kt_db_col c_feed[] = {S("kind"), I("body"), T("created"), T("revoked"), END_COL};
static const kt_db_col c_digest[] = {S("day"), T("sent"), END_COL};
static const kt_db_col c_chat_read[] = {I("body"), I("last_read"), END_COL};
static const kt_db_col c_request[] = {S("op"), T("time"), END_COL};
static const kt_db_col c_flag[] = {I("id"),   S("kind"),     S("state"), S("note"),
                                   I("item"), T("resolved"), END_COL};
static const kt_db_col c_minutes[] = {I("meeting"), I("body"), T("starts_at"), T("saved"), END_COL};
static const kt_db_col c_notes[] = {I("item"), T("saved"), END_COL};
static const kt_db_col c_import[] = {I("meeting"), I("body"), T("imported"), END_COL};
static const kt_db_col c_events[] = {I("body"), I("events"), T("first"), T("last"), END_COL};

const kt_privacy_ref kt_privacy_refs[] = {
    {"sessions", "person_id", "sessions", "Aanmeldsessies", KT_PRIV_DELETE,
     "login sessions are only the person's; a person who left has none",
     "SELECT created_at, expires_at FROM sessions WHERE person_id = ?1", c_session,
     "DELETE FROM sessions WHERE person_id = ?1"},
    {"setup_tokens", "person_id", "password_links", "Wachtwoordlinks", KT_PRIV_DELETE,
     "links to set a password are only the person's",
     "SELECT expires_at FROM setup_tokens WHERE person_id = ?1", c_token,
     "DELETE FROM setup_tokens WHERE person_id = ?1"},
    {"memberships", "person_id", "memberships", "Lidmaatschappen", KT_PRIV_DELETE,
     "a person who left is no member of anything; each body's event log says so "
     "(membership.removed)",
     "SELECT m.body_id, b.name, m.role, m.created_at FROM memberships m JOIN bodies b ON "
     "b.id = m.body_id WHERE m.person_id = ?1 ORDER BY b.name",
     c_membership, "DELETE FROM memberships WHERE person_id = ?1"},
    {"memberships", "substitute_for", "stood_in_for_by", "Vaste vervangers", KT_PRIV_KEEP,
     "another person's membership as standing substitute is that person's record",
     "SELECT m.body_id, b.name, m.person_id, p.name FROM memberships m JOIN bodies b ON b.id = "
     "m.body_id JOIN persons p ON p.id = m.person_id WHERE m.substitute_for = ?1",
     c_stand_in, NULL},
    {"attendance", "person_id", "attendance", "Aanwezigheid bij vergaderingen", KT_PRIV_KEEP,
     "who attended is part of the meeting's record (the verslag names those present)",
     "SELECT a.meeting_id, m.body_id, m.starts_at, a.status, COALESCE(a.notice, ''), "
     "COALESCE(a.role, ''), a.leaves_early, a.note FROM attendance a JOIN "
     "meetings m ON m.id = a.meeting_id WHERE a.person_id = ?1 ORDER BY m.starts_at",
     c_attendance, NULL},
    {"attendance", "substitute_id", "substituted", "Vervangingen", KT_PRIV_KEEP,
     "whom the person replaced at a meeting is part of that meeting's record",
     "SELECT a.meeting_id, m.body_id, m.starts_at, a.person_id FROM attendance a JOIN meetings "
     "m ON m.id = a.meeting_id WHERE a.substitute_id = ?1 ORDER BY m.starts_at",
     c_substituted, NULL},
    {"attendance", "updated_by", "attendance_recorded", "Aanwezigheid vastgelegd", KT_PRIV_KEEP,
     "the attendance list is part of the meeting's record",
     "SELECT a.meeting_id, m.body_id, m.starts_at, a.updated_at FROM attendance a JOIN meetings "
     "m ON m.id = a.meeting_id WHERE a.updated_by = ?1 ORDER BY m.starts_at",
     c_recorded, NULL},
    {"items", "presenter_id", "items_presented", "Agendapunten als inbrenger", KT_PRIV_KEEP,
     "an agenda item belongs to the body's agenda",
     "SELECT id, body_id, meeting_id, title, confidential FROM items WHERE presenter_id = ?1 "
     "ORDER BY id",
     c_item, NULL},
    {"items", "created_by", "items_created", "Agendapunten aangemaakt", KT_PRIV_KEEP,
     "an agenda item belongs to the body's agenda",
     "SELECT id, body_id, meeting_id, title, confidential FROM items WHERE created_by = ?1 "
     "ORDER BY id",
     c_item, NULL},
    {"item_persons", "person_id", "items_listed", "Vertrouwelijke punten waarvoor genoemd",
     KT_PRIV_KEEP, "who may see a confidential item stays as it was decided",
     "SELECT p.item_id, i.body_id, i.title FROM item_persons p JOIN items i ON i.id = "
     "p.item_id WHERE p.person_id = ?1 ORDER BY p.item_id",
     c_listed, NULL},
    {"actions", "owner_person_id", "actions_owned", "Acties en toezeggingen als eigenaar",
     KT_PRIV_KEEP,
     "an action belongs to the body's action list; open ones need a new owner (the chair)",
     "SELECT id, body_id, kind, text, status, due_date, origin_item_id FROM actions WHERE "
     "owner_person_id = ?1 ORDER BY id",
     c_action, NULL},
    {"actions", "created_by", "actions_recorded", "Acties, toezeggingen en besluiten vastgelegd",
     KT_PRIV_KEEP, "what a body agreed belongs to the body",
     "SELECT id, body_id, kind, text, status, due_date, origin_item_id FROM actions WHERE "
     "created_by = ?1 ORDER BY id",
     c_action, NULL},
    {"actions", "updated_by", "actions_changed",
     "Acties, toezeggingen en besluiten laatst gewijzigd", KT_PRIV_KEEP,
     "who changed an action last belongs to the body's action list (as the change log)",
     "SELECT id, body_id, kind, text, status, due_date, origin_item_id FROM actions WHERE "
     "updated_by = ?1 ORDER BY id",
     c_action, NULL},
    {"messages", "person_id", "messages", "Chatberichten", KT_PRIV_KEEP,
     "a message is part of a conversation with others; it stays under the pseudonym until the "
     "chat retention period removes it",
     "SELECT id, body_id, item_id, text, created_at FROM messages WHERE person_id = ?1 ORDER "
     "BY id",
     c_message, NULL},
    {"notifications", "person_id", "notifications", "Meldingen", KT_PRIV_DELETE,
     "notifications are only the person's",
     "SELECT id, kind, title, text, item_id, created_at, read_at FROM notifications WHERE "
     "person_id = ?1 ORDER BY id",
     c_notification, "DELETE FROM notifications WHERE person_id = ?1"},
    {"notifications", "actor_id", "notifications_caused", "Meldingen aan anderen over uw werk",
     KT_PRIV_KEEP,
     "another person's notification is that person's; the name in its text becomes the "
     "pseudonym",
     "SELECT id, person_id, kind, created_at FROM notifications WHERE actor_id = ?1 ORDER BY id",
     c_caused, NULL},
    {"notification_prefs", "person_id", "notification_preferences", "Voorkeuren voor meldingen",
     KT_PRIV_DELETE, "preferences are only the person's",
     "SELECT kind, mode FROM notification_prefs WHERE person_id = ?1", c_pref,
     "DELETE FROM notification_prefs WHERE person_id = ?1"},
    {"feed_tokens", "person_id", "feeds", "Agenda- en meldingenlinks", KT_PRIV_DELETE,
     "calendar and feed links are only the person's",
     "SELECT kind, body_id, created_at, revoked_at FROM feed_tokens WHERE person_id = ?1", c_feed,
     "DELETE FROM feed_tokens WHERE person_id = ?1"},
    {"digests", "person_id", "digests", "Verstuurde dagoverzichten", KT_PRIV_DELETE,
     "the record of mails sent to the person is only the person's",
     "SELECT day, sent_at FROM digests WHERE person_id = ?1 ORDER BY day", c_digest,
     "DELETE FROM digests WHERE person_id = ?1"},
    {"chat_reads", "person_id", "chat_reads", "Hoe ver u de chat van een overleg hebt gelezen",
     KT_PRIV_DELETE, "how far a person has read a chat is only the person's",
     "SELECT body_id, last_read FROM chat_reads WHERE person_id = ?1 ORDER BY body_id", c_chat_read,
     "DELETE FROM chat_reads WHERE person_id = ?1"},
    {"request_keys", "person_id", "requests", "Verzoeksleutels", KT_PRIV_DELETE,
     "keys that make a client's retries safe are only the person's",
     "SELECT op, created_at FROM request_keys WHERE person_id = ?1", c_request,
     "DELETE FROM request_keys WHERE person_id = ?1"},
    {"persons", "email_changed_by", "email_addresses_changed",
     "E-mailadressen van anderen gewijzigd als beheerder", KT_PRIV_KEEP,
     "who changed the address of another person's account guards that account (four eyes on a "
     "reset, SECURITY.md) until that person sets a password again",
     "SELECT id, name FROM persons WHERE email_changed_by = ?1 ORDER BY id", c_email_changed, NULL},
    {"flags", "resolved_by", "flags_resolved", "Afgehandelde signaleringen", KT_PRIV_KEEP,
     "how a body handled a signal is the body's record",
     "SELECT id, kind, state, note, item_a, resolved_at FROM flags WHERE resolved_by = ?1", c_flag,
     NULL},
    {"meetings", "minutes_by", "minutes_saved", "Verslagen opgeslagen", KT_PRIV_KEEP,
     "a verslag is the body's record",
     "SELECT id, body_id, starts_at, minutes_at FROM meetings WHERE minutes_by = ?1", c_minutes,
     NULL},
    {"minutes_versions", "created_by", "minutes_versions",
     "Verslagversies ter vaststelling of vastgesteld", KT_PRIV_KEEP,
     "a version of a verslag is the body's record",
     "SELECT v.meeting_id, m.body_id, v.version, v.stage, v.created_at FROM minutes_versions v "
     "JOIN meetings m ON m.id = v.meeting_id WHERE v.created_by = ?1 ORDER BY v.id",
     c_version, NULL},
    {"minutes_amendments", "person_id", "minutes_amendments",
     "Voorstellen tot wijziging van verslagen", KT_PRIV_KEEP,
     "a proposed amendment is part of how the body approved its verslag",
     "SELECT a.id, a.meeting_id, m.body_id, a.item_id, a.text, a.status, a.created_at "
     "FROM minutes_amendments a JOIN meetings m ON m.id = a.meeting_id WHERE a.person_id = ?1 "
     "ORDER BY a.id",
     c_amendment, NULL},
    {"minutes_amendments", "decided_by", "minutes_amendments_decided",
     "Voorstellen tot wijziging beoordeeld", KT_PRIV_KEEP,
     "whether the chair took an amendment is part of the body's record",
     "SELECT a.id, a.meeting_id, m.body_id, a.status, a.decided_at FROM "
     "minutes_amendments a JOIN meetings m ON m.id = a.meeting_id WHERE a.decided_by = ?1 "
     "ORDER BY a.id",
     c_decided, NULL},
    {"agenda_requests", "requester_id", "agenda_requests",
     "Verzoeken om een onderwerp te agenderen, en verwijzingen naar andere overleggen",
     KT_PRIV_KEEP,
     "how a topic came on a body's agenda is part of the body's record; the title of an item "
     "referred from another body is that body's and is not repeated here",
     "SELECT id, body_id, kind, CASE WHEN kind = 'verzoek' THEN title ELSE '' END, status, "
     "created_at FROM agenda_requests WHERE requester_id = ?1 ORDER BY id",
     c_agenda_request, NULL},
    {"agenda_requests", "decided_by", "agenda_requests_decided",
     "Verzoeken om te agenderen beoordeeld", KT_PRIV_KEEP,
     "whether a body took a topic on is part of the body's record",
     "SELECT id, body_id, status, decided_at FROM agenda_requests WHERE decided_by = ?1 "
     "ORDER BY id",
     c_request_decided, NULL},
    {"message_changes", "person_id", "message_changes",
     "Eerdere tekst van bewerkte of verwijderde chatberichten", KT_PRIV_KEEP,
     "what a message said before its author changed it is kept with the message, and goes with "
     "it when the chat retention period removes it",
     "SELECT c.message_id, m.body_id, m.item_id, c.kind, c.old_text, c.at FROM "
     "message_changes c JOIN "
     "messages m ON m.id = c.message_id WHERE c.person_id = ?1 ORDER BY c.id",
     c_msg_change, NULL},
    {"item_notes", "updated_by", "notes_saved", "Notulen per agendapunt opgeslagen", KT_PRIV_KEEP,
     "notes are the body's record",
     "SELECT item_id, updated_at FROM item_notes WHERE "
     "updated_by = ?1",
     c_notes, NULL},
    {"imports", "imported_by", "verslagen_imported", "Verslagen geïmporteerd", KT_PRIV_KEEP,
     "how a verslag came into ketentafel is part of the body's record of that meeting",
     "SELECT meeting_id, body_id, imported_at FROM imports WHERE imported_by = ?1 ORDER BY id",
     c_import, NULL},
    {"events", "actor_id", "changes", "Wijzigingen in het gebeurtenissenlog", KT_PRIV_KEEP,
     "the event log is every member's history of a body and has no gaps; values that name the "
     "person become the pseudonym",
     "SELECT body_id, count(*), min(created_at), max(created_at) FROM events WHERE actor_id = "
     "?1 GROUP BY body_id ORDER BY body_id",
     c_events, NULL},
    {"audit", "actor_id", "audit_as_actor", "Handelingen in het auditlog", KT_PRIV_KEEP,
     "the audit log is the record of who did what (accountability, AVG art. 5(2))", NULL, NULL,
     NULL}, /* exported through kt_store_audit_of_person */
};

const int kt_n_privacy_refs = (int)(sizeof kt_privacy_refs / sizeof kt_privacy_refs[0]);

/* The person's own row. notes_made (migration 32) is how many notifications were ever made for
 * the person, the numbering of their notification ids (store/notifications.c): a count about
 * the person, so it is exported; on erasure it stays with the pseudonymised row (no id is given
 * twice). */
static const kt_db_col c_person[] = {I("id"),
                                     S("name"),
                                     S("email"),
                                     S("function"),
                                     I("org"),
                                     S("org_name"),
                                     B("admin"),
                                     B("active"),
                                     T("created"),
                                     T("updated"),
                                     I("notifications_made"),
                                     END_COL};

int kt_store_person_export(kt_store *st, int64_t person, json_t **out)
{
    *out = NULL;
    kt_db_stmt *s = kt_db_prepare(
        st, "SELECT p.id, p.name, p.email, p.function, p.org_id, o.name, p.is_admin, p.active, "
            "p.created_at, p.updated_at, p.notes_made FROM persons p "
            "JOIN organisations o ON o.id = p.org_id WHERE p.id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    json_t *p = NULL;
    int rc = kt_db_one_json(s, c_person, &p);
    if (rc)
        return rc;
    json_t *all = json_pack("{s:o}", "person", p);
    for (int i = 0; !rc && i < kt_n_privacy_refs; i++) {
        const kt_privacy_ref *r = &kt_privacy_refs[i];
        if (!r->cols)
            continue;
        kt_db_stmt *q = kt_db_prepare(st, r->select);
        if (!q) {
            rc = KT_ESTORE;
            break;
        }
        kt_db_bind_int(q, 1, person);
        json_t *arr = json_array();
        rc = kt_db_rows_json(q, r->cols, arr);
        json_object_set_new(all, r->key, arr);
    }
    json_t *audit = json_array();
    if (!rc)
        rc = kt_store_audit_of_person(st, person, audit);
    json_object_set_new(all, "audit", audit);
    if (rc) {
        json_decref(all);
        return rc;
    }
    *out = all;
    return 0;
}

int kt_store_person_bodies(kt_store *st, int64_t person, kt_ivec *out)
{
    kt_db_stmt *s = kt_db_prepare(st, "SELECT body_id FROM memberships WHERE person_id = ?1 "
                                      "ORDER BY body_id");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    return kt_db_ids(s, out);
}

/* "Jan" -> "\"Jan\"": a value as it stands in a JSON text (jansson, as the payloads were
 * written). malloc'd, or NULL. */
static char *json_value_text(const char *s)
{
    json_t *j = json_string(s);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(j);
    return t;
}

static int run_counted(kt_db_stmt *s, int64_t *n)
{
    if (!s)
        return KT_ESTORE;
    return kt_db_run(s, n);
}

/* Where the event log and others' notifications hold the old name or address as a value. */
static int rewrite_mentions(kt_store *st, int64_t person, const char *name, const char *email,
                            const char *pseudonym, const char *new_email, json_t *report)
{
    char *old_n = json_value_text(name), *old_e = json_value_text(email);
    char *new_n = json_value_text(pseudonym), *new_e = json_value_text(new_email);
    int rc = KT_ENOMEM;
    int64_t events = 0, notes = 0;
    if (old_n && old_e && new_n && new_e) {
        kt_db_stmt *s = kt_db_prepare(
            st, kt_db_sql(st,
                          "UPDATE events SET payload = replace(replace(payload, ?1, ?2), ?3, ?4) "
                          "WHERE instr(payload, ?1) > 0 OR instr(payload, ?3) > 0",
                          "UPDATE events SET payload = replace(replace(payload, ?1, ?2), ?3, ?4) "
                          "WHERE strpos(payload, ?1) > 0 OR strpos(payload, ?3) > 0"));
        if (s) {
            kt_db_bind_text(s, 1, old_n);
            kt_db_bind_text(s, 2, new_n);
            kt_db_bind_text(s, 3, old_e);
            kt_db_bind_text(s, 4, new_e);
        }
        rc = run_counted(s, &events);
        if (!rc) {
            /* notifications in others' streams are texts the server wrote ("Piet Politie
             * noemde u"): the name goes from them wherever it stands */
            int64_t more = 0;
            size_t ln = strlen(old_n), lp = strlen(new_n);
            old_n[ln - 1] = new_n[lp - 1] = 0; /* the value without its quotes */
            s = kt_db_prepare(st, kt_db_sql(st,
                                            "UPDATE events SET payload = replace(payload, ?1, ?2) "
                                            "WHERE body_id < 0 AND instr(payload, ?1) > 0",
                                            "UPDATE events SET payload = replace(payload, ?1, ?2) "
                                            "WHERE body_id < 0 AND strpos(payload, ?1) > 0"));
            if (s) {
                kt_db_bind_text(s, 1, old_n + 1);
                kt_db_bind_text(s, 2, new_n + 1);
            }
            rc = run_counted(s, &more);
            events += more;
        }
        if (!rc) {
            s = kt_db_prepare(st, "UPDATE notifications SET title = replace(title, ?2, ?3), "
                                  "text = replace(text, ?2, ?3) WHERE actor_id = ?1");
            if (s) {
                kt_db_bind_int(s, 1, person);
                kt_db_bind_text(s, 2, name);
                kt_db_bind_text(s, 3, pseudonym);
            }
            rc = run_counted(s, &notes);
        }
    }
    free(old_n);
    free(old_e);
    free(new_n);
    free(new_e);
    json_object_set_new(report, "events_rewritten", json_integer(events));
    json_object_set_new(report, "notifications_rewritten", json_integer(notes));
    return rc;
}

int kt_store_person_erase(kt_store *st, int64_t person, int64_t now, const char *pseudonym,
                          json_t **report)
{
    *report = NULL;
    kt_db_stmt *s = kt_db_prepare(st, "SELECT name, email FROM persons WHERE id = ?1");
    if (!s)
        return KT_ESTORE;
    kt_db_bind_int(s, 1, person);
    int rc = kt_db_step(s);
    if (rc != KT_DB_ROW) {
        kt_db_reset(s);
        return rc == KT_DB_DONE ? KT_ENOTFOUND : rc;
    }
    char *name = kt_db_dup(s, 0), *email = kt_db_dup(s, 1);
    kt_db_reset(s);
    char new_email[96];
    snprintf(new_email, sizeof new_email, "verwijderd-%lld@ketentafel.invalid", (long long)person);
    json_t *removed = json_object(), *r = json_object();
    rc = name && email ? 0 : KT_ENOMEM;
    for (int i = 0; !rc && i < kt_n_privacy_refs; i++) {
        const kt_privacy_ref *ref = &kt_privacy_refs[i];
        if (ref->fate != KT_PRIV_DELETE)
            continue;
        kt_db_stmt *d = kt_db_prepare(st, ref->erase);
        if (d)
            kt_db_bind_int(d, 1, person);
        int64_t n = 0;
        rc = run_counted(d, &n);
        json_object_set_new(removed, ref->key, json_integer(n));
    }
    if (!rc) { /* the person's own notification stream (store/events.h: stream -person) */
        kt_db_stmt *d = kt_db_prepare(st, "DELETE FROM events WHERE body_id = ?1");
        if (d)
            kt_db_bind_int(d, 1, -person);
        int64_t n = 0;
        rc = run_counted(d, &n);
        json_object_set_new(removed, "notification_stream", json_integer(n));
    }
    if (!rc)
        rc = rewrite_mentions(st, person, name, email, pseudonym, new_email, r);
    if (!rc) {
        kt_db_stmt *u = kt_db_prepare(
            st, "UPDATE persons SET name = ?2, email = ?3, function = '', password_hash = NULL, "
                "active = 0, is_admin = 0, updated_at = ?4 WHERE id = ?1");
        if (u) {
            kt_db_bind_int(u, 1, person);
            kt_db_bind_text(u, 2, pseudonym);
            kt_db_bind_text(u, 3, new_email);
            kt_db_bind_int(u, 4, now);
        }
        rc = run_counted(u, NULL);
    }
    free(name);
    free(email);
    json_object_set_new(r, "removed", removed);
    if (rc) {
        json_decref(r);
        return rc;
    }
    *report = r;
    return 0;
}
