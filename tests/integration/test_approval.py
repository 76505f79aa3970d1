"""Issue 13, part 3: approving the verslag. Concept -> ter vaststelling (a version kept, members
told, amendments until a deadline, an item "Verslag vorige vergadering" on the next agenda) ->
vastgesteld by the chair, recording which amendments were taken and from whom -> read-only, with
every version kept and readable. Confidential items stay hidden in documents, versions,
amendments and the approval note."""

import asyncio
import datetime
import unittest

from harness import Clock, WorldCase

# The run's clock starts on Wednesday 2 December 2026, 10:00 in Amsterdam.
NOW = "2026-12-02T09:00:00Z"
TODAY = "2026-12-02"


class ApprovalCase(WorldCase):
    """A world (harness.setup_world); a meeting held on 25 November with an open item and one
    confidential for the police, and the next meeting on 9 December."""

    NOW = NOW

    async def asyncSetUp(self):
        await super().asyncSetUp()
        await self.login_all()
        self.held = (await self.chair.call(
            "meeting.create", body=self.body, start="2026-11-25T09:30:00+01:00",
            end="2026-11-25T11:30:00+01:00", standing=False))["meeting"]
        self.item = (await self.chair.call("agenda.add", meeting=self.held["id"],
                                           title="Preventie met Gezag"))["item"]
        self.secret = (await self.chair.call(
            "agenda.add", meeting=self.held["id"], title="Casus Wielwijk", confidential=True,
            relevant=[{"org": self.orgs["pol"], "reason": "dossierhouder"}],
            persons=[self.p["chair"], self.p["sec"]]))["item"]
        self.next = (await self.chair.call(
            "meeting.create", body=self.body, start="2026-12-09T09:30:00+01:00",
            end="2026-12-09T11:30:00+01:00", standing=False))["meeting"]
        self.opening = (await self.chair.call("agenda.add", meeting=self.next["id"],
                                              title="Opening en mededelingen"))["item"]
        await self.chair.call("agenda.add", meeting=self.next["id"], title="Jaarplan 2027")
        await self.subscribe_all()

    async def login_all(self):
        self.chair = await self.connect("chair@test.example")
        self.sec = await self.connect("sec@test.example")
        self.police = await self.connect("police@test.example")
        self.housing = await self.connect("housing@test.example")
        self.observer = await self.connect("observer@test.example")

    async def subscribe_all(self):
        snap = await self.chair.call("body.get", body=self.body)
        for c in (self.chair, self.sec, self.police, self.housing):
            await c.call("subscribe", body=self.body, since=snap["seq"])


    async def notes_of(self, client, kind="verslag", want=1):
        for _ in range(100):
            ns = [n for n in (await client.call("notification.list", limit=200))["notifications"]
                  if n["kind"] == kind]
            if len(ns) >= want:
                return ns
            await asyncio.sleep(0.05)
        return ns


