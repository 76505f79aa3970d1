"""Issue 11, "who did what": the change log of a body. Every change of an action or besluit, an
agenda item, a meeting, a membership, the notes of an item and the verslag's steps is an entry
(who, when, what, each changed field before and after), written in the transaction of the
change; the chair and secretary read the body's log (audit.body, paged), everyone who may see a
record reads its history (audit.history). Entries pass the one visibility function when read: a
confidential item's entries never reach someone who may not see the item now."""

import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, WorldCase


def changes(entry):
    return {c["field"]: (c["before"], c["after"]) for c in entry["changes"]}


class AuditCase(WorldCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.c = {}
        for key in ("chair", "sec", "police", "housing", "observer", "outsider"):
            self.c[key] = await self.connect(f"{key}@test.example")
        self.meeting = (await self.c["chair"].call(
            "meeting.create", body=self.body, start="2027-03-04T09:30:00+01:00",
            end="2027-03-04T11:30:00+01:00"))["meeting"]

    async def log(self, key="chair", **args):
        return (await self.c[key].call("audit.body", body=self.body, limit=200, **args))["entries"]

    async def history(self, key, **args):
        return (await self.c[key].call("audit.history", **args))["entries"]


class ContentTest(AuditCase):
    async def test_an_action_change_records_who_when_and_before_and_after(self):
        a = (await self.c["police"].call("action.create", body=self.body, text="Beeld aanleveren",
                                         owner=self.p["police"], due="2027-04-01"))["action"]
        await self.c["chair"].call("action.update", action=a["id"], status="lopend",
                                   due="2027-04-15")
        await self.c["police"].call("action.update", action=a["id"], text="Beeld 2026 aanleveren")
        got = await self.history("housing", action=a["id"])
        self.assertEqual([(e["action"], e["actor"], e["actor_name"]) for e in got],
                         [("action.updated", self.p["police"], "Piet Politie"),
                          ("action.updated", self.p["chair"], "Carla Voorzitter"),
                          ("action.created", self.p["police"], "Piet Politie")])
        self.assertEqual(changes(got[0]), {"text": ("Beeld aanleveren", "Beeld 2026 aanleveren")})
        self.assertEqual(changes(got[1]), {"status": ("open", "lopend"),
                                           "due": ("2027-04-01", "2027-04-15")})
        self.assertTrue(got[2]["first"])
        self.assertFalse(got[1]["first"])
        created = changes(got[2])
        self.assertEqual((created["text"], created["owner"], created["status"]),
                         ((None, "Beeld aanleveren"), (None, self.p["police"]), (None, "open")))
        # when: the server's clock, as an ISO instant; the subject and its title
        self.assertRegex(got[0]["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual({(e["subject_kind"], e["subject"], e["title"]) for e in got[:1]},
                         {("action", a["id"], "Beeld 2026 aanleveren")})
        # the same entries in the body's log, for the chair
        log = [e for e in await self.log() if e["subject_kind"] == "action"]
        self.assertEqual([e["id"] for e in log], [e["id"] for e in got])

    async def test_items_meetings_memberships_notes_and_the_verslag_are_recorded(self):
        chair, sec = self.c["chair"], self.c["sec"]
        it = (await chair.call("agenda.add", meeting=self.meeting["id"],
                               title="Preventie met Gezag", duration=20))["item"]
        await sec.call("agenda.update", item=it["id"], title="Preventie met Gezag: vervolg")
        await sec.call("minutes.note", item=it["id"], text="Besproken.", rev=0)
        await chair.call("meeting.update", meeting=self.meeting["id"], location="Stadskantoor")
        await chair.call("membership.update", body=self.body, person=self.p["housing"],
                         role="waarnemer")
        gone = (await chair.call("agenda.add", body=self.body, title="Vervalt"))["item"]
        await chair.call("agenda.remove", item=gone["id"])
        log = await self.log("sec")
        kinds = [(e["action"], e["subject_kind"], e["subject"]) for e in log]
        for want in [("agenda.added", "item", it["id"]), ("agenda.updated", "item", it["id"]),
                     ("minutes.noted", "notes", it["id"]),
                     ("meeting.updated", "meeting", self.meeting["id"]),
                     ("membership.updated", "membership", self.p["housing"]),
                     ("agenda.removed", "item", gone["id"])]:
            self.assertIn(want, kinds)
        e = next(e for e in log if e["action"] == "agenda.updated")
        self.assertEqual(changes(e), {"title": ("Preventie met Gezag",
                                                "Preventie met Gezag: vervolg")})
        self.assertEqual((e["actor_name"], e["item"]), ("Sem Secretaris", it["id"]))
        e = next(e for e in log if e["action"] == "meeting.updated")
        self.assertEqual(changes(e)["location"][1], "Stadskantoor")
        e = next(e for e in log if e["action"] == "membership.updated")
        self.assertEqual(changes(e), {"role": ("lid", "waarnemer")})
        e = next(e for e in log if e["action"] == "minutes.noted")
        self.assertEqual(changes(e), {"text": (None, "Besproken.")})
        # of an item that is gone: who removed it when, nothing of what it said
        e = next(e for e in log if e["action"] == "agenda.removed")
        self.assertEqual((e["title"], e["changes"], e["actor_name"]),
                         (None, [], "Carla Voorzitter"))
        e = next(e for e in log if e["action"] == "agenda.added" and e["subject"] == gone["id"])
        self.assertEqual((e["title"], e["changes"]), (None, []))
        self.assertNotIn("Vervalt", str(log))
        # the item's history holds its notes too, newest first
        got = await self.history("police", item=it["id"])
        self.assertEqual([e["action"] for e in got],
                         ["minutes.noted", "agenda.updated", "agenda.added"])

    async def test_attendance_amendments_and_the_order_of_an_agenda_are_recorded(self):
        chair, sec = self.c["chair"], self.c["sec"]
        held = (await chair.call("meeting.create", body=self.body, start="2026-11-25T09:30:00Z",
                                 end="2026-11-25T11:30:00Z", standing=False))["meeting"]["id"]
        a = (await chair.call("agenda.add", meeting=held, title="Opening"))["item"]["id"]
        b = (await chair.call("agenda.add", meeting=held, title="Jaarplan"))["item"]["id"]
        line = (await sec.call("attendance.set", meeting=held, person=self.p["police"],
                               status="aanwezig"))["attendance"]["id"]
        await sec.call("attendance.set", meeting=held, person=self.p["police"], status="afwezig",
                       notice="met_bericht")
        await sec.call("attendance.remove", meeting=held, line=line)
        await chair.call("agenda.reorder", meeting=held, items=[b, a])
        await sec.call("minutes.submit", meeting=held, deadline="2026-12-08")
        pa = (await self.c["police"].call("minutes.amend", meeting=held, item=b,
                                          text="Jaarplan 2027, niet 2026."))["amendment"]
        ha = (await self.c["housing"].call("minutes.amend", meeting=held,
                                           text="Woonstichting was er."))["amendment"]
        await self.c["housing"].call("minutes.withdraw", meeting=held, amendment=ha["id"])
        await chair.call("minutes.approve", meeting=held, taken=[pa["id"]])
        log = await self.log("sec")
        att = [e for e in log if e["subject_kind"] == "attendance"]
        self.assertEqual([(e["action"], e["subject"], e["actor"]) for e in att],
                         [("attendance.removed", line, self.p["sec"]),
                          ("attendance.updated", line, self.p["sec"]),
                          ("attendance.updated", line, self.p["sec"])])
        self.assertEqual(changes(att[1])["status"], ("aanwezig", "afwezig"))
        am = [e for e in log if e["subject_kind"] == "amendment"]
        self.assertEqual([(e["action"], e["subject"], e["actor"]) for e in am],
                         [("amendment.decided", pa["id"], self.p["chair"]),
                          ("minutes.withdrawn", ha["id"], self.p["housing"]),
                          ("minutes.amended", ha["id"], self.p["housing"]),
                          ("minutes.amended", pa["id"], self.p["police"])])
        self.assertEqual(changes(am[0])["status"], ("ingediend", "overgenomen"))
        self.assertEqual(changes(am[1])["status"], ("ingediend", "ingetrokken"))
        self.assertEqual((am[3]["item"], am[3]["title"]), (b, "Jaarplan 2027, niet 2026."))
        order = [e for e in log if e["action"] == "agenda.reorder"]
        self.assertEqual([(e["subject_kind"], e["subject"], e["actor"], e["step"]["order"])
                          for e in order], [("agenda", held, self.p["chair"], [b, a])])

    async def test_a_history_has_the_attendance_order_verslag_and_amendments(self):
        """audit.history of a meeting: its attendance lines (one removed since too), its
        agenda's order, its verslag's steps and redactievoorstellen; of an item: the
        redactievoorstellen about it. Any member reads them, newest first."""
        chair, sec = self.c["chair"], self.c["sec"]
        held = (await chair.call("meeting.create", body=self.body, start="2026-11-26T09:30:00Z",
                                 end="2026-11-26T11:30:00Z", standing=False))["meeting"]["id"]
        other = (await chair.call("meeting.create", body=self.body, start="2026-11-27T09:30:00Z",
                                  end="2026-11-27T11:30:00Z", standing=False))["meeting"]["id"]
        a = (await chair.call("agenda.add", meeting=held, title="Opening"))["item"]["id"]
        b = (await chair.call("agenda.add", meeting=held, title="Jaarplan"))["item"]["id"]
        line = (await sec.call("attendance.set", meeting=held, person=self.p["police"],
                               status="aanwezig"))["attendance"]["id"]
        await sec.call("attendance.set", meeting=held, person=self.p["police"], status="afwezig",
                       notice="met_bericht")
        await sec.call("attendance.remove", meeting=held, line=line)
        # another meeting's attendance is not this one's history
        await sec.call("attendance.set", meeting=other, person=self.p["housing"],
                       status="aanwezig")
        await chair.call("agenda.reorder", meeting=held, items=[b, a])
        await sec.call("minutes.submit", meeting=held, deadline="2026-12-08")
        pa = (await self.c["police"].call("minutes.amend", meeting=held, item=b,
                                          text="Jaarplan 2027, niet 2026."))["amendment"]
        ha = (await self.c["housing"].call("minutes.amend", meeting=held,
                                           text="Woonstichting was er."))["amendment"]
        await self.c["housing"].call("minutes.withdraw", meeting=held, amendment=ha["id"])
        await chair.call("minutes.approve", meeting=held, taken=[pa["id"]])
        got = await self.history("housing", meeting=held)
        self.assertEqual([(e["action"], e["subject_kind"], e["subject"]) for e in got], [
            ("minutes.approved", "minutes", held),
            ("meeting.updated", "meeting", held),  # its status: vastgesteld
            ("amendment.decided", "amendment", pa["id"]),
            ("minutes.withdrawn", "amendment", ha["id"]),
            ("minutes.amended", "amendment", ha["id"]),
            ("minutes.amended", "amendment", pa["id"]),
            ("minutes.submitted", "minutes", held),
            ("meeting.updated", "meeting", held),  # its status: ter vaststelling
            ("agenda.reorder", "agenda", held),
            ("attendance.removed", "attendance", line),
            ("attendance.updated", "attendance", line),
            ("attendance.updated", "attendance", line),
            ("meeting.created", "meeting", held)])
        self.assertEqual([e["actor"] for e in got][8:12], [self.p["chair"]] + [self.p["sec"]] * 3)
        self.assertEqual(got[8]["step"]["order"], [b, a])
        # the item's history: its own entries and the redactievoorstel about it
        item = await self.history("housing", item=b)
        self.assertEqual([(e["action"], e["subject"]) for e in item],
                         [("amendment.decided", pa["id"]), ("minutes.amended", pa["id"]),
                          ("agenda.added", b)])
        self.assertEqual([e["action"] for e in await self.history("housing", item=a)],
                         ["agenda.added"])

    async def test_an_action_says_who_changed_it_last(self):
        a = (await self.c["police"].call("action.create", body=self.body, text="Beeld aanleveren",
                                         owner=self.p["police"]))["action"]
        self.assertEqual((a["created_by"], a["updated_by"]), (self.p["police"], self.p["police"]))
        got = (await self.c["chair"].call("action.update", action=a["id"],
                                          status="lopend"))["action"]
        self.assertEqual((got["created_by"], got["updated_by"]), (self.p["police"], self.p["chair"]))
        # not a change of its own in the change log
        entry = (await self.history("chair", action=a["id"]))[0]
        self.assertEqual(changes(entry), {"status": ("open", "lopend")})

    async def test_a_guests_limit_shows_only_the_items_the_reader_may_see(self):
        chair, sec = self.c["chair"], self.c["sec"]
        m = self.meeting["id"]
        open_ = (await chair.call("agenda.add", meeting=m, title="Open punt"))["item"]["id"]
        hidden = (await chair.call("agenda.add", meeting=m, title="Casus Wielwijk",
                                   confidential=True, relevant=[{"org": self.orgs["pol"]}],
                                   persons=[self.p["chair"]]))["item"]["id"]
        await chair.call("membership.update", body=self.body, person=self.p["housing"],
                         role="gast", items=[open_, hidden])
        await chair.call("agenda.reorder", meeting=m, items=[hidden, open_])

        def limit(entries):
            e = [x for x in entries if x["subject_kind"] == "membership"
                 and x["subject"] == self.p["housing"] and x["action"] == "membership.updated"]
            return changes(e[0])["items"][1]

        self.assertEqual(sorted(limit(await self.log("chair"))), sorted([open_, hidden]))
        self.assertEqual(limit(await self.log("sec")), [open_])
        orders = [e["step"]["order"] for e in await self.log("sec")
                  if e["action"] == "agenda.reorder"]
        self.assertEqual(orders, [[hidden, open_]])  # the secretary sees its place holder
        self.assertEqual([e["step"]["order"] for e in await self.log("chair")
                          if e["action"] == "agenda.reorder"], [[hidden, open_]])

    async def test_the_log_pages_newest_first(self):
        for i in range(7):
            await self.c["chair"].call("meeting.update", meeting=self.meeting["id"],
                                       location=f"Zaal {i}")
        everything = await self.log()
        page1 = await self.c["chair"].call("audit.body", body=self.body, limit=3)
        self.assertEqual([e["id"] for e in page1["entries"]], [e["id"] for e in everything[:3]])
        self.assertTrue(page1["more"])
        page2 = await self.c["chair"].call("audit.body", body=self.body, limit=3,
                                           before=page1["next"])
        self.assertEqual([e["id"] for e in page2["entries"]], [e["id"] for e in everything[3:6]])
        ids = [e["id"] for e in everything]
        self.assertEqual(ids, sorted(ids, reverse=True))


class WhoReadsTest(AuditCase):
    async def test_the_body_log_is_for_the_chair_and_secretary(self):
        for key in ("chair", "sec"):
            await self.log(key)
        for key in ("police", "housing", "observer"):
            await self.refused(self.c[key], "forbidden", "audit.body", body=self.body)
        await self.refused(self.c["outsider"], "not_member", "audit.body", body=self.body)
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        await self.refused(admin, "not_member", "audit.body", body=self.body)
        # and the administrators' AVG log holds none of a body's entries
        avg = (await admin.call("audit.list", limit=200))["entries"]
        self.assertEqual([e for e in avg if e["body"] is not None], [])

    async def test_a_history_is_for_who_may_see_the_record(self):
        a = (await self.c["police"].call("action.create", body=self.body, text="Open"))["action"]
        for key in ("chair", "police", "housing", "observer"):
            self.assertEqual(len(await self.history(key, action=a["id"])), 1, key)
        # a non-member: as for an action that never existed (what may not be seen does not
        # exist; a refusal would say it does)
        await self.refused(self.c["outsider"], "not_found", "audit.history", action=a["id"])
        await self.refused(self.c["outsider"], "not_found", "audit.history", action=999999)
        await self.refused(self.c["police"], "not_found", "audit.history", action=999999)
        await self.refused(self.c["police"], "invalid_argument", "audit.history",
                           action=a["id"], meeting=self.meeting["id"])
        await self.refused(self.c["police"], "invalid_argument", "audit.history")


class ConfidentialTest(AuditCase):
    """A confidential item for the police, created by the chair (so in its audience): the
    secretary (municipality) and housing are outside it."""

    async def test_a_confidential_items_entries_reach_its_audience_only(self):
        chair, police = self.c["chair"], self.c["police"]
        secret = (await chair.call(
            "agenda.add", meeting=self.meeting["id"], title="Casus Zeehavenkade",
            description="Loods Zeehavenkade", confidential=True,
            relevant=[{"org": self.orgs["pol"], "reason": "onderzoek"}]))["item"]
        a = (await police.call("action.create", body=self.body, item=secret["id"],
                               text="Zeehavenkade: eigenaar natrekken",
                               owner=self.p["police"]))["action"]
        await chair.call("action.update", action=a["id"], status="lopend")
        await chair.call("minutes.note", item=secret["id"], text="Zeehavenkade besproken.")
        await chair.call("agenda.update", item=secret["id"], title="Casus Zeehavenkade II")
        # the audience: the chair (who made it) and police
        self.assertIn("Zeehavenkade", str(await self.log("chair")))
        self.assertEqual(len(await self.history("police", action=a["id"])), 2)
        self.assertEqual(len(await self.history("police", item=secret["id"])), 3)
        # outside it: not in the secretary's log, no history for housing or the secretary
        self.assertNotIn("Zeehavenkade", str(await self.log("sec")))
        self.assertNotIn(secret["id"], [e["item"] for e in await self.log("sec")])
        for key in ("sec", "housing"):
            await self.refused(self.c[key], "not_found", "audit.history", action=a["id"])
            await self.refused(self.c[key], "not_found", "audit.history", item=secret["id"])

    async def test_a_meetings_history_leaves_out_what_is_said_about_a_hidden_item(self):
        chair, police = self.c["chair"], self.c["police"]
        held = (await chair.call("meeting.create", body=self.body, start="2026-11-26T09:30:00Z",
                                 end="2026-11-26T11:30:00Z", standing=False))["meeting"]["id"]
        secret = (await chair.call(
            "agenda.add", meeting=held, title="Casus Zeehavenkade", confidential=True,
            relevant=[{"org": self.orgs["pol"], "reason": "onderzoek"}]))["item"]["id"]
        opening = (await chair.call("agenda.add", meeting=held, title="Opening"))["item"]["id"]
        await chair.call("agenda.reorder", meeting=held, items=[opening, secret])
        await self.c["sec"].call("minutes.submit", meeting=held, deadline="2026-12-08")
        pa = (await police.call("minutes.amend", meeting=held, item=secret,
                                text="Loods Zeehavenkade, niet de kade."))["amendment"]
        # the audience reads the redactievoorstel in the meeting's and the item's history
        self.assertIn(pa["id"], [e["subject"] for e in await self.history("police", meeting=held)
                                 if e["subject_kind"] == "amendment"])
        self.assertIn(pa["id"], [e["subject"] for e in await self.history("police", item=secret)])
        # outside it: the order keeps the placeholder's place, nothing of what was said
        for key in ("sec", "housing"):
            got = await self.history(key, meeting=held)
            self.assertNotIn("Zeehavenkade", str(got))
            self.assertNotIn("amendment", [e["subject_kind"] for e in got])
            self.assertEqual([e["step"]["order"] for e in got if e["action"] == "agenda.reorder"],
                             [[opening, secret]])

    async def test_the_past_is_shown_as_it_may_be_seen_now(self):
        chair = self.c["chair"]
        it = (await chair.call("agenda.add", meeting=self.meeting["id"],
                               title="Overlast Wielwijk"))["item"]
        await chair.call("agenda.update", item=it["id"], description="Portiekflat Wielwijk")
        a = (await chair.call("action.create", body=self.body, item=it["id"],
                              text="Wielwijk: bewoners spreken"))["action"]
        self.assertIn("Wielwijk", str(await self.log("sec")))
        self.assertEqual(len(await self.history("housing", item=it["id"])), 2)
        # made confidential for the police: every earlier entry goes for those outside
        await chair.call("agenda.update", item=it["id"], confidential=True,
                         relevant=[{"org": self.orgs["pol"], "reason": "onderzoek"}])
        self.assertNotIn("Wielwijk", str(await self.log("sec")))
        await self.refused(self.c["housing"], "not_found", "audit.history", item=it["id"])
        await self.refused(self.c["housing"], "not_found", "audit.history", action=a["id"])
        self.assertEqual(len(await self.history("police", item=it["id"])), 3)

    async def test_a_removed_confidential_item_is_told_to_nobody(self):
        chair = self.c["chair"]
        open_ = (await chair.call("agenda.add", body=self.body, title="Open Kladpunt"))["item"]
        secret = (await chair.call(
            "agenda.add", body=self.body, title="Geheim Kladpunt", confidential=True,
            relevant=[{"org": self.orgs["pol"], "reason": "onderzoek"}]))["item"]
        for it in (open_, secret):
            await chair.call("agenda.remove", item=it["id"])
        for key in ("chair", "sec"):
            log = await self.log(key)
            self.assertEqual([e["action"] for e in log
                              if e["subject_kind"] == "item" and e["subject"] == open_["id"]],
                             ["agenda.removed", "agenda.added"])
            self.assertEqual([e for e in log if e["item"] == secret["id"]], [])
            self.assertNotIn("Kladpunt", str(log))


if __name__ == "__main__":
    unittest.main()
