"""Issue 11, confidentiality decided when data is read, not when it was written.

Regression tests for the findings of the review of 3aa8ef7; each failed there:
- replay handed a new member the original title, description, thread and action of an item that
  had become confidential, and removed items and deleted threads stayed readable through it;
- notification.subscribe replayed titles that notification.list, Atom and the digest hide;
- positions in meeting.get had gaps where hidden items were; members outside the audience got
  "Agenda gewijzigd na publicatie" for a hidden change; membership.update items:[hidden id]
  succeeded where an unknown id gave not_found;
- ids were recycled: a guest limited to a removed item saw the next new item (same id);
- a guest limited to items got the agenda words of the others from body.suggest / overlap.map.

Every test scans every frame its clients receive for a unique canary string."""

import json
import unittest
import uuid

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, ProtocolError, Server, setup_world


def canary(tag):
    return f"KANARIE-{tag}-{uuid.uuid4().hex[:10]}"


def frames_text(client):
    return json.dumps(client.frames)


class VisibilityTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("visibility")
        cls.server.create_admin()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        self.clients = []
        self.admin = await self.client(ADMIN_EMAIL, ADMIN_PASSWORD)
        if not hasattr(VisibilityTest, "w"):
            VisibilityTest.w = await setup_world(self.server, self.admin)
        self.w = VisibilityTest.w
        self.body = self.w["body"]

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    async def client(self, email, password=PASSWORD):
        c = await self.server.connect(self.server.login(email, password))
        self.clients.append(c)
        return c

    async def as_(self, key):
        return await self.client(f"{key}@test.example")

    async def new_member(self, org_key, role="lid"):
        """A person of org joined to the body now."""
        n = uuid.uuid4().hex[:8]
        r = await self.admin.call("person.create", name=f"Nieuw {n}", email=f"n{n}@test.example",
                                  org=self.w["orgs"][org_key])
        token = r["setup_url"].rsplit("/", 1)[1]
        self.server.http("POST", "/api/password", {"token": token, "password": PASSWORD})
        chair = await self.as_("chair")
        await chair.call("membership.add", body=self.body, person=r["person"]["id"], role=role)
        self.last_email = f"n{n}@test.example"
        return r["person"]["id"], await self.client(self.last_email)

    async def meeting(self, chair, published=False):
        m = (await chair.call("meeting.create", body=self.body, start="2030-03-04T09:00:00Z",
                              end="2030-03-04T11:00:00Z"))["meeting"]
        if published:
            await chair.call("agenda.publish", meeting=m["id"])
        return m["id"]

    async def replay(self, client, since=0):
        """Subscribes from since and waits for the replay up to the head; the frames."""
        r = await client.call("subscribe", body=self.body, since=since)
        await client.wait_for(lambda c: any(e["body"] == self.body and e["seq"] == r["head"]
                                            for e in c.events) or r["head"] == since)
        return [e for e in client.events if e["body"] == self.body]

    # ---- replay after the audience narrowed ----

    async def test_replay_after_the_audience_narrowed_tells_nothing_of_the_item(self):
        chair = await self.as_("chair")
        c = canary("replay")
        start = (await chair.call("body.get", body=self.body))["seq"]
        m = await self.meeting(chair)
        item = (await chair.call("agenda.add", meeting=m, title=f"Titel {c}",
                                 description=f"Omschrijving {c}"))["item"]
        await chair.call("chat.post", body=self.body, item=item["id"], text=f"Draad {c}")
        await chair.call("action.create", body=self.body, item=item["id"], text=f"Actie {c}")
        await chair.call("agenda.update", item=item["id"], confidential=True,
                         relevant=[{"org": self.w["orgs"]["pol"]}])
        # a member from the start, outside the audience now (woningcorporatie)
        housing = await self.as_("housing")
        events = await self.replay(housing, start)
        self.assertNotIn(c, frames_text(housing))
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, list(range(start + 1, seqs[-1] + 1)), "every seq, once, in order")
        about = [e for e in events if e["event"] in ("agenda.added", "agenda.updated")
                 and e["data"]["item"]["id"] == item["id"]]
        self.assertTrue(about)
        for e in about:  # a placeholder in its place, no actor
            self.assertTrue(e["data"]["item"]["placeholder"])
            self.assertIsNone(e["actor"])
        self.assertTrue(any(e["event"] == "stream.skipped" for e in events))
        # the police member of the audience replays it whole
        police = await self.as_("police")
        await self.replay(police, start)
        self.assertIn(c, frames_text(police))

    async def test_a_new_member_cannot_replay_from_before_they_joined(self):
        chair = await self.as_("chair")
        c = canary("nieuw")
        item = (await chair.call("agenda.add", body=self.body, title=f"Oud {c}"))["item"]
        await chair.call("agenda.update", item=item["id"], confidential=True,
                         relevant=[{"org": self.w["orgs"]["pol"]}])
        _, newbie = await self.new_member("woon")
        with self.assertRaises(ProtocolError) as e:
            await newbie.call("subscribe", body=self.body, since=0)
        self.assertEqual(e.exception.code, "resync")
        # the message says what is meant: a change number is no time ("lid sinds volgnummer 12"
        # read as a date that was none)
        message = e.exception.reply["error"]["message"]
        self.assertNotIn("volgnummer", message)
        self.assertRegex(message, r"voordat u lid werd \(tot en met wijziging \d+\)")
        snap = await newbie.call("body.get", body=self.body)
        r = await newbie.call("subscribe", body=self.body, since=snap["seq"])
        self.assertEqual(r["since"], snap["seq"])
        # from the membership's own event on, replay works
        await chair.call("chat.post", body=self.body, text="welkom")
        await newbie.wait_for(lambda cl: any(e["event"] == "chat.posted" for e in cl.events))
        self.assertNotIn(c, frames_text(newbie))

    async def test_removed_items_and_deleted_threads_are_not_readable_through_replay(self):
        chair = await self.as_("chair")
        c = canary("weg")
        head = (await chair.call("body.get", body=self.body))["seq"]
        item = (await chair.call("agenda.add", body=self.body, title=f"Weg {c}",
                                 description=f"Weg {c}"))["item"]
        await chair.call("chat.post", body=self.body, item=item["id"], text=f"Draad {c}")
        await chair.call("agenda.remove", item=item["id"])
        police = await self.as_("police")
        events = await self.replay(police, head)
        self.assertNotIn(c, frames_text(police))
        self.assertIn("agenda.removed", [e["event"] for e in events])
        seqs = [e["seq"] for e in events]
        self.assertEqual(seqs, list(range(head + 1, seqs[-1] + 1)))

    async def test_an_edited_or_deleted_message_replays_as_it_is_now(self):
        chair = await self.as_("chair")
        c = canary("gewist")
        head = (await chair.call("body.get", body=self.body))["seq"]
        m = (await chair.call("chat.post", body=self.body, text=f"Oeps {c}"))["message"]
        await chair.call("chat.edit", body=self.body, message=m["id"], text=f"Bijna {c}-2")
        await chair.call("chat.delete", body=self.body, message=m["id"])
        police = await self.as_("police")
        events = await self.replay(police, head)
        self.assertNotIn(c, frames_text(police))
        self.assertEqual([e["event"] for e in events if e["event"].startswith("chat.")],
                         ["chat.posted", "chat.edited", "chat.deleted"])

    async def test_notes_of_a_hidden_item_reach_its_audience_only(self):
        # Found while landing: minutes.noted (issue 13) named its item but was read as open.
        chair, sec = await self.as_("chair"), await self.as_("sec")
        c = canary("notulen")
        m = await self.meeting(chair)
        housing, police = await self.as_("housing"), await self.as_("police")
        start = (await housing.call("body.get", body=self.body))["seq"]
        for cl in (housing, police):
            await cl.call("subscribe", body=self.body, since=start)
        item = (await sec.call("agenda.add", meeting=m, title="Casus", confidential=True,
                               relevant=[{"org": self.w["orgs"]["pol"]}]))["item"]
        await sec.call("minutes.note", item=item["id"], text=f"Afgesproken {c}")
        await police.wait_for(lambda cl: c in frames_text(cl))
        await housing.wait_for(lambda cl: any(e["event"] == "stream.skipped"
                                              for e in cl.events))
        got = await housing.call("meeting.get", meeting=m)
        self.assertNotIn(str(item["id"]), got["notes"])
        self.assertNotIn(c, frames_text(housing))
        late = await self.as_("housing")
        await self.replay(late, start)
        self.assertNotIn(c, frames_text(late))

    # ---- notifications ----

    async def test_notification_replay_hides_what_notification_list_hides(self):
        chair = await self.as_("chair")
        c = canary("melding")
        housing = await self.as_("housing")
        start = (await housing.call("notification.list"))["seq"]
        item = (await chair.call("agenda.add", body=self.body, title=f"Relevant {c}",
                                 relevant=[{"org": self.w["orgs"]["woon"], "reason": c}]))["item"]
        listed = (await housing.call("notification.list"))["notifications"]
        self.assertTrue(any(c in n["title"] for n in listed), "told while relevant")
        await chair.call("agenda.update", item=item["id"], confidential=True,
                         relevant=[{"org": self.w["orgs"]["pol"]}])
        listed = (await housing.call("notification.list"))["notifications"]
        self.assertFalse(any(c in json.dumps(n) for n in listed))
        fresh = await self.as_("housing")
        r = await fresh.call("notification.subscribe", since=start)
        await fresh.wait_for(lambda cl: any(e["seq"] == r["head"] for e in cl.events))
        self.assertNotIn(c, frames_text(fresh))
        self.assertTrue(any(e["event"] == "stream.skipped" for e in fresh.events))

    async def test_no_agenda_changed_notice_outside_the_audience(self):
        chair = await self.as_("chair")
        m = await self.meeting(chair, published=True)
        housing = await self.as_("housing")
        before = {n["id"] for n in (await housing.call("notification.list"))["notifications"]}
        police = await self.as_("police")
        pbefore = {n["id"] for n in (await police.call("notification.list"))["notifications"]}
        await chair.call("agenda.add", meeting=m, title="Casus besloten", position=1,
                         confidential=True, relevant=[{"org": self.w["orgs"]["pol"]}])
        await housing.sync()  # the notifications to the add were made before this
        new = [n for n in (await housing.call("notification.list"))["notifications"]
               if n["id"] not in before]
        self.assertEqual([n for n in new if n["kind"] == "agenda"], [])
        pnew = [n for n in (await police.call("notification.list"))["notifications"]
                if n["id"] not in pbefore]
        self.assertTrue([n for n in pnew if n["kind"] in ("agenda", "relevant")])

    # ---- positions ----

    async def test_positions_are_the_same_for_every_viewer(self):
        chair = await self.as_("chair")
        c = canary("plek")
        m = await self.meeting(chair)
        sec = await self.as_("sec")
        a = (await chair.call("agenda.add", meeting=m, title="Opening", duration=10))["item"]
        h = (await sec.call("agenda.add", meeting=m, title=f"Casus {c}", duration=25,
                            confidential=True, relevant=[{"org": self.w["orgs"]["pol"]}]))
        b = (await chair.call("agenda.add", meeting=m, title="Rondvraag", duration=5))["item"]
        housing = await self.as_("housing")
        agenda = (await housing.call("meeting.get", meeting=m))["agenda"]
        self.assertEqual([x["position"] for x in agenda], [1, 2, 3])
        ph = agenda[1]
        self.assertEqual((ph["placeholder"], ph["duration"], ph["id"]), (True, 25, h["item"]["id"]))
        self.assertNotIn("title", ph)
        self.assertEqual([agenda[0]["id"], agenda[2]["id"]], [a["id"], b["id"]])
        self.assertNotIn(c, frames_text(housing))
        # the chair, not listed, sees that it is there and its slot, not what it is
        chair_view = (await chair.call("meeting.get", meeting=m))["agenda"]
        self.assertTrue(chair_view[1]["placeholder"])
        self.assertNotIn(c, frames_text(chair))
        sec_view = (await sec.call("meeting.get", meeting=m))["agenda"]
        self.assertEqual(sec_view[1]["title"], f"Casus {c}")  # the author keeps sight
        police = await self.as_("police")
        self.assertEqual((await police.call("meeting.get", meeting=m))["agenda"][1]["title"],
                         f"Casus {c}")

    async def test_a_limited_guest_sees_their_items_numbered_without_gaps(self):
        """A guest limited to items sees them numbered 1..n everywhere (snapshot, live,
        replay): their true positions would show where the items they may not see are."""
        chair = await self.as_("chair")
        m = await self.meeting(chair)
        ids = [(await chair.call("agenda.add", meeting=m, title=t))["item"]["id"]
               for t in ("Opening", "Casus A", "Casus B", "Rondvraag")]
        guest_id, guest = await self.new_member("woon", role="gast")
        await chair.call("membership.update", body=self.body, person=guest_id, role="gast",
                         items=[ids[1], ids[3]])
        snap = await guest.call("body.get", body=self.body)
        agenda = (await guest.call("meeting.get", meeting=m))["agenda"]
        self.assertEqual([(x["id"], x["position"]) for x in agenda], [(ids[1], 1), (ids[3], 2)])
        await guest.call("subscribe", body=self.body, since=snap["seq"])
        # the chair reorders as before (ids of the chair's own view); the guest hears 1 and 2
        r = await chair.call("agenda.reorder", meeting=m, items=[ids[3], ids[0], ids[1], ids[2]])
        self.assertEqual([(x["id"], x["position"]) for x in r["agenda"]],
                         [(ids[3], 1), (ids[0], 2), (ids[1], 3), (ids[2], 4)])
        await chair.call("agenda.update", item=ids[1], title="Casus A, vervolg")
        await guest.wait_for(lambda c: [e for e in c.events if e["event"] == "agenda.updated"])
        ev = [e for e in guest.events if e["event"] == "agenda.updated"][-1]
        self.assertEqual((ev["data"]["item"]["id"], ev["data"]["item"]["position"]), (ids[1], 2))
        order = [e for e in guest.events if e["event"] == "agenda.reordered"]
        self.assertEqual([sorted((x["id"], x["position"]) for x in e["data"]["order"])
                          for e in order], [[(ids[1], 2), (ids[3], 1)]])
        agenda = (await guest.call("meeting.get", meeting=m))["agenda"]
        self.assertEqual([(x["id"], x["position"]) for x in agenda], [(ids[3], 1), (ids[1], 2)])
        # replayed later, as it may be seen now: no position beyond the guest's two items
        again = await self.client(self.last_email)
        frames = await self.replay(again, since=snap["seq"])
        positions = [x["position"] for e in frames for x in
                     (e["data"].get("order") or [e["data"].get("item") or {}])
                     if "position" in x]
        self.assertTrue(positions)
        self.assertLessEqual(max(positions), 2, positions)

    async def test_the_verslag_numbers_the_items_as_the_agenda_does_for_every_viewer(self):
        """The verslag (minutes.get) and its export number the items as meeting.get does, for
        every viewer: the audience all of them; a member outside the audience (the chair too)
        the true positions - meeting.get and the export show a placeholder in the hidden one's
        place, minutes.get leaves it out, so its one gap is where the placeholder is and tells
        nothing meeting.get does not; a guest limited to items only theirs, 1..n (a true
        position would tell how many items she may not see lie before)."""
        chair, sec = await self.as_("chair"), await self.as_("sec")
        c = canary("verslagnummer")
        m = await self.meeting(chair)
        ids = [(await chair.call("agenda.add", meeting=m, title="Opening"))["item"]["id"]]
        ids.append((await sec.call("agenda.add", meeting=m, title=f"Casus {c}", duration=25,
                                   confidential=True,
                                   relevant=[{"org": self.w["orgs"]["pol"]}]))["item"]["id"])
        ids += [(await chair.call("agenda.add", meeting=m, title=t))["item"]["id"]
                for t in ("Casus B", "Rondvraag")]
        guest_id, guest = await self.new_member("woon", role="gast")
        await chair.call("membership.update", body=self.body, person=guest_id, role="gast",
                         items=[ids[3]])
        views = {}
        for key, who in (("police", await self.as_("police")), ("housing", await self.as_("housing")),
                         ("chair", chair), ("guest", guest)):
            agenda = (await who.call("meeting.get", meeting=m))["agenda"]
            verslag = (await who.call("minutes.get", meeting=m))["document"]["items"]
            export = (await who.call("export.minutes", meeting=m))["document"]["items"]
            views[key] = ([(x["position"], bool(x.get("placeholder"))) for x in agenda],
                          [(x["position"], x["id"]) for x in verslag],
                          [(x["position"], x["placeholder"]) for x in export])
            seen = [(x["position"], x["id"]) for x in agenda if not x.get("placeholder")]
            self.assertEqual(views[key][1], seen, key)  # the verslag: the items seen whole
            self.assertEqual(views[key][2], views[key][0], key)  # the export: the agenda
        # items the meeting had before ours (an "Actielijst" when the body has open actions,
        # left by other tests of this class) come first and are seen by every member
        before = [x["id"] for x in (await chair.call("meeting.get", meeting=m))["agenda"]
                  if x["id"] not in ids]
        k = len(before)
        first = [(i + 1, False) for i in range(k)]
        self.assertEqual(views["police"][0], first + [(k + i, False) for i in range(1, 5)])
        for key in ("housing", "chair"):
            self.assertEqual(views[key][0],
                             first + [(k + 1, False), (k + 2, True), (k + 3, False),
                                      (k + 4, False)], key)
            self.assertEqual(views[key][1],
                             [(i + 1, before[i]) for i in range(k)] +
                             [(k + 1, ids[0]), (k + 3, ids[2]), (k + 4, ids[3])], key)
        self.assertEqual(views["guest"], ([(1, False)], [(1, ids[3])], [(1, False)]))

    async def test_a_hidden_item_answers_exactly_like_an_unknown_one(self):
        chair = await self.as_("chair")
        sec = await self.as_("sec")  # the secretary adds it, for the police only
        hidden = (await sec.call("agenda.add", body=self.body, title="Alleen politie",
                                 confidential=True,
                                 relevant=[{"org": self.w["orgs"]["pol"]}]))["item"]
        guest_id, _ = await self.new_member("woon", role="gast")
        answers = []
        for item in (hidden["id"], 987654321):
            with self.assertRaises(ProtocolError) as e:
                await chair.call("membership.update", body=self.body, person=guest_id,
                                 role="gast", items=[item])
            answers.append((e.exception.code, e.exception.reply["error"]["message"]
                            .replace(str(item), "N")))
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(answers[0][0], "not_found")

    # ---- ids and guests ----

    async def test_ids_are_never_reused_and_guest_limits_are_cleaned(self):
        chair = await self.as_("chair")
        item = (await chair.call("agenda.add", body=self.body, title="Voor de gast"))["item"]
        guest_id, guest = await self.new_member("woon", role="gast")
        await chair.call("membership.update", body=self.body, person=guest_id, role="gast",
                         items=[item["id"]])
        await chair.call("agenda.remove", item=item["id"])
        m = (await chair.call("body.get", body=self.body))["members"]
        mine = [x for x in m if x["person"] == guest_id][0]
        self.assertEqual(mine["items"], [])  # still limited: to nothing
        c = canary("nieuw-punt")
        new = (await chair.call("agenda.add", body=self.body, title=f"Nieuw {c}"))["item"]
        self.assertGreater(new["id"], item["id"])
        snap = await guest.call("body.get", body=self.body)
        self.assertEqual(snap["backlog"], [])
        self.assertNotIn(c, frames_text(guest))
        # the guest heard of their changed membership
        notes = [e for e in guest.events if e["event"] == "membership.updated"]
        self.assertTrue(notes and notes[-1]["data"]["membership"]["items"] == [])

    async def test_a_guest_gets_no_words_of_other_items(self):
        chair = await self.as_("chair")
        c = canary("woord").lower().replace("-", "")
        own = (await chair.call("agenda.add", body=self.body, title="Kennismaking"))["item"]
        for i in range(3):
            await chair.call("agenda.add", body=self.body, title=f"Aanpak {c} fase {i}")
        guest_id, guest = await self.new_member("woon", role="gast")
        await chair.call("membership.update", body=self.body, person=guest_id, role="gast",
                         items=[own["id"]])
        r = await guest.call("body.suggest", text=f"aanpak {c}", scope=None)
        for s in r["suggestions"]:
            if s["body"]["id"] == self.body:
                self.assertIsNone(s["agenda_words"])
        m = await guest.call("overlap.map", body=self.body)
        for p in m["pairs"]:
            self.assertIsNone(p["agenda_words"])
        self.assertNotIn(c, frames_text(guest))

    async def test_suggestions_forget_an_item_at_once_when_it_becomes_confidential(self):
        # The body profiles behind "waar hoort dit thuis?" and the overlap map may lag behind
        # the agendas for a minute; they must not lag behind what became confidential: a member
        # outside the audience got the words of a just-closed item, and anyone its weight.
        chair = await self.as_("chair")
        c = canary("profiel").lower().replace("-", "")
        items = []
        for i in range(3):
            items.append((await chair.call("agenda.add", body=self.body,
                                           title=f"Aanpak {c} fase {i}"))["item"]["id"])
        _, member = await self.new_member("woon")
        r = await member.call("body.suggest", text=f"aanpak {c}", scope=None)
        words = [s["agenda_words"] for s in r["suggestions"] if s["body"]["id"] == self.body]
        self.assertTrue(words and c in (words[0] or ""), r)  # the check can fail
        for item in items:
            await chair.call("agenda.update", item=item, confidential=True,
                             relevant=[{"org": self.w["orgs"]["pol"]}])
        r = await member.call("body.suggest", text=f"aanpak {c}", scope=None)
        self.assertNotIn(c, json.dumps(r))
        # (the body may still be suggested for "aanpak": other tests' items say it)
        m = await member.call("overlap.map", body=self.body)
        self.assertNotIn(c, json.dumps(m))


if __name__ == "__main__":
    unittest.main()
