"""Issue 13, part 6: importing a verslag. import.preview reads a text and says what it
recognised (saving nothing); import.commit saves the secretary's confirmed or corrected version
in one transaction: a meeting with its items, notes, outcomes and attendance, each with its
event, nothing half-written when any part is wrong, and done once when retried with its key."""

import copy
import glob
import json
import os
import unittest

import schema
from harness import ADMIN_EMAIL, ADMIN_PASSWORD, ProtocolError, Server, setup_world

SEED = glob.glob(os.path.join(schema.ROOT, "..", "shared", "seeds", "004_*.txt"))[0]


def seed004():
    with open(SEED, encoding="utf-8") as f:
        return f.read()


def commit_args(preview, body, **extra):
    """The preview's proposal as import.commit takes it (what the client sends back)."""
    lines = [{k: v for k, v in a.items() if k != "recognised"} for a in preview["attendance"]]
    items = [{"title": it["title"], "notes": it["notes"],
              "outcomes": [{k: v for k, v in o.items() if k != "recognised"}
                           for o in it["outcomes"]]} for it in preview["items"]]
    m = preview["meeting"]
    args = {"body": body, "date": m["date"], "start_time": m["start"], "end_time": m["end"],
            "location": m["location"] or "", "attendance": lines, "items": items}
    args.update(extra)
    return args


