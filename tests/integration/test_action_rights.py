"""Issue 11, "who did what": who may change an action. An actiepunt or toezegging is changed by
its owner (the person; without one, the persons of the owner organisation; without either,
whoever recorded it) and by the body's chair and secretary; every other member who takes part
proposes a change (action.propose), which changes nothing and reaches the owner. A besluit is
recorded and changed by the chair and secretary only. When someone else changes an action, its
owner hears what changed - and only while they may see the action."""

import asyncio
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, WorldCase


class RightsCase(WorldCase):
    """The world with, besides chair, secretary, police (lid), housing (lid) and observer
    (waarnemer): the outsider (police organisation) as guest and a standing substitute
    (vaste_vervanger) of the municipality."""

    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        r = await self.admin.call("person.create", name="Vera Vervanger",
                                  email="sub@test.example", org=self.orgs["gem"])
        self.p["sub"] = r["person"]["id"]
        token = r["setup_url"].rsplit("/", 1)[1]
        status, _, raw = self.server.http("POST", "/api/password",
                                          {"token": token, "password": PASSWORD})
        self.assertEqual(status, 200, raw)
        await self.admin.call("membership.add", body=self.body, person=self.p["sub"],
                              role="vaste_vervanger",
                              substitute_for=self.p["housing"])
        await self.admin.call("membership.add", body=self.body, person=self.p["outsider"],
                              role="gast")
        self.c = {}
        for key in ("chair", "sec", "police", "housing", "observer", "outsider"):
            self.c[key] = await self.connect(f"{key}@test.example")
        self.c["sub"] = await self.connect("sub@test.example", PASSWORD)

    async def action(self, by="chair", **args):
        args.setdefault("text", "Buurtonderzoek Oranjepark uitvoeren")
        return (await self.c[by].call("action.create", body=self.body, **args))["action"]

    async def notes(self, key, **match):
        ns = (await self.c[key].call("notification.list", limit=200))["notifications"]
        return [n for n in ns if all(n.get(k) == v for k, v in match.items())]

    async def subscribe(self, *keys):
        for key in keys:
            seq = (await self.c[key].call("body.get", body=self.body))["seq"]
            await self.c[key].call("subscribe", body=self.body, since=seq)

    async def eventually_notes(self, key, count=1, **match):
        """The notifications of key matching match, once there are count of them (they are
        made after the write commits)."""
        for _ in range(100):
            got = await self.notes(key, **match)
            if len(got) >= count:
                return got
            await asyncio.sleep(0.05)
        return await self.notes(key, **match)


