"""Issue 6, notifications (meldingen): every trigger reaches the persons it concerns, never the
person whose action it was, and never someone who may not see what it is about - not when it is
made, and not later when the item it is about became confidential. Preferences (direct, digest,
off), read state with unread counts, and the live push on the person's own stream."""

import datetime
import itertools
import harness
import unittest
import zoneinfo

from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, ProtocolError, Server, setup_world)

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
_days = itertools.count(1)


def slot(hour=9, length=1):
    """A fresh day for each meeting, so meetings of one test never overlap another's."""
    day = datetime.date(2027, 2, 1) + datetime.timedelta(days=next(_days) * 2)
    start = datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=datetime.timezone.utc)
    end = start + datetime.timedelta(hours=length)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")


def local_date(offset):
    today = harness.CLOCK.now().astimezone(AMS).date()
    return (today + datetime.timedelta(days=offset)).isoformat()


async def add_person(admin, server, key, name, org):
    r = await admin.call("person.create", name=name, email=f"{key}@test.example", org=org)
    token = r["setup_url"].rsplit("/", 1)[1]
    status, _, raw = server.http("POST", "/api/password", {"token": token, "password": PASSWORD})
    assert status == 200, raw
    return r["person"]["id"]


class NotifyTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("notify")
        cls.server.create_admin()
        cls.server.start()
        cls.tokens = {}
        cls.w = None

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        s = self.server
        self.clients = []
        if NotifyTest.w is None:
            admin = await s.connect(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            w = await setup_world(s, admin)
            # A second body that shares the police member; housing is its secretary.
            w["persons"]["chair2"] = await add_person(admin, s, "chair2", "Chris Tweede",
                                                      w["orgs"]["woon"])
            w["body2"] = (await admin.call("body.create", name="Leefbaarheidsoverleg Test",
                                           kind="leefbaarheidsoverleg", scope="Dordrecht",
                                           level="operationeel"))["body"]["id"]
            for key, role in [("chair2", "voorzitter"), ("police", "lid"),
                              ("housing", "secretaris")]:
                await admin.call("membership.add", body=w["body2"], person=w["persons"][key],
                                 role=role)
            await admin.close()
            NotifyTest.w = w
        self.w = NotifyTest.w

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    async def as_(self, key):
        if key not in self.tokens:
            email = ADMIN_EMAIL if key == "admin" else f"{key}@test.example"
            password = ADMIN_PASSWORD if key == "admin" else PASSWORD
            self.tokens[key] = self.server.login(email, password)
        c = await self.server.connect(self.tokens[key])
        self.clients.append(c)
        return c

    async def notes(self, client, **match):
        """The caller's notifications whose fields equal match."""
        ns = (await client.call("notification.list", limit=200))["notifications"]
        return [n for n in ns if all(n.get(k) == v for k, v in match.items())]

    async def meeting(self, chair, body=None, hour=9, length=1, location="Stadskantoor"):
        start, end = slot(hour, length)
        r = await chair.call("meeting.create", body=body or self.w["body"], start=start,
                             end=end, location=location)
        return r["meeting"]["id"]

    # ---- meetings and agendas ----

    async def test_meeting_created_moved_cancelled_reach_the_members_not_the_actor(self):
        chair = await self.as_("chair")
        others = {k: await self.as_(k) for k in ("sec", "police", "housing", "observer")}
        outsider = await self.as_("outsider")
        m = await self.meeting(chair, location="Wijkcentrum De Brug")
        for key, c in others.items():
            got = await self.notes(c, kind="meeting", meeting=m)
            self.assertEqual(len(got), 1, key)
            self.assertIn("Nieuwe vergadering van Regiegroep Test", got[0]["title"])
            self.assertEqual(got[0]["text"], "Locatie: Wijkcentrum De Brug")
            self.assertEqual(got[0]["link"], f"#/vergadering/{m}")
            self.assertEqual((got[0]["actor_name"], got[0]["read"]), ("Carla Voorzitter", False))
        self.assertEqual(await self.notes(chair, meeting=m), [])
        self.assertEqual(await self.notes(outsider, meeting=m), [])
        start, end = slot(14)
        await chair.call("meeting.update", meeting=m, start=start, end=end)
        await chair.call("meeting.cancel", meeting=m)
        titles = [n["title"] for n in await self.notes(others["police"], meeting=m)]
        self.assertTrue(any("verplaatst naar" in t for t in titles), titles)
        self.assertTrue(any("is geannuleerd" in t for t in titles), titles)
        self.assertEqual(await self.notes(chair, meeting=m), [])

    async def test_agenda_published_and_changed_after_publishing(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        m = await self.meeting(chair)
        await chair.call("agenda.add", meeting=m, title="Opening")
        self.assertEqual(await self.notes(police, kind="agenda", meeting=m), [])  # still concept
        await chair.call("agenda.publish", meeting=m)
        got = await self.notes(police, kind="agenda", meeting=m)
        self.assertEqual([n["title"].split(":")[0] for n in got], ["Agenda gepubliceerd"])
        await chair.call("agenda.add", meeting=m, title="Rondvraag")
        await chair.call("agenda.add", meeting=m, title="Sluiting")
        changed = [n for n in await self.notes(police, kind="agenda", meeting=m)
                   if n["title"].startswith("Agenda gewijzigd na publicatie")]
        self.assertEqual(len(changed), 1)  # once per burst of edits, not per edit
        self.assertEqual([n for n in await self.notes(chair, meeting=m)], [])

    async def test_confidential_change_to_a_published_agenda_is_told_only_to_who_may_see_it(self):
        chair, police, sec = await self.as_("chair"), await self.as_("police"), await self.as_("sec")
        m = await self.meeting(chair)
        await chair.call("agenda.publish", meeting=m)
        await chair.call("agenda.add", meeting=m, title="Dossier woonfraude", confidential=True,
                         relevant=[{"org": self.w["orgs"]["gem"], "reason": "Gemeentelijk"}])
        changed = lambda ns: [n for n in ns if n["title"].startswith("Agenda gewijzigd")]
        self.assertEqual(len(changed(await self.notes(sec, meeting=m))), 1)
        self.assertEqual(changed(await self.notes(police, meeting=m)), [])

    # ---- relevant organisations ----

    async def test_relevant_organisation_hears_why_also_when_added_later(self):
        chair, police, housing = (await self.as_("chair"), await self.as_("police"),
                                  await self.as_("housing"))
        m = await self.meeting(chair)
        item = (await chair.call("agenda.add", meeting=m, title="Overlast Oranjepark",
                                 relevant=[{"org": self.w["orgs"]["woon"],
                                            "reason": "Huurwoningen aan het park"}]))["item"]["id"]
        got = await self.notes(housing, kind="relevant", item=item)
        self.assertEqual(len(got), 1)
        self.assertIn("Woonstichting Testdam is relevant bij \"Overlast Oranjepark\"",
                      got[0]["title"])
        self.assertEqual(got[0]["text"], "Waarom: Huurwoningen aan het park")
        self.assertEqual(got[0]["link"], f"#/vergadering/{m}")
        self.assertEqual(await self.notes(police, kind="relevant", item=item), [])
        await chair.call("agenda.update", item=item, relevant=[
            {"org": self.w["orgs"]["woon"], "reason": "Huurwoningen aan het park"},
            {"org": self.w["orgs"]["pol"], "reason": "Meldingen van overlast"}])
        got = await self.notes(police, kind="relevant", item=item)
        self.assertEqual([n["text"] for n in got], ["Waarom: Meldingen van overlast"])
        self.assertEqual(len(await self.notes(housing, kind="relevant", item=item)), 1)
        self.assertEqual(await self.notes(chair, kind="relevant", item=item), [])

    async def test_relevant_notification_for_a_confidential_item_reaches_only_allowed_persons(self):
        admin, chair, housing = (await self.as_("admin"), await self.as_("chair"),
                                 await self.as_("housing"))
        m = await self.meeting(chair)
        other = (await chair.call("agenda.add", meeting=m, title="Inspraak"))["item"]["id"]
        # a guest of the same organisation, invited for another item only
        if "guest" not in self.w["persons"]:
            self.w["persons"]["guest"] = await add_person(admin, self.server, "guest",
                                                          "Gijs Gast", self.w["orgs"]["woon"])
        # the chair invites them: nobody limits a guest to items they cannot see themselves
        await chair.call("membership.add", body=self.w["body"],
                         person=self.w["persons"]["guest"], role="gast", items=[other])
        try:
            guest = await self.as_("guest")
            item = (await chair.call("agenda.add", meeting=m, title="Signalen mensenhandel",
                                     confidential=True,
                                     relevant=[{"org": self.w["orgs"]["woon"],
                                                "reason": "Verhuurder"}]))["item"]["id"]
            self.assertEqual(len(await self.notes(housing, kind="relevant", item=item)), 1)
            self.assertEqual(await self.notes(guest, item=item), [])
            for n in await self.notes(guest):
                self.assertNotIn("mensenhandel", n["title"] + n["text"])
        finally:
            await admin.call("membership.remove", body=self.w["body"],
                             person=self.w["persons"]["guest"])

    async def test_item_made_confidential_later_disappears_from_the_list(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        m = await self.meeting(chair)
        item = (await chair.call("agenda.add", meeting=m, title="Drugsoverlast Stationsbuurt",
                                 relevant=[{"org": self.w["orgs"]["pol"],
                                            "reason": "Handhaving"}]))["item"]["id"]
        before = await police.call("notification.list")
        self.assertEqual(len([n for n in before["notifications"] if n["item"] == item]), 1)
        await chair.call("agenda.update", item=item, confidential=True,
                         relevant=[{"org": self.w["orgs"]["woon"], "reason": "Verhuurder"}])
        after = await police.call("notification.list")
        self.assertEqual([n for n in after["notifications"] if n["item"] == item], [])
        self.assertEqual(after["unread"], before["unread"] - 1)
        self.assertNotIn("Stationsbuurt", repr(after))

    # ---- actions and due dates ----

    async def test_action_assigned_to_me_and_to_my_organisation_not_to_myself(self):
        chair, police, housing = (await self.as_("chair"), await self.as_("police"),
                                  await self.as_("housing"))
        a = (await chair.call("action.create", body=self.w["body"],
                              text="Buurtonderzoek Oranjepark uitvoeren",
                              owner=self.w["persons"]["police"]))["action"]["id"]
        got = await self.notes(police, kind="assigned", action=a)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["title"], "Actiepunt voor u (Regiegroep Test)")
        self.assertEqual(got[0]["text"], "Buurtonderzoek Oranjepark uitvoeren")
        self.assertEqual(got[0]["link"], f"#/overleg/{self.w['body']}/acties")
        self.assertEqual(await self.notes(housing, action=a), [])
        b = (await chair.call("action.create", body=self.w["body"], kind="toezegging",
                              text="Bewonersbrief sturen",
                              owner_org=self.w["orgs"]["woon"]))["action"]["id"]
        got = await self.notes(housing, kind="assigned", action=b)
        self.assertEqual([n["title"] for n in got],
                         ["Toezegging voor Woonstichting Testdam (Regiegroep Test)"])
        self.assertEqual(await self.notes(police, action=b), [])
        # reassigning tells the new owner
        await chair.call("action.update", action=b, owner=self.w["persons"]["police"])
        self.assertEqual(len(await self.notes(police, kind="assigned", action=b)), 1)
        # one's own action for oneself is no news
        c = (await police.call("action.create", body=self.w["body"], text="Zelf oppakken",
                               owner=self.w["persons"]["police"]))["action"]["id"]
        self.assertEqual(await self.notes(police, kind="assigned", action=c), [])

    async def test_due_soon_and_overdue(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        soon, late, later = local_date(1), local_date(-3), local_date(20)
        a = (await chair.call("action.create", body=self.w["body"], text="Rapportage opleveren",
                              owner=self.w["persons"]["police"], due=soon))["action"]["id"]
        b = (await chair.call("action.create", body=self.w["body"], text="Evaluatie afronden",
                              owner=self.w["persons"]["police"], due=late))["action"]["id"]
        c = (await chair.call("action.create", body=self.w["body"], text="Jaarplan",
                              owner=self.w["persons"]["police"], due=later))["action"]["id"]
        due_a = await self.notes(police, kind="due", action=a)
        self.assertEqual([n["title"] for n in due_a],
                         [f"Actiepunt verloopt op {soon}: Regiegroep Test"])
        due_b = await self.notes(police, kind="due", action=b)
        self.assertEqual([n["title"] for n in due_b],
                         [f"Actiepunt over de deadline ({late}): Regiegroep Test"])
        self.assertEqual(await self.notes(police, kind="due", action=c), [])
        # once per action and due date, however often it changes
        await chair.call("action.update", action=a, text="Rapportage opleveren (concept)")
        self.assertEqual(len(await self.notes(police, kind="due", action=a)), 1)
        # a closed action is not due
        d = (await chair.call("action.create", body=self.w["body"], text="Al gedaan",
                              owner=self.w["persons"]["police"], due=late,
                              status="afgerond"))["action"]["id"]
        self.assertEqual(await self.notes(police, kind="due", action=d), [])

    # ---- chat ----

    async def test_mention_reaches_the_mentioned_not_the_writer(self):
        police, housing, sec = await self.as_("police"), await self.as_("housing"), await self.as_("sec")
        msg = (await police.call("chat.post", body=self.w["body"],
                                 text="@Wim Woning kun jij de sleutel regelen? @Piet Politie "
                                      "en @Otto Buiten"))["message"]
        got = await self.notes(housing, kind="mention")
        got = [n for n in got if "sleutel" in n["text"]]
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["title"], "Piet Politie noemde u in Regiegroep Test")
        self.assertEqual(got[0]["link"], f"#/overleg/{self.w['body']}/chat")
        self.assertEqual([n for n in await self.notes(police, kind="mention")
                          if "sleutel" in n["text"]], [])
        self.assertEqual([n for n in await self.notes(sec, kind="mention")
                          if "sleutel" in n["text"]], [])
        self.assertTrue(msg["mentions"])

    async def test_a_notification_id_counts_only_ones_own_notifications(self):
        # Issue 11: ids from one sequence for everyone showed a person, in the gap between two of
        # her notifications, that others were notified meanwhile (the confidential side of a
        # possible duplicate her probe met, say). Now an id counts one's own notifications.
        police, housing = await self.as_("police"), await self.as_("housing")
        body = self.w["body"]
        await police.call("chat.post", body=body, text="@Wim Woning eerste vraag")
        first = [n["id"] for n in await self.notes(housing, kind="mention")]
        for i in range(3):  # others are notified meanwhile
            await housing.call("chat.post", body=body, text=f"@Piet Politie antwoord {i}")
        await police.call("chat.post", body=body, text="@Wim Woning tweede vraag")
        second = [n["id"] for n in await self.notes(housing, kind="mention")]
        self.assertEqual(len(first), 1)
        self.assertEqual(second, [first[0] + 1, first[0]])
        # and they stay in order: the newest has the highest id (the web client sorts by it)
        mine = [n["id"] for n in (await police.call("notification.list"))["notifications"]]
        self.assertEqual(mine, sorted(mine, reverse=True))
        self.assertEqual(len(mine), len(set(mine)))

    async def test_mention_in_a_confidential_thread_reaches_only_who_may_see_the_item(self):
        chair, housing, police = (await self.as_("chair"), await self.as_("housing"),
                                  await self.as_("police"))
        m = await self.meeting(chair)
        item = (await chair.call("agenda.add", meeting=m, title="Ontruiming Kerkstraat",
                                 confidential=True,
                                 relevant=[{"org": self.w["orgs"]["woon"],
                                            "reason": "Eigenaar"}]))["item"]["id"]
        await housing.call("chat.post", body=self.w["body"], item=item,
                           text="@Piet Politie en @Carla Voorzitter: datum ontruiming is rond")
        self.assertEqual(await self.notes(police, item=item), [])
        for n in await self.notes(police, kind="mention"):
            self.assertNotIn("ontruiming", n["text"])
        got = await self.notes(chair, kind="mention", item=item)
        self.assertEqual(len(got), 1)
        self.assertIn("datum ontruiming is rond", got[0]["text"])

    # ---- flags ----

    async def test_meeting_conflict_flag_reaches_chairs_and_secretaries_of_both_bodies(self):
        chair, chair2 = await self.as_("chair"), await self.as_("chair2")
        sec, housing, police = await self.as_("sec"), await self.as_("housing"), await self.as_("police")
        start, _ = slot(9, 2)
        day = start[:10]
        r1 = await chair.call("meeting.create", body=self.w["body"], start=f"{day}T09:00:00Z",
                              end=f"{day}T11:00:00Z", location="Stadskantoor")
        r2 = await chair2.call("meeting.create", body=self.w["body2"], start=f"{day}T10:00:00Z",
                               end=f"{day}T12:00:00Z", location="Wijkcentrum")
        m1, m2 = r1["meeting"]["id"], r2["meeting"]["id"]
        flags = lambda ns, m: [n for n in ns if n["kind"] == "flag" and n["meeting"] == m]
        for c, m, other in [(chair, m1, "Leefbaarheidsoverleg Test"),
                            (sec, m1, "Leefbaarheidsoverleg Test"),
                            (chair2, m2, "Regiegroep Test"), (housing, m2, "Regiegroep Test")]:
            got = flags(await self.notes(c), m)
            self.assertEqual(len(got), 1, (m, got))
            self.assertIn(f"botst met {other}", got[0]["title"])
            self.assertIsNone(got[0]["actor"])
            self.assertTrue(got[0]["link"].endswith("/signaleringen"))
        ns = await self.notes(police)
        self.assertEqual(flags(ns, m1) + flags(ns, m2), [])  # members who do not chair

    # ---- memberships ----

    async def test_membership_added_and_removed_not_for_own_actions(self):
        admin, outsider = await self.as_("admin"), await self.as_("outsider")
        await admin.call("membership.add", body=self.w["body2"],
                         person=self.w["persons"]["outsider"], role="lid")
        await admin.call("membership.remove", body=self.w["body2"],
                         person=self.w["persons"]["outsider"])
        got = [n["title"] for n in await self.notes(outsider, kind="membership",
                                                    body=self.w["body2"])]
        self.assertEqual(got, ["U bent niet langer lid van Leefbaarheidsoverleg Test",
                               "U bent toegevoegd aan Leefbaarheidsoverleg Test als lid"])
        # leaving by oneself tells oneself nothing (an administrator cannot add themself: four
        # eyes, test_trust_admin)
        await admin.call("membership.add", body=self.w["body2"],
                         person=self.w["persons"]["outsider"], role="voorzitter")
        await outsider.call("membership.remove", body=self.w["body2"],
                            person=self.w["persons"]["outsider"])
        got = [n["title"] for n in await self.notes(outsider, kind="membership",
                                                    body=self.w["body2"])]
        self.assertEqual(got[0], "U bent toegevoegd aan Leefbaarheidsoverleg Test als voorzitter")

    # ---- preferences, read state, live push ----

    async def test_preferences_off_digest_direct(self):
        chair, housing, observer, police = (await self.as_("chair"), await self.as_("housing"),
                                            await self.as_("observer"), await self.as_("police"))
        await housing.call("preferences.set", prefs={"meeting": "off"})
        await observer.call("preferences.set", prefs={"meeting": "digest"})
        try:
            prefs = (await observer.call("preferences.get"))["prefs"]
            self.assertEqual((prefs["meeting"], prefs["mention"]), ("digest", "direct"))
            for c in (observer, police):
                await c.call("notification.subscribe")
            m = await self.meeting(chair)
            await police.wait_for(lambda c: any(
                e["event"] == "notification.created" and
                e["data"]["notification"]["meeting"] == m for e in c.events))
            self.assertEqual(await self.notes(housing, meeting=m), [])
            got = await self.notes(observer, meeting=m)
            self.assertEqual([n["delivery"] for n in got], ["digest"])
            self.assertEqual([n["delivery"] for n in await self.notes(police, meeting=m)],
                             ["direct"])
            await observer.call("ping")
            self.assertFalse([e for e in observer.events if e["event"] == "notification.created"
                              and e["data"]["notification"]["meeting"] == m])
        finally:
            await housing.call("preferences.set", prefs={"meeting": "direct"})
            await observer.call("preferences.set", prefs={"meeting": "direct"})
        with self.assertRaises(ProtocolError) as e:
            await housing.call("preferences.set", prefs={"meeting": "soms"})
        self.assertEqual(e.exception.code, "invalid_argument")

    async def test_read_one_and_all_unread_counts_and_live_push(self):
        chair, police, police2 = await self.as_("chair"), await self.as_("police"), await self.as_("police")
        sub = await police.call("notification.subscribe")
        await police2.call("notification.subscribe")
        m = await self.meeting(chair)
        await police.wait_for(lambda c: any(e["event"] == "notification.created" and
                                            e["data"]["notification"]["meeting"] == m
                                            for e in c.events))
        ev = [e for e in police.events if e["event"] == "notification.created"][-1]
        self.assertEqual(ev["body"], -self.w["persons"]["police"])
        self.assertGreater(ev["seq"], sub["since"])
        note = ev["data"]["notification"]
        listed = await police.call("notification.list")
        self.assertGreaterEqual(listed["unread"], 1)
        r = await police.call("notification.read", ids=[note["id"]])
        self.assertEqual(r["unread"], listed["unread"] - 1)
        self.assertTrue([n for n in await self.notes(police, id=note["id"]) if n["read"]])
        # the other connection of the same person hears it
        await police2.wait_for(lambda c: any(e["event"] == "notification.read" and
                                             note["id"] in e["data"]["ids"] for e in c.events))
        # someone else's notification is not theirs to read
        chair_note = (await chair.call("notification.list"))["notifications"]
        if chair_note:
            with self.assertRaises(ProtocolError) as e:
                await police.call("notification.read", ids=[chair_note[0]["id"]])
            self.assertEqual(e.exception.code, "not_found")
        r = await police.call("notification.read", all=True)
        self.assertEqual(r["unread"], 0)
        after = await police.call("notification.list", unread=True)
        self.assertEqual((after["notifications"], after["unread"]), ([], 0))


if __name__ == "__main__":
    unittest.main()