class ImportCase(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.server = Server(self.id().rsplit(".", 1)[-1][:40])
        self.server.create_admin()
        self.server.start()
        self.clients = []
        self.admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.w = await setup_world(self.server, self.admin)
        self.body, self.p, self.orgs = self.w["body"], self.w["persons"], self.w["orgs"]
        self.sec = await self.connect("sec@test.example")
        self.police = await self.connect("police@test.example")

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()
        self.server.stop()
        self.server.cleanup()

    async def connect(self, email, password="geheim-wachtwoord-1"):
        c = await self.server.connect(self.server.login(email, password))
        self.clients.append(c)
        return c

    async def refused(self, client, code, op, **args):
        with self.assertRaises(ProtocolError) as cm:
            await client.call(op, **args)
        self.assertEqual(cm.exception.code, code, cm.exception)
        return cm.exception.reply["error"]["message"]

    async def counts(self):
        """What the body holds: meetings, items, actions, events (as the secretary sees it)."""
        snap = await self.sec.call("meeting.list", body=self.body)
        acts = await self.sec.call("action.list", body=self.body)
        items = 0
        for m in snap["meetings"]:
            items += len((await self.sec.call("meeting.get", meeting=m["id"]))["agenda"])
        return len(snap["meetings"]), items, len(acts["actions"]), snap["seq"]


class PreviewTest(ImportCase):
    async def test_seed_004_is_recognised_and_nothing_is_saved(self):
        before = await self.counts()
        r = await self.sec.call("import.preview", body=self.body, text=seed004())
        self.assertEqual(r["counts"], {"present": 19, "absent": 6, "matched": 0,
                                       "unmatched": 25, "items": 6, "besluiten": 4,
                                       "toezeggingen": 1, "acties": 3})
        self.assertEqual(r["meeting"], {"date": "2023-05-24", "start": "13:30", "end": "14:45",
                                        "location": "Alevitisch Cultureel Centrum Rijnmond, "
                                                    "Schiedam"})
        self.assertEqual(len(r["attendance"]), 25)
        self.assertEqual([i["title"] for i in r["items"]][:2],
                         ["Opening en welkom", "Verslag vorige keer"])
        by = {a["name"]: a for a in r["attendance"]}
        self.assertEqual(by["Cor Lamers"]["role"], "voorzitter")
        self.assertEqual(by["Marilyn Louisville"]["role"], "notulist")
        self.assertEqual(by["Antoinette Laan"]["status"], "later")
        theo = by["Theo Schilthuizen"]
        self.assertEqual((theo["status"], theo["substitute_name"], theo["substitute_kind"]),
                         ("vervangen", "Daphne Meijer", "vast"))
        self.assertEqual(by["Marjolein van Eykelen"]["status"], "afwezig")
        self.assertEqual(by["Daphne Meijer"]["recognised"]["substitutes_for"],
                         "Theo Schilthuizen")
        kinds = [o["kind"] for it in r["items"] for o in it["outcomes"]]
        self.assertEqual(sorted(kinds), ["actiepunt"] * 3 + ["besluit"] * 4 + ["toezegging"])
        self.assertEqual(await self.counts(), before)

    async def test_names_are_matched_against_the_directory(self):
        text = ("# Verslag Regiegroep Test\n\nDatum: 4 maart 2027\nAanvang: 09.30 uur Eind: "
                "11.00 uur\n\n## Aanwezig\n\nVoorzitter: Carla Voorzitter\n\nPiet Politi "
                "(Politie Testdam), Wim Woning (Woonstichting), Onbekende Gast (RIEC)\n\n"
                "## 1. Opening\n\nCarla Voorzitter opent.\n\n- Toezegging (Woonstichting): "
                "de woningcorporatie levert een overzicht.\n")
        r = await self.sec.call("import.preview", body=self.body, text=text)
        by = {a["recognised"]["name"]: a for a in r["attendance"]}
        self.assertEqual((by["Carla Voorzitter"]["person"],
                          by["Carla Voorzitter"]["recognised"]["person_match"]),
                         (self.p["chair"], "exact"))
        self.assertEqual((by["Piet Politi"]["person"],
                          by["Piet Politi"]["recognised"]["person_match"]),
                         (self.p["police"], "approx"))
        self.assertEqual(by["Piet Politi"]["recognised"]["candidates"],
                         [{"id": self.p["police"], "name": "Piet Politie",
                           "org_name": "Politie Testdam"}])
        self.assertEqual(by["Wim Woning"]["org"], self.orgs["woon"])
        self.assertIsNone(by["Onbekende Gast"]["person"])
        self.assertEqual(by["Onbekende Gast"]["org_name"], "RIEC")
        toez = r["items"][0]["outcomes"][0]
        self.assertEqual((toez["kind"], toez["owner_org"]), ("toezegging", self.orgs["woon"]))
        self.assertEqual(r["counts"]["matched"], 3)

    async def test_what_cannot_be_read_gets_its_own_code(self):
        for text, code in [("", "import_empty"), ("   \n\n ", "import_empty"),
                           ("Verslag\u0001\u0002\u0003\u0004" * 20, "import_not_text"),
                           ("Zomaar wat tekst zonder structuur.", "import_unrecognised")]:
            msg = await self.refused(self.sec, code, "import.preview", body=self.body, text=text)
            self.assertTrue(msg)

    async def test_only_chair_and_secretary_may_import(self):
        await self.refused(self.police, "forbidden", "import.preview", body=self.body,
                           text=seed004())
        outsider = await self.connect("outsider@test.example")
        await self.refused(outsider, "not_member", "import.preview", body=self.body,
                           text=seed004())
        await self.refused(self.police, "forbidden", "import.commit", body=self.body,
                           date="2023-05-24", start_time="13:30", end_time="14:45")


class CommitTest(ImportCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.preview = await self.sec.call("import.preview", body=self.body, text=seed004())
        snap = await self.sec.call("body.get", body=self.body)
        await self.police.call("subscribe", body=self.body, since=snap["seq"])

    async def test_seed_004_is_saved_as_a_meeting_with_items_notes_outcomes_attendance(self):
        args = commit_args(self.preview, self.body)
        # the secretary maps two names to persons and corrects an outcome
        for a in args["attendance"]:
            if a["name"] == "Cor Lamers":
                a["person"] = self.p["chair"]
            if a["name"] == "Tarik Topçu":
                a["person"], a["org"] = self.p["police"], self.orgs["pol"]
        args["items"][0]["outcomes"][0]["owner_org"] = self.orgs["woon"]
        r = await self.sec.call("import.commit", key="imp-1", **args)
        m = r["meeting"]
        self.assertEqual((m["start"], m["end"], m["status"]),
                         ("2023-05-24T11:30:00Z", "2023-05-24T12:45:00Z", "verslag_concept"))
        self.assertEqual((r["items"], r["outcomes"], r["attendance"]), (6, 8, 25))
        got = await self.police.call("meeting.get", meeting=m["id"])
        self.assertEqual([i["title"] for i in got["agenda"]],
                         [i["title"] for i in self.preview["items"]])
        self.assertEqual(len(got["notes"]), 6)
        self.assertEqual(len(got["outcomes"]), 8)
        self.assertEqual(sorted(o["kind"] for o in got["outcomes"]),
                         ["actiepunt"] * 3 + ["besluit"] * 4 + ["toezegging"])
        self.assertTrue(all(o["decided_on"] == "2023-05-24" for o in got["outcomes"]
                            if o["kind"] == "besluit"))
        att = got["attendance"]
        self.assertEqual(len(att), 25)
        chair = next(a for a in att if a["person"] == self.p["chair"])
        self.assertEqual((chair["name"], chair["role"], chair["status"]),
                         ("Carla Voorzitter", "voorzitter", "aanwezig"))
        theo = next(a for a in att if a["name"] == "Theo Schilthuizen")
        self.assertEqual((theo["person"], theo["status"], theo["substitute_name"],
                          theo["substitute_kind"], theo["org_name"]),
                         (None, "vervangen", "Daphne Meijer", "vast", "Bibliotheek Schiedam"))
        self.assertEqual(next(a for a in att if a["name"] == "Dogukan Ergin")["status"], "later")
        # the others see it appear: one event per part, in one burst after the reply
        await self.police.wait_for(lambda c: sum(e["event"] == "action.created"
                                                 for e in c.body_events(self.body)) == 8)
        await self.police.sync()  # and the rest of the burst, whatever its order
        events = [e["event"] for e in self.police.body_events(self.body)]
        self.assertEqual(events.count("meeting.created"), 1)
        self.assertEqual(events.count("agenda.added"), 6)
        self.assertEqual(events.count("minutes.noted"), 6)
        self.assertEqual(events.count("attendance.updated"), 25)
        # a retry with the same key saves nothing again and answers the same
        again = await self.sec.call("import.commit", key="imp-1", **args)
        self.assertEqual(again, r)
        self.assertEqual((await self.counts())[:3], (1, 6, 8))

    async def test_one_wrong_part_leaves_nothing_written(self):
        before = await self.counts()
        args = commit_args(self.preview, self.body)
        args["items"][4]["outcomes"][0]["owner"] = 987654  # nobody
        with self.assertRaises(ProtocolError) as cm:
            await self.sec.call("import.commit", **args)
        self.assertEqual(cm.exception.code, "not_found")
        self.assertIn("Agendapunt 5, uitkomst 1", cm.exception.reply["error"]["message"])
        args = commit_args(self.preview, self.body)
        args["attendance"][3]["status"] = "onbekend"
        msg = await self.refused(self.sec, "invalid_argument", "import.commit", **args)
        self.assertIn("Aanwezigheid, regel 4", msg)
        args = commit_args(self.preview, self.body)
        args["items"][5]["outcomes"].append({"kind": "besluit", "text": "Met eigenaar",
                                             "owner": self.p["chair"]})
        msg = await self.refused(self.sec, "invalid_argument", "import.commit", **args)
        self.assertIn("Agendapunt 6, uitkomst", msg)
        args = commit_args(self.preview, self.body)
        args["attendance"].append(dict(args["attendance"][0], person=self.p["chair"]))
        args["attendance"].append(dict(args["attendance"][1], person=self.p["chair"]))
        msg = await self.refused(self.sec, "invalid_argument", "import.commit", **args)
        self.assertIn("staat er al eerder in", msg)
        for bad in [{"start_time": "25:00"}, {"end_time": "1330"}, {"date": None}]:
            args = commit_args(self.preview, self.body, **bad)
            if bad.get("date", 1) is None:
                del args["date"]
                await self.refused(self.sec, "missing_argument", "import.commit", **args)
            else:
                await self.refused(self.sec, "invalid_argument", "import.commit", **args)
        args = commit_args(self.preview, self.body)
        args["items"][0]["zzz"] = 1
        await self.refused(self.sec, "invalid_argument", "import.commit", **args)
        self.assertEqual(await self.counts(), before)
        self.assertEqual([e for e in self.police.body_events(self.body)], [])

    async def test_an_existing_meeting_is_filled(self):
        m = (await self.sec.call("meeting.create", body=self.body,
                                 start="2023-05-24T13:30:00+02:00",
                                 end="2023-05-24T14:45:00+02:00"))["meeting"]
        await self.sec.call("agenda.add", meeting=m["id"], title="Al op de agenda")
        again = await self.sec.call("import.preview", body=self.body, text=seed004())
        self.assertEqual([x["id"] for x in again["existing"]], [m["id"]])
        args = commit_args(again, self.body, meeting=m["id"], status="verslag_ter_vaststelling")
        for k in ("date", "start_time", "end_time"):
            del args[k]
        # one is approved as any other (minutes.submit, minutes.approve), or imported vastgesteld
        await self.refused(self.sec, "invalid_argument", "import.commit", **args)
        args["status"] = "gehouden"
        r = await self.sec.call("import.commit", **args)
        self.assertEqual((r["meeting"]["id"], r["meeting"]["status"]), (m["id"], "gehouden"))
        got = await self.sec.call("meeting.get", meeting=m["id"])
        self.assertEqual([i["position"] for i in got["agenda"]], list(range(1, 8)))
        self.assertEqual(got["agenda"][0]["title"], "Al op de agenda")
        # a meeting of another body, or a cancelled one, is not filled
        await self.sec.call("meeting.cancel", meeting=m["id"])
        await self.refused(self.sec, "invalid_state", "import.commit", **args)
        await self.refused(self.sec, "not_found", "import.commit",
                           **dict(args, meeting=987654))

    async def test_a_verslag_approved_before_is_kept_as_its_vastgesteld_version(self):
        await self.police.call("subscribe", body=self.body,
                               since=(await self.police.call("body.get", body=self.body))["seq"])
        r = await self.sec.call("import.commit", **commit_args(self.preview, self.body,
                                                               status="verslag_vastgesteld"))
        meeting = r["meeting"]["id"]
        self.assertEqual(r["meeting"]["status"], "verslag_vastgesteld")
        got = await self.police.call("minutes.get", meeting=meeting)
        self.assertEqual((got["stage"], got["can_amend"]), ("vastgesteld", False))
        self.assertEqual([(v["version"], v["stage"], v["approved_in"]) for v in got["versions"]],
                         [(1, "vastgesteld", None)])
        self.assertIn("ingelezen", got["versions"][0]["note"])
        v1 = (await self.police.call("minutes.version", meeting=meeting, version=1))["document"]
        self.assertEqual(len(v1["items"]), len(self.preview["items"]))
        await self.police.wait_for(lambda c: any(
            e["event"] == "minutes.approved" for e in c.body_events(self.body)))
        # Read-only from now on: notes, outcomes, titles.
        item = (await self.sec.call("meeting.get", meeting=meeting))["agenda"][0]
        await self.refused(self.sec, "invalid_state", "minutes.note", item=item["id"],
                           text="Achteraf")
        await self.refused(self.sec, "invalid_state", "agenda.update", item=item["id"],
                           title="Achteraf anders")
        await self.refused(self.sec, "invalid_state", "minutes.submit", meeting=meeting,
                           deadline="2030-01-01")


class DuplicateTest(ImportCase):
    """The same verslag imported twice, or another verslag of the same meeting: the preview says
    so, and the commit is refused (import_duplicate) without writing anything."""

    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.preview = await self.sec.call("import.preview", body=self.body, text=seed004())
        self.assertRegex(self.preview["fingerprint"], "^[0-9a-f]{64}$")
        self.assertEqual(self.preview["imported"], [])
        self.first = (await self.sec.call(
            "import.commit", key="dup-1",
            **commit_args(self.preview, self.body,
                          fingerprint=self.preview["fingerprint"])))["meeting"]

    async def test_the_same_verslag_again_is_named_and_refused(self):
        before = await self.counts()
        # the same text as another editor saves it: CRLF, trailing spaces, extra blank lines
        text = "\ufeff" + "\r\n".join(line + "  " for line in seed004().split("\n")) + "\r\n\r\n"
        again = await self.sec.call("import.preview", body=self.body, text=text)
        self.assertEqual(again["fingerprint"], self.preview["fingerprint"])
        self.assertEqual(len(again["imported"]), 1)
        hit = again["imported"][0]
        self.assertEqual((hit["meeting"], hit["start"], hit["imported_by"], hit["same_text"]),
                         (self.first["id"], "2023-05-24T11:30:00Z", self.p["sec"], True))
        self.assertEqual(hit["imported_by_name"], "Sem Secretaris")
        self.assertTrue(hit["imported_at"].startswith(self.server.now().strftime("%Y-%m-%d")))
        msg = await self.refused(self.sec, "import_duplicate", "import.commit",
                                 **commit_args(again, self.body,
                                               fingerprint=again["fingerprint"]))
        self.assertIn("Dit verslag is al geïmporteerd op", msg)
        self.assertIn("in de vergadering van woensdag 24 mei 2023 om 13:30", msg)
        # into the meeting it went into, or as a new one on another day: the same text is refused
        args = commit_args(again, self.body, fingerprint=again["fingerprint"],
                           meeting=self.first["id"], same_day=True)
        await self.refused(self.sec, "import_duplicate", "import.commit", **args)
        args = commit_args(again, self.body, fingerprint=again["fingerprint"],
                           date="2023-05-31", same_day=True)
        await self.refused(self.sec, "import_duplicate", "import.commit", **args)
        self.assertEqual(await self.counts(), before)

    async def test_another_verslag_of_that_meeting_is_refused_unless_it_is_another_meeting(self):
        before = await self.counts()
        text = seed004().replace("Opening en welkom", "Opening") + "\nAangevuld na afloop.\n"
        variant = await self.sec.call("import.preview", body=self.body, text=text)
        self.assertNotEqual(variant["fingerprint"], self.preview["fingerprint"])
        self.assertEqual([(h["meeting"], h["same_text"]) for h in variant["imported"]],
                         [(self.first["id"], False)])
        args = commit_args(variant, self.body, fingerprint=variant["fingerprint"])
        msg = await self.refused(self.sec, "import_duplicate", "import.commit", **args)
        self.assertIn("Voor de vergadering van woensdag 24 mei 2023 om 13:30 is al een verslag "
                      "geïmporteerd op", msg)
        # a client that sends no fingerprint is held by the day all the same
        del args["fingerprint"]
        await self.refused(self.sec, "import_duplicate", "import.commit", **args)
        # into the meeting that has it: refused, whatever the secretary says
        into = commit_args(variant, self.body, meeting=self.first["id"], same_day=True)
        msg = await self.refused(self.sec, "import_duplicate", "import.commit", **into)
        self.assertIn("In de vergadering van woensdag 24 mei 2023 om 13:30 is al een verslag", msg)
        self.assertEqual(await self.counts(), before)
        # another meeting of the body that day, said so explicitly: saved as a new meeting
        later = commit_args(variant, self.body, fingerprint=variant["fingerprint"],
                            start_time="16:00", end_time="17:00", same_day=True)
        r = await self.sec.call("import.commit", **later)
        self.assertNotEqual(r["meeting"]["id"], self.first["id"])
        self.assertEqual(r["meeting"]["start"], "2023-05-24T14:00:00Z")

    async def test_a_cancelled_meeting_frees_its_verslag_for_a_new_import(self):
        await self.sec.call("meeting.cancel", meeting=self.first["id"])
        again = await self.sec.call("import.preview", body=self.body, text=seed004())
        self.assertEqual(again["imported"], [])
        r = await self.sec.call("import.commit", **commit_args(
            again, self.body, fingerprint=again["fingerprint"]))
        self.assertNotEqual(r["meeting"]["id"], self.first["id"])
        got = await self.sec.call("meeting.get", meeting=r["meeting"]["id"])
        self.assertEqual(len(got["agenda"]), 6)

    async def test_a_fingerprint_is_the_preview_s(self):
        for bad in ["abc", "G" * 64, self.preview["fingerprint"].upper()]:
            await self.refused(self.sec, "invalid_argument", "import.commit",
                               **commit_args(self.preview, self.body, date="2023-06-07",
                                             fingerprint=bad))


if __name__ == "__main__":
    unittest.main()