class WhoMayChangeTest(RightsCase):
    async def test_each_role_on_an_action_owned_by_a_person(self):
        a = await self.action(owner=self.p["police"], due="2027-04-01")
        # the owner, the chair and the secretary change it
        for key, status in (("police", "lopend"), ("chair", "afgerond"), ("sec", "open")):
            got = (await self.c[key].call("action.update", action=a["id"], status=status))
            self.assertEqual(got["action"]["status"], status, key)
        # every other member is refused and told to propose a change
        for key in ("housing", "sub", "outsider"):
            for change in ({"status": "afgerond"}, {"due": "2027-05-01"}, {"text": "Anders"},
                           {"owner": self.p[key]}, {"owner_org": self.orgs["woon"]}):
                msg = await self.refused(self.c[key], "forbidden", "action.update",
                                         action=a["id"], **change)
                self.assertIn("stel anders een wijziging voor", msg)
        # an observer takes no part, a non-member is no member
        await self.refused(self.c["observer"], "forbidden", "action.update", action=a["id"],
                           status="afgerond")
        await self.admin.call("membership.remove", body=self.body, person=self.p["outsider"])
        await self.refused(self.c["outsider"], "not_found", "action.update", action=a["id"],
                           status="afgerond")  # the body's content: not hers to see
        after = (await self.c["chair"].call("action.list", body=self.body))["actions"]
        self.assertEqual([(x["status"], x["due"], x["text"], x["owner"]) for x in after],
                         [("open", "2027-04-01", a["text"], self.p["police"])])

    async def test_an_organisations_action_is_changed_by_its_persons(self):
        a = await self.action(kind="toezegging", owner_org=self.orgs["pol"])
        # the outsider is a guest of the police organisation: the owner organisation
        got = await self.c["outsider"].call("action.update", action=a["id"], status="lopend")
        self.assertEqual(got["action"]["status"], "lopend")
        await self.c["police"].call("action.update", action=a["id"], status="afgerond")
        await self.refused(self.c["housing"], "forbidden", "action.update", action=a["id"],
                           status="open")
        # with an owner person, that person decides, not their colleagues
        await self.c["chair"].call("action.update", action=a["id"], owner=self.p["police"])
        await self.refused(self.c["outsider"], "forbidden", "action.update", action=a["id"],
                           status="open")
        await self.c["police"].call("action.update", action=a["id"], status="open")

    async def test_an_action_nobody_owns_is_changed_by_who_recorded_it(self):
        a = await self.action(by="housing", text="Sleutelbeheer uitzoeken")
        await self.c["housing"].call("action.update", action=a["id"], due="2027-04-02")
        await self.refused(self.c["police"], "forbidden", "action.update", action=a["id"],
                           status="afgerond")
        await self.c["sec"].call("action.update", action=a["id"], status="lopend")

    async def test_the_owner_hands_over_and_then_no_longer_decides(self):
        a = await self.action(owner=self.p["police"])
        got = await self.c["police"].call("action.update", action=a["id"],
                                          owner=self.p["housing"])
        self.assertEqual(got["action"]["owner"], self.p["housing"])
        await self.refused(self.c["police"], "forbidden", "action.update", action=a["id"],
                           owner=self.p["police"])
        await self.c["housing"].call("action.update", action=a["id"], status="afgerond")

    async def test_only_the_chair_and_secretary_record_or_change_a_besluit(self):
        for key in ("police", "housing", "sub", "outsider"):
            await self.refused(self.c[key], "forbidden", "action.create", body=self.body,
                               kind="besluit", text="Wij besluiten zelf")
        await self.refused(self.c["observer"], "forbidden", "action.create", body=self.body,
                           kind="besluit", text="Wij besluiten zelf")
        b = await self.action(by="sec", kind="besluit", text="Aanpak vastgesteld")
        await self.c["chair"].call("action.update", action=b["id"], text="Aanpak vastgesteld.")
        for key in ("police", "housing", "sub", "outsider"):
            await self.refused(self.c[key], "forbidden", "action.update", action=b["id"],
                               text="Anders besloten")
        # an owner may not turn their own action into a besluit either
        a = await self.action(by="police", owner=self.p["police"])
        await self.refused(self.c["police"], "forbidden", "action.update", action=a["id"],
                           kind="besluit")


