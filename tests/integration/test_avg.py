"""Issue 16: the AVG (GDPR). Retention enforced by the server on a clock fixed in the future; a
person's data exported (JSON and a readable summary) and a person who left erased, leaving no
trace where none should stay and every other record intact; both in the audit log."""

import datetime
import json
import os
import shutil
import sqlite3
import tempfile
import unittest

from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, ProtocolError, Server, db_query, iso,
                     parse_instant, setup_world)

T0 = "2026-12-02T09:00:00Z"


def later(days):
    return iso(parse_instant(T0) + datetime.timedelta(days=days))


def read_db(path, sql, args=()):
    if path.startswith("postgres"):
        return db_query(path, sql, args)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def text_hits(path, needles):
    """(table, column, value) of every text value in the database that contains a needle."""
    hits = []
    if path.startswith("postgres"):
        # every column of every table, as text (the search index included)
        for t, col in read_db(path, "SELECT table_name, column_name FROM "
                                    "information_schema.columns WHERE table_schema = 'public' "
                                    "ORDER BY table_name, ordinal_position"):
            for (v,) in read_db(path, f'SELECT "{col}"::text FROM "{t}"'):
                if isinstance(v, str) and any(n.lower() in v.lower() for n in needles):
                    hits.append((t, col, v))
        return hits
    # the search index is read through its shadow tables (its tokenizer lives in the server)
    tables = [t for (t,) in read_db(path, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE "
                                          "'CREATE VIRTUAL%'")]
    for t in tables:
        for (_, col, ctype, *_rest) in read_db(path, f'PRAGMA table_info("{t}")'):
            for (v,) in read_db(path, f'SELECT "{col}" FROM "{t}"'):
                if isinstance(v, bytes):
                    v = v.decode("utf-8", "replace")
                if isinstance(v, str) and any(n.lower() in v.lower() for n in needles):
                    hits.append((t, col, v))
    return hits


