"""Issue 2: two members see each other's changes live and in order; non-members see nothing;
confidential items stay with the organisations they list (snapshot, live, replay); resuming with
`since` has no gap and no duplicate; a SIGKILLed server keeps every acknowledged change."""

import asyncio
import unittest

from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, ProtocolError, Server, setup_world)


class LiveTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("live")
        cls.server.create_admin()
        cls.server.start()
        cls.tokens = {}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        if not hasattr(LiveTest, "world"):
            admin = await self.server.connect(self.server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            LiveTest.world = await setup_world(self.server, admin)
            await admin.close()
        self.w = LiveTest.world
        self.clients = []

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    async def as_(self, key):
        if key not in self.tokens:
            self.tokens[key] = self.server.login(f"{key}@test.example")
        c = await self.server.connect(self.tokens[key])
        self.clients.append(c)
        return c

    async def new_meeting(self, chair, day=1):
        # standing=False: an empty agenda (no standing items or actielijst carried over), so
        # the events these tests count are their own
        r = await chair.call("meeting.create", body=self.w["body"], standing=False,
                             start=f"2027-01-{day:02d}T09:00:00Z", end=f"2027-01-{day:02d}T11:00:00Z")
        return r["meeting"]["id"]

    async def test_two_members_see_each_others_changes_in_order(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        body = self.w["body"]
        snap = await police.call("body.get", body=body)
        await police.call("subscribe", body=body, since=snap["seq"])
        snap_c = await chair.call("body.get", body=body)
        await chair.call("subscribe", body=body, since=snap_c["seq"])
        meeting = await self.new_meeting(chair, 4)
        for i in range(5):
            await chair.call("agenda.add", meeting=meeting, title=f"Punt {i}", duration=10)
        await police.call("chat.post", body=body, text="Van de politie")
        evs = await police.wait_events(body, 7)
        seqs = [e["seq"] for e in evs]
        self.assertEqual(seqs, list(range(snap["seq"] + 1, snap["seq"] + 8)))
        self.assertEqual([e["event"] for e in evs],
                         ["meeting.created"] + ["agenda.added"] * 5 + ["chat.posted"])
        self.assertEqual([e["data"]["item"]["title"] for e in evs[1:6]],
                         [f"Punt {i}" for i in range(5)])
        cevs = await chair.wait_events(body, 7)
        self.assertEqual([e["seq"] for e in cevs], seqs)
        self.assertEqual(cevs[-1]["data"]["message"]["text"], "Van de politie")

    async def test_non_member_is_refused_and_receives_nothing(self):
        outsider, chair = await self.as_("outsider"), await self.as_("chair")
        body = self.w["body"]
        for op, args in [("body.get", {"body": body}), ("subscribe", {"body": body, "since": 0}),
                         ("chat.post", {"body": body, "text": "hallo"}),
                         ("chat.history", {"body": body})]:
            with self.assertRaises(ProtocolError) as e:
                await outsider.call(op, **args)
            self.assertEqual(e.exception.code, "not_member", op)
        await chair.call("chat.post", body=body, text="alleen voor leden")
        await outsider.sync()  # whatever the post sent the outsider has come by now
        self.assertEqual([e for e in outsider.events if e["body"] == body], [])

    async def test_observer_reads_but_does_not_write(self):
        observer = await self.as_("observer")
        body = self.w["body"]
        await observer.call("body.get", body=body)
        with self.assertRaises(ProtocolError) as e:
            await observer.call("chat.post", body=body, text="mag niet")
        self.assertEqual(e.exception.code, "forbidden")
        with self.assertRaises(ProtocolError) as e:
            await observer.call("meeting.create", body=body, start="2027-02-01T09:00:00Z",
                                end="2027-02-01T10:00:00Z")
        self.assertEqual(e.exception.code, "forbidden")

    async def test_member_cannot_edit_agenda(self):
        police = await self.as_("police")
        with self.assertRaises(ProtocolError) as e:
            await police.call("agenda.add", body=self.w["body"], title="Mag ik dit?")
        self.assertEqual(e.exception.code, "forbidden")

    async def test_confidential_item_stays_with_listed_organisations(self):
        chair, police, housing = (await self.as_("chair"), await self.as_("police"),
                                  await self.as_("housing"))
        body = self.w["body"]
        meeting = await self.new_meeting(chair, 6)
        base = (await housing.call("body.get", body=body))["seq"]
        for c in (police, housing):
            await c.call("subscribe", body=body, since=base)
        secret = "Casus 2027-01: hennepkwekerij Dordtse Kil"
        item = (await chair.call("agenda.add", meeting=meeting, title=secret, confidential=True,
                                 relevant=[{"org": self.w["orgs"]["pol"], "reason": "dossier"}]))["item"]
        await chair.call("agenda.add", meeting=meeting, title="Open punt")
        await chair.call("agenda.update", item=item["id"], description="Nieuwe feiten")
        await police.wait_for(lambda c: any(e["event"] == "agenda.added" and
                                            e["data"]["item"].get("title") == "Open punt"
                                            for e in c.events))
        await housing.wait_for(lambda c: any(e["event"] == "agenda.added" and
                                             e["data"]["item"].get("title") == "Open punt"
                                             for e in c.events))
        for c in (police, housing):  # the description's update, too, has come to whom it goes
            await c.sync()
        # live
        self.assertTrue(any(secret in str(e) for e in police.events))
        self.assertFalse(any(secret in str(f) or "Nieuwe feiten" in str(f) for f in housing.frames))
        # snapshot
        agenda_p = (await police.call("meeting.get", meeting=meeting))["agenda"]
        agenda_h = (await housing.call("meeting.get", meeting=meeting))["agenda"]
        self.assertIn(secret, [i["title"] for i in agenda_p])
        # housing sees that there is a besloten punt in its place, nothing of what it is
        self.assertEqual([i.get("title") for i in agenda_h], [None, "Open punt"])
        self.assertEqual(agenda_h[0]["id"], item["id"])
        self.assertTrue(agenda_h[0]["placeholder"])
        with self.assertRaises(ProtocolError) as e:
            await housing.call("chat.post", body=body, text="x", item=item["id"])
        self.assertEqual(e.exception.code, "not_found")
        # replay
        late = await self.as_("housing")
        await late.call("subscribe", body=body, since=base)
        await late.wait_for(lambda c: any(e["event"] == "agenda.added" and
                                          e["data"]["item"].get("title") == "Open punt"
                                          for e in c.events))
        self.assertFalse(any(secret in str(f) for f in late.frames))
        late_p = await self.as_("police")
        await late_p.call("subscribe", body=body, since=base)
        await late_p.wait_for(lambda c: any(secret in str(e) for e in c.events))

    async def test_resume_since_has_no_gap_and_no_duplicate(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        body = self.w["body"]
        start = (await police.call("body.get", body=body))["seq"]
        await police.call("subscribe", body=body, since=start)
        for i in range(10):
            await chair.call("chat.post", body=body, text=f"bericht {i}")
        first = await police.wait_events(body, 10)
        seen = first[5]["seq"]  # the client saw up to here, then dropped
        await police.close()
        for i in range(10, 20):
            await chair.call("chat.post", body=body, text=f"bericht {i}")
        again = await self.as_("police")
        await again.call("subscribe", body=body, since=seen)
        evs = await again.wait_events(body, 14)
        seqs = [e["seq"] for e in evs]
        self.assertEqual(seqs, list(range(seen + 1, seen + 15)))
        texts = [e["data"]["message"]["text"] for e in evs]
        self.assertEqual(texts, [f"bericht {i}" for i in range(6, 20)])

    async def test_since_beyond_head_is_refused(self):
        police = await self.as_("police")
        with self.assertRaises(ProtocolError) as e:
            await police.call("subscribe", body=self.w["body"], since=10 ** 9)
        self.assertEqual(e.exception.code, "invalid_since")


    # Links (stukken) on items, minutes of a meeting, who made a change, threads counted.

    async def test_attachments_are_http_links_only(self):
        chair = await self.as_("chair")
        meeting = await self.new_meeting(chair, 12)
        item = (await chair.call("agenda.add", meeting=meeting, title="Jaarplan",
                                 attachments=[{"title": "Concept jaarplan",
                                               "url": "https://stukken.example/jaarplan.pdf"}]))
        self.assertEqual(item["item"]["attachments"],
                         [{"title": "Concept jaarplan", "url": "https://stukken.example/jaarplan.pdf"}])
        for bad in ("javascript:alert(1)", "data:text/html,x", "https://a b.example/x",
                    "ftp://stukken.example/x"):
            with self.assertRaises(ProtocolError) as e:
                await chair.call("agenda.update", item=item["item"]["id"],
                                 attachments=[{"title": "x", "url": bad}])
            self.assertEqual(e.exception.code, "invalid_argument", bad)
        r = await chair.call("agenda.update", item=item["item"]["id"], attachments=[])
        self.assertEqual(r["item"]["attachments"], [])

    async def test_minutes_travel_live_and_pushes_name_their_actor(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        meeting = await self.new_meeting(chair, 13)
        head = (await police.call("body.get", body=self.w["body"]))["seq"]
        await police.call("subscribe", body=self.w["body"], since=head)
        await chair.call("meeting.update", meeting=meeting, minutes="Besloten: de aanpak gaat door.")
        ev = (await police.wait_events(self.w["body"], 1))[-1]
        self.assertEqual(ev["event"], "meeting.updated")
        self.assertEqual(ev["data"]["change"], "minutes")
        self.assertEqual(ev["data"]["minutes"], "Besloten: de aanpak gaat door.")
        self.assertEqual(ev["actor"], self.w["persons"]["chair"])
        got = await police.call("meeting.get", meeting=meeting)
        self.assertEqual(got["minutes"], "Besloten: de aanpak gaat door.")
        with self.assertRaises(ProtocolError) as e:
            await police.call("meeting.update", meeting=meeting, minutes="Mag dit?")
        self.assertEqual(e.exception.code, "forbidden")
        # two editors: the second, who started from an old revision, overwrites nothing
        self.assertEqual(got["minutes_by"], self.w["persons"]["chair"])
        rev = got["minutes_rev"]
        sec = await self.as_("sec")
        await sec.call("meeting.update", meeting=meeting, minutes="Versie secretaris",
                       minutes_rev=rev)
        with self.assertRaises(ProtocolError) as e:
            await chair.call("meeting.update", meeting=meeting, minutes="Versie voorzitter",
                             minutes_rev=rev)
        self.assertEqual(e.exception.code, "conflict")
        self.assertEqual((await chair.call("meeting.get", meeting=meeting))["minutes"],
                         "Versie secretaris")

    async def test_threads_are_counted_and_actions_name_their_item(self):
        chair, police = await self.as_("chair"), await self.as_("police")
        meeting = await self.new_meeting(chair, 14)
        item = (await chair.call("agenda.add", meeting=meeting, title="Drugsoverlast"))["item"]
        for text in ("Eerste reactie", "Tweede reactie"):
            await police.call("chat.post", body=self.w["body"], item=item["id"], text=text)
        got = await chair.call("meeting.get", meeting=meeting)
        self.assertEqual(got["message_counts"], {str(item["id"]): 2})
        action = (await police.call("action.create", body=self.w["body"], text="Cijfers",
                                    item=item["id"]))["action"]
        self.assertEqual(action["item_title"], "Drugsoverlast")


    async def test_mentions_name_members_only_whole_names_once(self):
        police = await self.as_("police")
        p = self.w["persons"]
        text = ("@carla voorzitter en @Piet Politie: kijk even. @Otto Buiten is geen lid, "
                "@Carla Voorzitters is een ander, @Piet alleen is niemand; nogmaals @Piet Politie")
        r = await police.call("chat.post", body=self.w["body"], text=text)
        self.assertEqual(r["message"]["mentions"], [p["chair"], p["police"]])
        r = await police.call("chat.post", body=self.w["body"], text="geen vermelding, mail a@b.nl")
        self.assertEqual(r["message"]["mentions"], [])


class DurabilityTest(unittest.IsolatedAsyncioTestCase):
    async def test_sigkill_keeps_every_acknowledged_change(self):
        server = Server("durable", extra=["--sync", "full"])
        server.create_admin()
        server.start()
        try:
            admin = await server.connect(server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            w = await setup_world(server, admin)
            chair = await server.connect(server.login("chair@test.example"))
            acked = []

            async def writer():
                i = 0
                while True:
                    r = await chair.call("chat.post", body=w["body"], text=f"durable {i}")
                    acked.append(r["message"]["text"])
                    i += 1

            task = asyncio.ensure_future(writer())
            # Kill in the middle of writing, once a few writes were acknowledged (the first may
            # wait for the detectors' index, which the world's setup asked to rebuild). Waits
            # on what happened, not on time: a loaded machine only makes it slower.
            await chair.wait_for(lambda _: len(acked) > 10 or task.done(), timeout=600)
            self.assertFalse(task.done(), task.done() and task.exception())
            at = len(acked)
            await chair.wait_for(lambda _: len(acked) >= at + 3 or task.done(), timeout=600)
            server.kill()
            # the writer ends with the connection (its request fails); nothing else to wait for
            await asyncio.wait([task], timeout=120)
            if not task.done():
                task.cancel()
            elif not task.cancelled():
                task.exception()  # its ConnectionError is expected: retrieved, not reported
            self.assertGreater(len(acked), 10)
            server.start()
            chair2 = await server.connect(server.login("chair@test.example"))
            texts, before = set(), None
            while True:
                args = {"before": before} if before else {}
                hist = await chair2.call("chat.history", body=w["body"], limit=200, **args)
                texts |= {m["text"] for m in hist["messages"]}
                if not hist["more"]:
                    break
                before = hist["messages"][0]["id"]
            missing = [t for t in acked if t not in texts]
            self.assertEqual(missing, [])
            # the event log has no gap either
            await chair2.call("subscribe", body=w["body"], since=0)
            head = (await chair2.call("body.get", body=w["body"]))["seq"]
            evs = await chair2.wait_events(w["body"], head, timeout=300)
            self.assertEqual([e["seq"] for e in evs], list(range(1, head + 1)))
            await chair2.close()
        finally:
            server.stop()
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