class ProposeTest(RightsCase):
    async def test_a_proposal_changes_nothing_and_reaches_the_owner(self):
        a = await self.action(owner=self.p["police"], due="2027-04-01")
        await self.subscribe("police", "chair")
        r = await self.c["housing"].call("action.propose", action=a["id"], status="afgerond",
                                         due="2027-04-15", note="Is vorige week gedaan.")
        self.assertEqual(r["summary"], "status: open → afgerond; deadline: 2027-04-01 → 2027-04-15")
        self.assertEqual((r["action"]["status"], r["action"]["due"]), ("open", "2027-04-01"))
        ev = await self.body_event(self.c["chair"], "action.proposed")
        self.assertEqual(ev["actor"], self.p["housing"])
        self.assertEqual(ev["data"], {"action": a["id"], "by": self.p["housing"],
                                      "changes": {"status": "afgerond", "due": "2027-04-15"},
                                      "summary": r["summary"], "note": "Is vorige week gedaan."})
        got = await self.eventually_notes("police", action=a["id"], kind="assigned")
        got = [n for n in got if n["title"].startswith("Voorstel")]
        self.assertEqual([n["title"] for n in got],
                         ["Voorstel van Wim Woning voor uw actiepunt (Regiegroep Test)"])
        self.assertIn("status: open → afgerond", got[0]["text"])
        self.assertIn("Is vorige week gedaan.", got[0]["text"])
        self.assertEqual(got[0]["actor"], self.p["housing"])
        # the owner takes it over by changing the action
        await self.c["police"].call("action.update", action=a["id"], status="afgerond")
        # the chair and secretary are not bothered with a proposal the owner decides
        self.assertEqual([n for n in await self.notes("chair") if n["title"].startswith("Voorstel")],
                         [])

    async def test_a_proposal_for_an_action_nobody_owns_or_a_besluit_goes_to_chair_and_secretary(self):
        b = await self.action(by="sec", kind="besluit", text="Aanpak vastgesteld")
        await self.c["police"].call("action.propose", action=b["id"],
                                    text="Aanpak vastgesteld, met evaluatie na een jaar.")
        for key in ("chair", "sec"):
            got = await self.eventually_notes(key, action=b["id"])
            self.assertEqual([n["title"] for n in got],
                             ["Voorstel van Piet Politie voor een besluit (Regiegroep Test)"])
            self.assertIn("omschrijving gewijzigd", got[0]["text"])
        self.assertEqual(await self.notes("housing", action=b["id"]), [])
        msg = await self.refused(self.c["police"], "invalid_argument", "action.propose",
                                 action=b["id"], status="afgerond")
        self.assertIn("Een besluit heeft geen eigenaar", msg)

    async def test_a_proposal_needs_a_change_or_a_reason_and_a_part(self):
        a = await self.action(owner=self.p["police"])
        msg = await self.refused(self.c["housing"], "invalid_argument", "action.propose",
                                 action=a["id"])
        self.assertIn("Stel een wijziging voor", msg)
        await self.refused(self.c["housing"], "invalid_argument", "action.propose",
                           action=a["id"], status="open", note="  ")
        # a reason alone is a proposal
        r = await self.c["housing"].call("action.propose", action=a["id"],
                                         note="Wie pakt dit op?")
        self.assertEqual(r["summary"], "")
        await self.refused(self.c["observer"], "forbidden", "action.propose", action=a["id"],
                           status="afgerond")
        await self.refused(self.c["housing"], "not_found", "action.propose", action=a["id"],
                           owner=999999)

    async def test_a_proposal_under_a_confidential_item_stays_in_its_audience(self):
        m = (await self.c["chair"].call("meeting.create", body=self.body,
                                        start="2027-03-04T09:30:00+01:00",
                                        end="2027-03-04T11:30:00+01:00"))["meeting"]
        secret = (await self.c["chair"].call(
            "agenda.add", meeting=m["id"], title="Casus Wielwijk", confidential=True,
            relevant=[{"org": self.orgs["pol"], "reason": "dossierhouder"}]))["item"]
        a = await self.action(owner=self.p["police"], item=secret["id"],
                              text="Dossier Wielwijk bijwerken")
        # outside the audience the action does not exist
        await self.refused(self.c["housing"], "not_found", "action.propose", action=a["id"],
                           status="afgerond")
        await self.subscribe("housing", "police")
        await self.c["outsider"].call("action.propose", action=a["id"], status="lopend")
        ev = await self.body_event(self.c["police"], "action.proposed")
        self.assertEqual(ev["data"]["action"], a["id"])
        await self.c["police"].call("action.update", action=a["id"], status="lopend")
        await self.body_event(self.c["housing"], "stream.skipped",
                              lambda e: e["seq"] == ev["seq"])
        self.assertNotIn("Wielwijk", str(self.c["housing"].body_events(self.body)))