class RetentionTest(unittest.IsolatedAsyncioTestCase):
    """Data made at T0, then the node started again later: what expired is gone on start."""

    async def asyncSetUp(self):
        self.dir = tempfile.mkdtemp(prefix="kt-retention-")
        self.db = os.path.join(self.dir, "kt.db")
        s = Server("retention-t0", db=self.db, now=T0)
        s.create_admin()
        s.start()
        admin = await s.connect(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        self.w = await setup_world(s, admin)
        body, p = self.w["body"], self.w["persons"]
        chair = await s.connect(s.login("chair@test.example"))
        m = (await chair.call("meeting.create", body=body, start=later(-7),
                              end=iso(parse_instant(later(-7)) +
                                      datetime.timedelta(hours=2))))["meeting"]
        self.meeting = m["id"]
        await chair.call("meeting.update", meeting=self.meeting, minutes="Verslag: besproken.")
        # sent ter vaststelling (a version: a copy of the verslag) and an amendment proposed
        await chair.call("minutes.submit", meeting=self.meeting, deadline=later(1)[:10])
        await chair.call("minutes.amend", meeting=self.meeting, text="Voorstel: ook de wijk noemen.")
        await chair.call("chat.post", body=body, text="Oud bericht @Piet Politie")
        a = (await chair.call("action.create", body=body, text="Klaar actiepunt",
                              owner=p["police"]))["action"]
        await chair.call("action.update", action=a["id"], status="afgerond")
        self.done_action = a["id"]
        self.head = (await chair.call("body.get", body=body))["seq"]
        await chair.close()
        await admin.close()
        s.stop()
        s.cleanup()

    async def asyncTearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, days, *extra):
        s = Server(f"retention-{days}", db=self.db, now=later(days), extra=list(extra))
        s.start()
        self.addCleanup(s.cleanup)
        return s

    async def test_defaults_after_100_days_drop_notifications_and_keep_chat(self):
        s = self.start(100)
        try:
            police = await s.connect(s.login("police@test.example"))
            self.assertEqual((await police.call("notification.list"))["notifications"], [])
            chair = await s.connect(s.login("chair@test.example"))
            hist = await chair.call("chat.history", body=self.w["body"])
            self.assertEqual([m["text"] for m in hist["messages"]], ["Oud bericht @Piet Politie"])
            admin = await s.connect(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            policy = await admin.call("retention.get")
            days = {k["kind"]: k["days"] for k in policy["kinds"]}
            self.assertEqual(days, {"chat": 730, "verslagen": 0, "acties": 0, "meldingen": 90,
                                    "events": 0, "auditlog": 0})
            run = policy["last_run"]
            self.assertIsNotNone(run)
            self.assertEqual((run["action"], run["actor"]), ("retention.run", None))
            removed = {k["kind"]: k["removed"] for k in run["detail"]["kinds"]}
            self.assertGreater(removed["meldingen"], 0)
            self.assertEqual(removed["chat"], 0)
            log = await admin.call("audit.list")
            self.assertEqual(log["entries"][0]["action"], "retention.run")
            for c in (police, chair, admin):
                await c.close()
            # verslagen are kept by default, with their versions and amendments
            self.assertEqual(read_db(self.db, "SELECT (SELECT count(*) FROM minutes_versions), "
                                              "(SELECT count(*) FROM minutes_amendments)"), [(1, 1)])
        finally:
            s.stop()

    async def test_every_kind_goes_after_its_period_and_nothing_younger(self):
        args = ["--retain-minutes-days", "365", "--retain-actions-days", "365",
                "--retain-events-days", "365", "--retain-audit-days", "3650"]
        s = self.start(800, *args)
        body = self.w["body"]
        try:
            chair = await s.connect(s.login("chair@test.example"))
            self.assertEqual((await chair.call("chat.history", body=body))["messages"], [])
            got = await chair.call("meeting.get", meeting=self.meeting)
            self.assertEqual(got["minutes"], "")
            actions = await chair.call("action.list", body=body)
            self.assertNotIn(self.done_action, [a["id"] for a in actions["actions"]])
            # the event log was cut: a replay from before it is answered resync (the client
            # takes a fresh snapshot, PROTOCOL.md "Bounded replay"), a snapshot works
            snap = await chair.call("body.get", body=body)
            self.assertEqual(snap["seq"], self.head)  # the head stays: no seq is given twice
            with self.assertRaises(ProtocolError) as e:
                await chair.call("subscribe", body=body, since=0)
            self.assertEqual(e.exception.code, "resync")
            await chair.call("subscribe", body=body, since=snap["seq"])
            # the same for a notification stream: its old events went too
            police = await s.connect(s.login("police@test.example"))
            notes = await police.call("notification.list")
            self.assertGreater(notes["seq"], 0)
            with self.assertRaises(ProtocolError) as e:
                await police.call("notification.subscribe", since=0)
            self.assertEqual(e.exception.code, "resync")
            await police.call("notification.subscribe", since=notes["seq"])
            await police.close()
            # something new, then the node starts again a little later: it stays
            await chair.call("chat.post", body=body, text="Nieuw bericht")
            await chair.close()
        finally:
            s.stop()
        s = self.start(801, *args)
        try:
            chair = await s.connect(s.login("chair@test.example"))
            hist = await chair.call("chat.history", body=body)
            self.assertEqual([m["text"] for m in hist["messages"]], ["Nieuw bericht"])
            admin = await s.connect(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            kinds = {k["kind"]: k for k in (await admin.call("retention.get"))["kinds"]}
            self.assertEqual(kinds["verslagen"]["days"], 365)
            self.assertEqual(kinds["verslagen"]["oldest"], None)
            self.assertLess(kinds["chat"]["cutoff"], kinds["chat"]["oldest"])
            await chair.close()
            await admin.close()
        finally:
            s.stop()
        rows = dict(read_db(self.db, "SELECT 'events', count(*) FROM events WHERE "
                                     "created_at < ?", (int(parse_instant(later(800 - 365))
                                                            .timestamp()),)))
        self.assertEqual(rows["events"], 0)
        # the verslag's versions and amendments went with it
        self.assertEqual(read_db(self.db, "SELECT (SELECT count(*) FROM minutes_versions) + "
                                          "(SELECT count(*) FROM minutes_amendments)"), [(0,)])


class PersonRightsTest(unittest.IsolatedAsyncioTestCase):
    """Piet Politie leaves: an administrator exports his data, then erases him."""

    async def asyncSetUp(self):
        self.s = Server("avg")
        self.s.create_admin()
        self.s.start()
        s = self.s
        self.admin = await s.connect(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        self.w = await setup_world(s, self.admin)
        body, p = self.w["body"], self.w["persons"]
        self.piet = p["police"]
        chair = await s.connect(s.login("chair@test.example"))
        police = await s.connect(s.login("police@test.example"))
        housing = await s.connect(s.login("housing@test.example"))
        m = (await chair.call("meeting.create", body=body, start=later(1),
                              end=iso(parse_instant(later(1)) + datetime.timedelta(hours=2))))
        meeting = m["meeting"]["id"]
        open_item = (await chair.call("agenda.add", meeting=meeting, title="Overlast Wielwijk",
                                      presenter=self.piet))["item"]
        secret = (await chair.call("agenda.add", meeting=meeting, title="Casus Jansen geheim",
                                   presenter=self.piet, confidential=True,
                                   relevant=[{"org": self.w["orgs"]["pol"], "reason": "casus"}]))
        self.secret = secret["item"]["id"]
        said = (await police.call("chat.post", body=body, item=self.secret,
                                  text="Eerste detail uit het dossier"))["message"]
        # edited: what it said before is kept (message_changes), under the same item
        await police.call("chat.edit", body=body, message=said["id"], text="Detail uit het dossier")
        mine = (await police.call("chat.post", body=body, text="Eerst verkeerd"))["message"]
        await police.call("chat.edit", body=body, message=mine["id"], text="Ik breng de cijfers mee")
        await housing.call("chat.post", body=body, text="@Piet Politie dank!")
        await chair.call("action.create", body=body, text="Cijfers aanleveren", owner=self.piet,
                         item=open_item["id"])
        await police.call("attendance.set", meeting=meeting, status="aanwezig")
        await police.call("feed.create", kind="ical")
        await police.call("preferences.set", prefs={"agenda": "digest"})
        self.clients = [chair, police, housing]

    async def asyncTearDown(self):
        for c in self.clients + [self.admin]:
            await c.close()
        self.s.stop()
        self.s.cleanup()

    async def test_export_has_everything_as_json_and_summary_without_confidential_text(self):
        with self.assertRaises(ProtocolError) as e:
            await self.clients[0].call("person.export", person=self.piet)
        self.assertEqual(e.exception.code, "forbidden")
        r = await self.admin.call("person.export", person=self.piet)
        d = r["data"]
        self.assertEqual(d["person"]["email"], "police@test.example")
        self.assertNotIn("password_hash", json.dumps(d))
        self.assertEqual([m["body_name"] for m in d["memberships"]], ["Regiegroep Test"])
        texts = {m["text"] for m in d["messages"]}
        self.assertIn("Ik breng de cijfers mee", texts)
        # the thread of the confidential item: the administrator is not in its audience
        self.assertNotIn("Detail uit het dossier", json.dumps(r))
        self.assertNotIn("Eerste detail", json.dumps(r))
        olds = {m["old_text"] for m in d["message_changes"]}
        self.assertEqual(olds, {"Eerst verkeerd", "[vertrouwelijk]"})
        self.assertNotIn("Casus Jansen geheim", json.dumps(r))
        self.assertIn("[vertrouwelijk]", texts)
        self.assertIn("Overlast Wielwijk", [i["title"] for i in d["items_presented"]])
        self.assertEqual([a["text"] for a in d["actions_owned"]], ["Cijfers aanleveren"])
        self.assertEqual([a["status"] for a in d["attendance"]], ["aanwezig"])
        self.assertTrue(d["notifications"])  # mentioned by housing
        self.assertEqual([f["kind"] for f in d["feeds"]], ["ical"])
        summary = r["summary"]
        for part in ("Piet Politie", "police@test.example", "Lidmaatschappen (1)",
                     "Chatberichten (2)", "Ik breng de cijfers mee", "[vertrouwelijk]"):
            self.assertIn(part, summary)
        log = await self.admin.call("audit.list")
        e0 = log["entries"][0]
        self.assertEqual((e0["action"], e0["subject_kind"], e0["subject"], e0["actor_name"]),
                         ("person.export", "person", self.piet, "Test Beheerder"))

    async def test_erasure_leaves_no_trace_where_none_should_stay_and_others_intact(self):
        db, body = self.s.db, self.w["body"]
        chair = self.clients[0]
        with self.assertRaises(ProtocolError) as e:  # still active: not someone who left
            await self.admin.call("person.erase", person=self.piet, confirm="police@test.example")
        self.assertEqual(e.exception.code, "invalid_state")
        await self.admin.call("person.update", person=self.piet, active=False)
        with self.assertRaises(ProtocolError) as e:
            await self.admin.call("person.erase", person=self.piet, confirm="iemand@anders.nl")
        self.assertEqual(e.exception.code, "invalid_argument")

        def counts():
            q = {"messages": "SELECT count(*) FROM messages",
                 "actions": "SELECT count(*) FROM actions",
                 "items": "SELECT count(*) FROM items",
                 "attendance": "SELECT count(*) FROM attendance",
                 "others_notifications": f"SELECT count(*) FROM notifications WHERE "
                                         f"person_id <> {self.piet}",
                 "others_members": f"SELECT count(*) FROM memberships WHERE "
                                   f"person_id <> {self.piet}"}
            return {k: read_db(db, v)[0][0] for k, v in q.items()}

        before = counts()
        head = (await chair.call("body.get", body=body))["seq"]
        await chair.call("subscribe", body=body, since=head)
        r = await self.admin.call("person.erase", person=self.piet, confirm="POLICE@test.example")
        pseudonym = r["pseudonym"]
        self.assertEqual(pseudonym, f"Oud-deelnemer {self.piet}")
        self.assertEqual(r["report"]["removed"]["memberships"], 1)
        self.assertGreater(r["report"]["events_rewritten"], 0)
        # the body hears he left; its log has no gap
        evs = await chair.wait_events(body, 1)
        self.assertEqual((evs[0]["event"], evs[0]["seq"]), ("membership.removed", head + 1))
        # every other record is still there
        self.assertEqual(counts(), before)
        hist = await chair.call("chat.history", body=body)
        by = {m["text"]: m["person_name"] for m in hist["messages"]}
        self.assertEqual(by["Ik breng de cijfers mee"], pseudonym)
        self.assertEqual(by["@Piet Politie dank!"], "Wim Woning")
        await chair.call("subscribe", body=body, since=0)
        all_evs = await chair.wait_events(body, head + 1, timeout=30)
        seqs = sorted({e["seq"] for e in all_evs})
        self.assertEqual(seqs, list(range(1, head + 2)))
        # his own data is gone, and he cannot log in
        for t in ("sessions", "feed_tokens", "notification_prefs", "memberships",
                  "notifications", "setup_tokens"):
            self.assertEqual(read_db(db, f"SELECT count(*) FROM {t} WHERE person_id = ?",
                                     (self.piet,))[0][0], 0, t)
        self.assertEqual(read_db(db, "SELECT count(*) FROM events WHERE body_id = ?",
                                 (-self.piet,))[0][0], 0)
        status, _, _ = self.s.http("POST", "/api/login", {"email": "police@test.example",
                                                          "password": "geheim-wachtwoord-1"})
        self.assertEqual(status, 401)
        # no trace of his name or address, except in what others wrote themselves (documented)
        hits = text_hits(db, ["Piet Politie", "police@test.example"])
        self.assertTrue(hits)  # housing's message names him: it stays, it is housing's
        self.assertEqual([h for h in hits if "dank!" not in h[2]], [])
        # the processing log says who erased whom, and what went
        log = await self.admin.call("audit.list")
        e0 = log["entries"][0]
        self.assertEqual((e0["action"], e0["subject"]), ("person.erase", self.piet))
        self.assertEqual(e0["detail"]["removed"]["memberships"], 1)
        # an export now shows the pseudonym and what stays
        d = (await self.admin.call("person.export", person=self.piet))["data"]
        self.assertEqual((d["person"]["name"], d["person"]["active"]), (pseudonym, False))
        self.assertEqual(d["memberships"], [])
        self.assertEqual(len(d["messages"]), 2)


if __name__ == "__main__":
    unittest.main()
