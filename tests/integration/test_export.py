"""Issue 13, part 7: exporting a verslag and a besluitenlijst. export.minutes gives the verslag
as a document and as Markdown in the shape of seed 004, which imports again with the same
attendance, items and outcomes (the round trip); export.decisions gives a body's besluitenlijst.
Confidential content only for who may see it, decided when the export is read: a member outside
a confidential item's audience gets a placeholder in its place and nothing under it, a guest
limited to items only their items."""

import json
import unittest

from test_import import ImportCase, commit_args, seed004

CANARY = "Pieterse drugslab Wielwijk"


def attendance_key(a):
    """A saved line; the attendance gives an organisation it does not know as "" (none)."""
    key = {k: a[k] for k in ("name", "org_name", "role", "status", "notice", "substitute_name",
                             "substitute_kind", "leaves_early")}
    key["org_name"] = key["org_name"] or None
    return key


def line_key(line):
    """A preview line as the attendance it would become."""
    return {"name": line["name"], "org_name": line["org_name"], "role": line["role"],
            "status": line["status"], "notice": line["notice"],
            "substitute_name": line["substitute_name"],
            "substitute_kind": line["substitute_kind"], "leaves_early": line["leaves_early"]}


def outcome_key(o):
    return (o["kind"], o["text"], o.get("owner"), o.get("owner_org"), o.get("due"))


class RoundTripTest(ImportCase):
    async def test_seed_004_exported_imports_again_with_the_same_attendance_items_outcomes(self):
        pre = await self.sec.call("import.preview", body=self.body, text=seed004())
        args = commit_args(pre, self.body)
        for a in args["attendance"]:  # two names mapped to persons, one action given an owner
            if a["name"] == "Cor Lamers":
                a["person"] = self.p["chair"]
            if a["name"] == "Emile Klep":
                a["person"], a["org"] = self.p["housing"], self.orgs["woon"]
        args["items"][0]["outcomes"][0]["owner_org"] = self.orgs["woon"]
        args["items"][3]["outcomes"].append({"kind": "actiepunt", "text": "Werkgroepen plannen",
                                             "owner": self.p["police"], "due": "2023-07-01"})
        meeting = (await self.sec.call("import.commit", **args))["meeting"]["id"]
        saved = await self.sec.call("meeting.get", meeting=meeting)
        out = await self.police.call("export.minutes", meeting=meeting)
        md = out["markdown"]
        self.assertTrue(md.startswith("<!-- ketentafel-export v1 -->\n\n# Verslag Regiegroep Test"))
        self.assertIn("Datum: woensdag 24 mei 2023", md)
        self.assertIn("Aanvang: 13.30 uur Eind: 14.45 uur", md)
        self.assertIn("Voorzitter: Carla Voorzitter", md)
        self.assertIn("Theo Schilthuizen wordt vast vervangen door Daphne Meijer.", md)
        self.assertIn("- Actie (Piet Politie, 1 juli 2023): Werkgroepen plannen", md)
        self.assertEqual(out["filename"], "verslag-regiegroep-test-2023-05-24.md")
        # ... and read back
        back = await self.sec.call("import.preview", body=self.body, text=md)
        self.assertEqual(back["meeting"], {"date": "2023-05-24", "start": "13:30",
                                           "end": "14:45", "location": saved["meeting"]["location"]})
        want = sorted((attendance_key(a) for a in saved["attendance"]), key=json.dumps)
        got = sorted((line_key(a) for a in back["attendance"]), key=json.dumps)
        self.assertEqual(got, want)
        self.assertEqual({a["person"] for a in back["attendance"] if a["person"]},
                         {self.p["chair"], self.p["housing"]})
        self.assertEqual([i["title"] for i in back["items"]],
                         [i["title"] for i in saved["agenda"]])
        notes = saved["notes"]
        self.assertEqual([i["notes"] for i in back["items"]],
                         [notes.get(str(i["id"]), {}).get("text", "") for i in saved["agenda"]])
        by_item = {}
        for o in saved["outcomes"]:
            by_item.setdefault(o["item"], []).append(outcome_key(o))
        self.assertEqual([sorted(outcome_key(o) for o in i["outcomes"]) for i in back["items"]],
                         [sorted(by_item.get(i["id"], [])) for i in saved["agenda"]])
        self.assertEqual(back["counts"]["besluiten"], 4)
        self.assertEqual(back["counts"]["acties"], 4)