class OwnerToldTest(RightsCase):
    async def test_the_owner_hears_what_someone_else_changed(self):
        a = await self.action(by="police", owner=self.p["police"], due="2027-04-01")
        await self.c["chair"].call("action.update", action=a["id"], due="2027-04-20",
                                   status="lopend")
        got = await self.eventually_notes("police", action=a["id"])
        got = [n for n in got if "gewijzigd" in n["title"]]
        self.assertEqual([n["title"] for n in got],
                         ["Uw actiepunt is gewijzigd door Carla Voorzitter (Regiegroep Test)"])
        self.assertEqual(got[0]["text"], "status: open → lopend; deadline: 2027-04-01 → "
                                         "2027-04-20 — Buurtonderzoek Oranjepark uitvoeren")
        self.assertEqual((got[0]["actor"], got[0]["link"]),
                         (self.p["chair"], f"#/overleg/{self.body}/acties"))
        # one's own change is no news; nobody else hears of it; the chair's next change within
        # the burst window (feed/notify.c) is merged into the same notification
        await self.c["police"].call("notification.read", all=True)
        await self.c["police"].call("action.update", action=a["id"], status="afgerond")
        await self.c["chair"].call("action.update", action=a["id"], text="Onderzoek uitvoeren")
        for _ in range(100):
            got = [n for n in await self.notes("police", action=a["id"]) if "gewijzigd" in
                   n["title"]]
            if got and got[0]["text"].endswith("Onderzoek uitvoeren"):
                break
            await asyncio.sleep(0.05)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0]["text"], "status: open → lopend; deadline: 2027-04-01 → "
                                         "2027-04-20; omschrijving gewijzigd — Onderzoek uitvoeren")
        self.assertFalse(got[0]["read"])
        for key in ("chair", "sec", "housing"):
            self.assertEqual(await self.notes(key, action=a["id"]), [], key)

    async def test_an_organisation_hears_and_a_handover_tells_the_old_owner(self):
        a = await self.action(by="police", kind="toezegging", owner_org=self.orgs["pol"])
        await self.c["sec"].call("action.update", action=a["id"], status="vervallen")
        for key in ("police", "outsider"):
            got = await self.eventually_notes(key, action=a["id"], count=2)
            self.assertEqual([n["title"] for n in got if "gewijzigd" in n["title"]],
                             ["Een toezegging van uw organisatie is gewijzigd door Sem "
                              "Secretaris (Regiegroep Test)"], key)
        b = await self.action(by="police", owner=self.p["police"])
        await self.c["chair"].call("action.update", action=b["id"], owner=self.p["housing"])
        old = await self.eventually_notes("police", action=b["id"])
        self.assertEqual([n["text"] for n in old],
                         ["eigenaar gewijzigd — Buurtonderzoek Oranjepark uitvoeren"])
        new = await self.eventually_notes("housing", action=b["id"])
        self.assertEqual([n["title"] for n in new], ["Actiepunt voor u (Regiegroep Test)"])

    async def test_an_owner_who_may_not_see_the_action_hears_nothing(self):
        m = (await self.c["chair"].call("meeting.create", body=self.body,
                                        start="2027-03-04T09:30:00+01:00",
                                        end="2027-03-04T11:30:00+01:00"))["meeting"]
        item = (await self.c["chair"].call("agenda.add", meeting=m["id"],
                                           title="Casus Crabbehof"))["item"]
        a = await self.action(owner=self.p["housing"], item=item["id"],
                              text="Crabbehof: huurder benaderen")
        got = await self.eventually_notes("housing", action=a["id"])
        self.assertEqual(len(got), 1)  # assigned, while the item was open
        # the item becomes confidential for the police: housing no longer sees the action
        await self.c["chair"].call("agenda.update", item=item["id"], confidential=True,
                                   relevant=[{"org": self.orgs["pol"], "reason": "dossier"}])
        await self.c["chair"].call("action.update", action=a["id"], status="lopend")
        # a change housing would hear of, as a barrier: the notifications are made in order
        b = await self.action(owner=self.p["housing"], text="Open punt")
        await self.c["chair"].call("action.update", action=b["id"], status="lopend")
        await self.eventually_notes("housing", count=2, action=b["id"])
        ns = (await self.c["housing"].call("notification.list", limit=200))["notifications"]
        self.assertNotIn("Crabbehof", str(ns))


if __name__ == "__main__":
    unittest.main()