class ApprovalTest(ApprovalCase):
    async def test_ter_vaststelling_amended_vastgesteld_read_only_with_versions(self):
        held = self.held["id"]
        await self.sec.call("minutes.note", item=self.item["id"], text="- Het plan is besproken.")
        await self.sec.call("meeting.update", meeting=held, minutes="Verslag van 25 november.")
        act = (await self.sec.call("action.create", body=self.body, item=self.item["id"],
                                   kind="actiepunt", text="Plan uitwerken",
                                   owner=self.p["police"], due="2026-12-20"))["action"]
        besluit = (await self.sec.call("action.create", body=self.body, item=self.item["id"],
                                       kind="besluit", text="Het plan wordt uitgevoerd."))["action"]
        # Not ter vaststelling yet: no amendments, no approval.
        self.assertEqual((await self.police.call("minutes.get", meeting=held))["stage"], "concept")
        await self.refused(self.police, "invalid_state", "minutes.amend", meeting=held, text="x")
        await self.refused(self.chair, "invalid_state", "minutes.approve", meeting=held)
        # Only the verslag's own ops set its last two statuses.
        await self.refused(self.sec, "invalid_argument", "meeting.update", meeting=held,
                           status="verslag_vastgesteld")
        await self.refused(self.police, "forbidden", "minutes.submit", meeting=held,
                           deadline="2026-12-08")

        sent = await self.sec.call("minutes.submit", meeting=held, deadline="2026-12-08")
        self.assertEqual((sent["version"], sent["next_meeting"]), (1, self.next["id"]))
        # The next meeting has the verslag item, after its opening, about this meeting.
        added = await self.body_event(self.police, "agenda.added",
                                 lambda e: e["data"].get("carried") == "verslag")
        vitem = added["data"]["item"]
        self.assertEqual((vitem["meeting"], vitem["special"], vitem["minutes_of"], vitem["title"]),
                         (self.next["id"], "verslag", held, "Verslag vorige vergadering"))
        agenda = (await self.police.call("meeting.get", meeting=self.next["id"]))["agenda"]
        self.assertEqual([i["title"] for i in agenda],
                         ["Opening en mededelingen", "Verslag vorige vergadering", "Jaarplan 2027"])
        status = await self.body_event(self.police, "meeting.updated",
                                  lambda e: e["data"]["meeting"]["id"] == held)
        self.assertEqual(status["data"]["meeting"]["status"], "verslag_ter_vaststelling")
        await self.body_event(self.housing, "minutes.submitted")
        # Every member is told, with the deadline; the sender is not.
        for who in (self.police, self.housing, self.chair):
            ns = await self.notes_of(who)
            self.assertEqual(len(ns), 1, ns)
            self.assertIn("Verslag ter vaststelling", ns[0]["title"])
            self.assertIn("2026-12-08", ns[0]["text"])
            self.assertEqual(ns[0]["link"], f"#/vergadering/{held}")
        self.assertEqual(await self.notes_of(self.sec, want=0), [])

        got = await self.police.call("minutes.get", meeting=held)
        self.assertEqual((got["stage"], got["deadline"], got["can_amend"]),
                         ("ter_vaststelling", "2026-12-08", True))
        self.assertFalse((await self.observer.call("minutes.get", meeting=held))["can_amend"])
        await self.refused(self.observer, "forbidden", "minutes.amend", meeting=held, text="x")
        mine = (await self.police.call("minutes.amend", meeting=held, item=self.item["id"],
                                       text="Niet 'het plan' maar 'het plan van aanpak'."))
        whole = (await self.housing.call("minutes.amend", meeting=held,
                                         text="Woonstichting was aanwezig."))
        pa, ha = mine["amendment"], whole["amendment"]
        self.assertEqual((pa["person_name"], pa["org_name"], pa["item_title"], pa["status"]),
                         ("Piet Politie", "Politie Testdam", "Preventie met Gezag", "ingediend"))
        self.assertIsNone(ha["item"])
        await self.refused(self.police, "not_found", "minutes.amend", meeting=held,
                           item=vitem["id"], text="Een punt van een andere vergadering")
        # The chair and the secretary hear of amendments; members do not.
        self.assertEqual(len(await self.notes_of(self.chair, want=3)), 3)
        self.assertEqual(len(await self.notes_of(self.housing)), 1)

        # Amendments are taken in before approval; the version sent round stays as it was.
        await self.sec.call("minutes.note", item=self.item["id"],
                            text="- Het plan van aanpak is besproken.")
        for who in (self.police, self.sec):
            await self.refused(who, "forbidden", "minutes.approve", meeting=held)
        await self.refused(self.chair, "invalid_argument", "minutes.approve", meeting=held,
                           taken=[pa["id"], 999])
        approved = await self.chair.call("minutes.approve", meeting=held, taken=[pa["id"]])
        self.assertEqual((approved["version"], approved["approved_in"]), (2, self.next["id"]))
        self.assertEqual(approved["note"],
                         "Tekstuele wijzigingen van Piet Politie (Politie Testdam) zijn verwerkt.")
        states = {a["id"]: (a["status"], a["decided_by"]) for a in approved["amendments"]}
        self.assertEqual(states, {pa["id"]: ("overgenomen", self.p["chair"]),
                                  ha["id"]: ("niet_overgenomen", self.p["chair"])})
        ev = await self.body_event(self.housing, "minutes.approved")
        self.assertEqual(ev["data"], {"meeting": held, "version": 2, "note": approved["note"],
                                      "approved_in": self.next["id"]})
        # The approval is a besluit under the next meeting's verslag item.
        rec = await self.body_event(self.police, "action.created",
                               lambda e: e["data"]["action"]["item"] == vitem["id"])
        self.assertEqual(rec["data"]["action"]["kind"], "besluit")
        self.assertEqual(rec["data"]["action"]["decided_on"], "2026-12-09")
        self.assertRegex(rec["data"]["action"]["text"],
                         r"^Het verslag van de vergadering van .*25 november 2026.* wordt "
                         r"vastgesteld\. Tekstuele wijzigingen van Piet Politie")

        # Read-only: text, notes, status, attendance, the wording of outcomes; progress goes on.
        await self.refused(self.sec, "invalid_state", "minutes.note", item=self.item["id"],
                           text="Later nog iets")
        await self.refused(self.sec, "invalid_state", "meeting.update", meeting=held,
                           minutes="Anders")
        await self.refused(self.sec, "invalid_state", "meeting.update", meeting=held,
                           status="verslag_concept")
        await self.refused(self.sec, "invalid_state", "attendance.set", meeting=held,
                           person=self.p["housing"], status="afwezig")
        await self.refused(self.sec, "invalid_state", "action.update", action=besluit["id"],
                           text="Het plan wordt niet uitgevoerd.")
        await self.refused(self.sec, "invalid_state", "action.create", body=self.body,
                           item=self.item["id"], kind="besluit", text="Alsnog besloten.")
        done = await self.police.call("action.update", action=act["id"], status="afgerond")
        self.assertEqual(done["action"]["status"], "afgerond")
        await self.refused(self.sec, "invalid_state", "minutes.submit", meeting=held,
                           deadline="2026-12-08")
        await self.refused(self.chair, "invalid_state", "minutes.approve", meeting=held)
        await self.refused(self.police, "invalid_state", "minutes.amend", meeting=held, text="x")

        # The versions, each readable as it was.
        got = await self.housing.call("minutes.get", meeting=held)
        self.assertEqual(got["stage"], "vastgesteld")
        self.assertIsNone(got["deadline"])
        self.assertEqual([(v["version"], v["stage"], v["deadline"], v["created_by_name"])
                          for v in got["versions"]],
                         [(1, "ter_vaststelling", "2026-12-08", "Sem Secretaris"),
                          (2, "vastgesteld", None, "Carla Voorzitter")])
        self.assertEqual(got["versions"][1]["approved_in"], self.next["id"])
        v1 = (await self.housing.call("minutes.version", meeting=held, version=1))["document"]
        v2 = (await self.housing.call("minutes.version", meeting=held, version=2))["document"]
        self.assertEqual(v1["minutes"], "Verslag van 25 november.")
        self.assertEqual([i["notes"] for i in v1["items"]], ["- Het plan is besproken."])
        self.assertEqual([i["notes"] for i in v2["items"]], ["- Het plan van aanpak is besproken."])
        self.assertEqual([o["text"] for o in v1["items"][0]["outcomes"]],
                         ["Plan uitwerken", "Het plan wordt uitgevoerd."])
        await self.refused(self.housing, "not_found", "minutes.version", meeting=held, version=3)

    async def test_confidential_items_stay_hidden_in_documents_versions_and_amendments(self):
        held = self.held["id"]
        await self.sec.call("minutes.note", item=self.secret["id"], text="Pieterse, drugslab.")
        await self.sec.call("action.create", body=self.body, item=self.secret["id"],
                            kind="besluit", text="Dossier naar het OM.")
        await self.sec.call("minutes.submit", meeting=held, deadline=TODAY)
        await self.refused(self.housing, "not_found", "minutes.amend", meeting=held,
                           item=self.secret["id"], text="Wat is dit?")
        pa = (await self.police.call("minutes.amend", meeting=held, item=self.secret["id"],
                                     text="Pieterse is Pietersen."))["amendment"]
        await self.body_event(self.chair, "minutes.amended")
        for who, sees in ((self.police, True), (self.housing, False)):
            got = await who.call("minutes.get", meeting=held)
            titles = [i["title"] for i in got["document"]["items"]]
            self.assertEqual("Casus Wielwijk" in titles, sees)
            self.assertEqual([a["id"] for a in got["amendments"]], [pa["id"]] if sees else [])
            self.assertEqual(bool(got["document"]["outcomes"]), False)
            v1 = (await who.call("minutes.version", meeting=held, version=1))["document"]
            self.assertEqual("Casus Wielwijk" in [i["title"] for i in v1["items"]], sees)
            self.assertEqual("Pieterse" in str(got), sees)
            self.assertEqual("drugslab" in str(v1), sees)
        self.assertFalse([e for e in self.housing.body_events(self.body)
                          if e["event"] == "minutes.amended"])
        self.assertNotIn("Pieterse", str(await self.housing.call("notification.list")))
        approved = await self.chair.call("minutes.approve", meeting=held, taken=[pa["id"]])
        # Whoever proposed a change to a confidential item is not named; nor is there a count.
        self.assertEqual(approved["note"], "")
        ev = await self.body_event(self.housing, "minutes.approved")
        self.assertNotIn("Piet", str(ev))
        # Changing the item later (its title is frozen now: its description) does not bring it
        # back for others in the kept versions.
        await self.refused(self.chair, "invalid_state", "agenda.update", item=self.secret["id"],
                           title="Casus W.")
        await self.chair.call("agenda.update", item=self.secret["id"], description="Bijgewerkt")
        v2 = (await self.housing.call("minutes.version", meeting=held, version=2))["document"]
        self.assertEqual([i["title"] for i in v2["items"]], ["Preventie met Gezag"])

    async def test_the_deadline_and_the_order_of_steps(self):
        held = self.held["id"]
        await self.refused(self.sec, "invalid_state", "minutes.submit", meeting=self.next["id"],
                           deadline="2026-12-10")
        await self.refused(self.sec, "invalid_argument", "minutes.submit", meeting=held,
                           deadline="2026-12-01")
        sent = await self.sec.call("minutes.submit", meeting=held, deadline=TODAY)
        # Sent again (a new version, a new deadline): the next meeting keeps its one verslag item.
        again = await self.sec.call("minutes.submit", meeting=held, deadline="2026-12-03")
        self.assertEqual((sent["version"], again["version"]), (1, 2))
        agenda = (await self.chair.call("meeting.get", meeting=self.next["id"]))["agenda"]
        self.assertEqual([i["title"] for i in agenda].count("Verslag vorige vergadering"), 1)
        await self.police.call("minutes.amend", meeting=held, text="Op tijd.")

        # Two days later the deadline (3 December, inclusive) has passed.
        for c in self.clients:
            await c.close()
        self.clients = []
        self.server.stop()
        self.server.clock = Clock(datetime.datetime(2026, 12, 4, 9, 0, tzinfo=datetime.timezone.utc))
        self.server.start()
        await self.login_all()
        got = await self.police.call("minutes.get", meeting=held)
        self.assertEqual((got["stage"], got["deadline"], got["can_amend"]),
                         ("ter_vaststelling", "2026-12-03", False))
        msg = await self.refused(self.police, "invalid_state", "minutes.amend", meeting=held,
                                 text="Te laat.")
        self.assertEqual(msg, "De termijn voor wijzigingsvoorstellen is verstreken.")
        # The chair approves, at a meeting of this body only; without amendments taken.
        await self.refused(self.chair, "not_found", "minutes.approve", meeting=held, at=999)
        approved = await self.chair.call("minutes.approve", meeting=held, taken=[])
        self.assertEqual(approved["note"], "")
        self.assertEqual([a["status"] for a in approved["amendments"]], ["niet_overgenomen"])

    async def test_an_author_withdraws_an_amendment_and_titles_freeze_when_vastgesteld(self):
        held = self.held["id"]
        await self.sec.call("minutes.submit", meeting=held, deadline=TODAY)
        first = (await self.police.call("minutes.amend", meeting=held, item=self.item["id"],
                                        text="Niet de politie maar de wijkagent."))["amendment"]
        second = (await self.police.call("minutes.amend", meeting=held,
                                         text="Dubbel ingediend."))["amendment"]
        msg = await self.refused(self.housing, "forbidden", "minutes.withdraw", meeting=held,
                                 amendment=second["id"])
        self.assertEqual(msg, "Alleen wie een voorstel deed, kan het intrekken.")
        await self.refused(self.police, "not_found", "minutes.withdraw",
                           meeting=self.next["id"], amendment=second["id"])
        gone = (await self.police.call("minutes.withdraw", meeting=held,
                                       amendment=second["id"]))["amendment"]
        self.assertEqual(gone["status"], "ingetrokken")
        ev = await self.body_event(self.chair, "minutes.withdrawn")
        self.assertEqual(ev["data"]["amendment"]["id"], second["id"])
        await self.refused(self.police, "invalid_state", "minutes.withdraw", meeting=held,
                           amendment=second["id"])
        # Before vaststelling a title may still change; after it, not (the same title may).
        await self.chair.call("agenda.update", item=self.item["id"], title="Preventie met Gezag 2027")
        approved = await self.chair.call("minutes.approve", meeting=held, taken=[first["id"]])
        self.assertEqual(sorted(a["status"] for a in approved["amendments"]),
                         ["ingetrokken", "overgenomen"])
        await self.refused(self.police, "invalid_state", "minutes.withdraw", meeting=held,
                           amendment=first["id"])
        msg = await self.refused(self.chair, "invalid_state", "agenda.update",
                                 item=self.item["id"], title="Iets anders")
        self.assertIn("vastgesteld", msg)
        await self.chair.call("agenda.update", item=self.item["id"],
                              title="Preventie met Gezag 2027")
        got = (await self.chair.call("meeting.get", meeting=held))["agenda"]
        self.assertIn("Preventie met Gezag 2027", [i.get("title") for i in got])


if __name__ == "__main__":
    unittest.main()