class VisibilityTest(ImportCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.housing = await self.connect("housing@test.example")
        self.m = (await self.sec.call("meeting.create", body=self.body,
                                      start="2027-03-04T09:30:00+01:00",
                                      end="2027-03-04T11:30:00+01:00"))["meeting"]["id"]
        self.open = (await self.sec.call("agenda.add", meeting=self.m, title="Opening",
                                         duration=10))["item"]["id"]
        self.secret = (await self.sec.call(
            "agenda.add", meeting=self.m, title=f"Casus {CANARY}", duration=25,
            confidential=True, relevant=[{"org": self.orgs["pol"]}]))["item"]["id"]
        self.last = (await self.sec.call("agenda.add", meeting=self.m,
                                         title="Rondvraag"))["item"]["id"]
        await self.sec.call("minutes.note", item=self.secret, text=f"Notulen over {CANARY}.")
        await self.sec.call("minutes.note", item=self.open, text="De voorzitter opent.")
        await self.sec.call("action.create", body=self.body, kind="besluit", item=self.secret,
                            text=f"Besluit over {CANARY}")
        await self.police.call("action.create", body=self.body, item=self.secret,
                               text=f"Actie {CANARY}", owner=self.p["police"])
        await self.sec.call("action.create", body=self.body, kind="besluit", item=self.open,
                            text="De agenda wordt vastgesteld")
        await self.sec.call("meeting.update", meeting=self.m, minutes="Aanvullende tekst.")

    async def test_the_audience_gets_everything(self):
        out = await self.police.call("export.minutes", meeting=self.m)
        items = out["document"]["items"]
        self.assertEqual([(i["position"], i["placeholder"]) for i in items],
                         [(1, False), (2, False), (3, False)])
        self.assertIn(CANARY, out["markdown"])
        self.assertEqual(len(items[1]["outcomes"]), 2)

    async def test_a_member_outside_the_audience_gets_a_placeholder_and_nothing_under_it(self):
        out = await self.housing.call("export.minutes", meeting=self.m)
        items = out["document"]["items"]
        self.assertEqual([(i["position"], i["placeholder"], i["title"]) for i in items],
                         [(1, False, "Opening"), (2, True, None), (3, False, "Rondvraag")])
        self.assertEqual((items[1]["duration"], items[1]["notes"], items[1]["outcomes"],
                          items[1]["item"]), (25, "", [], None))
        self.assertIn("## 2. Besloten punt\n", out["markdown"])
        text = json.dumps(out)
        self.assertNotIn(CANARY, text)
        self.assertNotIn(str(self.secret), [str(i["item"]) for i in items])
        dec = await self.housing.call("export.decisions", body=self.body)
        self.assertNotIn(CANARY, json.dumps(dec))
        self.assertEqual([d["text"] for g in dec["document"]["meetings"] for d in g["decisions"]],
                         ["De agenda wordt vastgesteld"])
        # the audience's besluitenlijst has both, under the meeting, with the items' numbers
        dec = await self.police.call("export.decisions", body=self.body)
        g = dec["document"]["meetings"]
        self.assertEqual(len(g), 1)
        self.assertEqual((g[0]["meeting"], g[0]["heading"]),
                         (self.m, "Vergadering van donderdag 4 maart 2027"))
        self.assertEqual([(d["item_position"], d["decided_on"]) for d in g[0]["decisions"]],
                         [(2, "2027-03-04"), (1, "2027-03-04")])
        self.assertIn(f"- Besluit: Besluit over {CANARY} (agendapunt 2: Casus {CANARY})",
                      dec["markdown"])
        self.assertEqual(dec["filename"], "besluitenlijst-regiegroep-test.md")

    async def test_made_confidential_later_is_hidden_at_once(self):
        await self.sec.call("agenda.update", item=self.open, confidential=True,
                            relevant=[{"org": self.orgs["pol"]}])
        out = await self.housing.call("export.minutes", meeting=self.m)
        self.assertEqual([i["placeholder"] for i in out["document"]["items"]],
                         [True, True, False])
        self.assertNotIn("De voorzitter opent", json.dumps(out))
        dec = await self.housing.call("export.decisions", body=self.body)
        self.assertEqual(dec["document"]["meetings"], [])

    async def test_a_guest_limited_to_an_item_gets_only_that_item(self):
        await self.sec.call("membership.add", body=self.body, person=self.p["outsider"],
                            role="gast", items=[self.last])
        guest = await self.connect("outsider@test.example")
        out = await guest.call("export.minutes", meeting=self.m)
        # numbered as the guest knows the agenda: the true position (3) would tell that two
        # items they may not see come first
        self.assertEqual([(i["position"], i["title"]) for i in out["document"]["items"]],
                         [(1, "Rondvraag")])
        self.assertIn("## 1. Rondvraag", out["markdown"])
        self.assertNotIn("## 3.", out["markdown"])
        self.assertEqual(out["document"]["minutes"], "")
        self.assertNotIn("Besloten punt", out["markdown"])
        self.assertNotIn("Opening", out["markdown"])
        self.assertNotIn(CANARY, json.dumps(out))

    async def test_a_limited_guest_gets_only_the_decisions_of_their_item(self):
        await self.sec.call("action.create", body=self.body, kind="besluit", item=self.last,
                            text="De rondvraag wordt gesloten")
        await self.sec.call("membership.add", body=self.body, person=self.p["outsider"],
                            role="gast", items=[self.last])
        guest = await self.connect("outsider@test.example")
        dec = await guest.call("export.decisions", body=self.body)
        self.assertEqual([(d["text"], d["item_position"])
                          for g in dec["document"]["meetings"] for d in g["decisions"]],
                         [("De rondvraag wordt gesloten", 1)])
        self.assertIn("(agendapunt 1: Rondvraag)", dec["markdown"])
        self.assertNotIn(CANARY, json.dumps(dec))
        self.assertNotIn("De agenda wordt vastgesteld", json.dumps(dec))

    async def test_visibility_is_that_of_the_moment_of_reading_both_ways(self):
        # named on the item: the person sees it, without being in the organisation
        await self.sec.call("agenda.update", item=self.secret, persons=[self.p["housing"]])
        out = await self.housing.call("export.minutes", meeting=self.m)
        self.assertEqual([i["placeholder"] for i in out["document"]["items"]],
                         [False, False, False])
        self.assertIn(f"Notulen over {CANARY}.", out["markdown"])
        # taken off again: gone from the next export, the besluitenlijst too
        await self.sec.call("agenda.update", item=self.secret, persons=[])
        out = await self.housing.call("export.minutes", meeting=self.m)
        self.assertNotIn(CANARY, json.dumps(out))
        dec = await self.housing.call("export.decisions", body=self.body)
        self.assertNotIn(CANARY, json.dumps(dec))
        # made open: in the export for every member at once
        await self.sec.call("agenda.update", item=self.secret, confidential=False)
        out = await self.housing.call("export.minutes", meeting=self.m)
        self.assertIn(f"Actie {CANARY}", out["markdown"])

    async def test_an_administrator_gets_no_exception(self):
        await self.refused(self.admin, "not_found", "export.minutes", meeting=self.m)
        await self.refused(self.admin, "not_member", "export.decisions", body=self.body)

    async def test_not_for_non_members_and_a_period_filters_the_besluitenlijst(self):
        outsider = await self.connect("outsider@test.example")
        await self.refused(outsider, "not_found", "export.minutes", meeting=self.m)
        await self.refused(outsider, "not_member", "export.decisions", body=self.body)
        await self.refused(self.police, "not_found", "export.minutes", meeting=987654)
        dec = await self.police.call("export.decisions", body=self.body, **{"from": "2027-03-05"})
        self.assertEqual(dec["document"]["meetings"], [])
        dec = await self.police.call("export.decisions", body=self.body, to="2027-03-04")
        self.assertEqual(len(dec["document"]["meetings"][0]["decisions"]), 2)


if __name__ == "__main__":
    unittest.main()
