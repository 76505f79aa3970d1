"""Issue 5: duplicate agenda items across bodies, on the demo data. The same subject in two
Dordrecht bodies is flagged to both chairs; the same title in Schiedam is not; a chair who may
not see the other (confidential) item learns nothing of it (the confidential side does);
procedural items never raise anything."""

import asyncio
import datetime
import hashlib
import re
import unittest

from harness import DEMO_PASSWORD, PG_BASE, DemoCase, Server, WorldCase


class DuplicateTest(DemoCase):
    async def test_same_subject_in_two_dordrecht_bodies_is_flagged_to_both_chairs(self):
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        head = (await rg_chair.call("body.get", body=rg))["seq"]
        await rg_chair.call("subscribe", body=rg, since=head)
        pmg = (await rg_chair.call("agenda.add", meeting=await self.next_meeting(rg_chair, rg),
                                   title="PmG: aanpak risicojongeren"))["item"]
        new = (await np_chair.call("agenda.add", meeting=await self.next_meeting(np_chair, np),
                                   title="Preventie met Gezag",
                                   description="Stand van zaken van de aanpak in Dordt West."))["item"]
        flags = await self.flags_for_item(np_chair, np, new["id"])
        self.assertIn(pmg["id"], [f["other"]["item"] for f in flags])
        f = [f for f in flags if f["other"]["item"] == pmg["id"]][0]
        self.assertIn("PmG", f["evidence"]["shared"])
        self.assertGreaterEqual(f["score"], 0.12)
        self.assertTrue(any(c["role"] == "voorzitter" for c in f["other"]["contacts"]))
        # the other chair got it live, from their side
        await rg_chair.wait_for(lambda c: any(
            e["event"] == "flag.raised" and e["data"]["flag"]["here"]["item"] == pmg["id"]
            for e in c.events))
        theirs = await self.flags_for_item(rg_chair, rg, pmg["id"])
        self.assertIn(new["id"], [f["other"]["item"] for f in theirs])
        # and a notification
        notes = (await rg_chair.call("notification.list"))["notifications"]
        self.assertTrue(any(n["kind"] == "flag" for n in notes))

    async def test_a_flag_id_says_nothing_of_other_flags(self):
        # Issue 11: flag ids from one sequence showed a chair, in the gap between two of her
        # flags, that a flag she may not see (the confidential side's) was raised meanwhile. Now
        # a flag's id is derived from what it is about alone (PROTOCOL.md, flag).
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        a = (await np_chair.call("agenda.add", meeting=await self.next_meeting(np_chair, np),
                                 title="Hennepkwekerij en drugslab in bedrijfsloods Wielwijk")
             )["item"]["id"]
        b = (await rg_chair.call("agenda.add", meeting=await self.next_meeting(rg_chair, rg),
                                 title="Drugslab en hennepkwekerij in bedrijfsloods Wielwijk")
             )["item"]["id"]
        flags = [f for f in await self.flags_for_item(rg_chair, rg, b) if f["other"]["item"] == a]
        self.assertEqual(len(flags), 1, flags)
        key = "duplicate:i%d:i%d" % (min(a, b), max(a, b))
        digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
        self.assertEqual(flags[0]["id"], int.from_bytes(digest, "little") & ((1 << 52) - 1) or 1)
        # the other side sees the same flag under the same id
        theirs = [f for f in await self.flags_for_item(np_chair, np, a) if f["other"]["item"] == b]
        self.assertEqual([f["id"] for f in theirs], [flags[0]["id"]])

    FILLER = 520  # more than two pages of the detector's read of a meeting's items

    async def test_every_item_of_a_moved_meeting_is_checked(self):
        # A meeting moved into the window brings all its items with it: the detector read only
        # the first 200 of them, silently, so a duplicate further down the agenda was missed.
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        np_meeting = await self.next_meeting(np_chair, np)
        start = datetime.datetime.fromisoformat(
            (await np_chair.call("meeting.get", meeting=np_meeting))["meeting"]["start"]
            .replace("Z", "+00:00"))
        iso = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
        far = start + datetime.timedelta(days=300)  # outside the window of any NP meeting
        moved = (await rg_chair.call("meeting.create", body=rg, start=iso(far),
                                     end=iso(far + datetime.timedelta(hours=1)),
                                     standing=False))["meeting"]
        new = (await np_chair.call(
            "agenda.add", meeting=np_meeting,
            title="Sluiting van woningen (artikel 13b Opiumwet) in Dordt West"))["item"]
        # Planted straight into the store (both backends): the filler first, so the duplicate
        # is the agenda's last item by every order.
        cols = ("body_id, meeting_id, position, title, description, kind, created_at, "
                "updated_at, confidential")
        filler = ", ".join(f"({rg}, {moved['id']}, {100 + i}, 'Werkvoorraad dossier {i}', '', "
                           f"'bespreken', 0, 0, 0)" for i in range(self.FILLER))
        self.server.query(f"INSERT INTO items({cols}) VALUES {filler}")
        last = self.server.query(
            f"INSERT INTO items({cols}) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
            (rg, moved["id"], 100 + self.FILLER,
             "Woningsluitingen op grond van artikel 13b Opiumwet",
             "Stand van zaken van de sluitingen in Dordrecht.", "bespreken", 0, 0, 0))[0][0]
        self.assertEqual(self.server.query(
            "SELECT count(*) FROM items WHERE meeting_id = ? AND id < ?",
            (moved["id"], last))[0][0], self.FILLER)
        # the meeting moves next to the NP meeting: its last item is a duplicate of the new one
        await rg_chair.call("meeting.update", meeting=moved["id"],
                            start=iso(start + datetime.timedelta(days=1)))
        await np_chair.sync()  # the detectors ran on the moved meeting before this
        flags = await self.flags_for_item(np_chair, np, new["id"])
        self.assertIn(last, [f["other"]["item"] for f in flags], flags)

    async def test_same_title_in_schiedam_is_not_a_duplicate(self):
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        sd_chair = await self.as_("jp.akkerman@schiedam.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        sd = await self.body_named(sd_chair, "Stuurgroep Stadspartners")
        title = "Jaarplan Preventie met Gezag en risicojongeren"
        mine = (await rg_chair.call("agenda.add", meeting=await self.next_meeting(rg_chair, rg),
                                    title=title))["item"]
        theirs = (await sd_chair.call("agenda.add", meeting=await self.next_meeting(sd_chair, sd),
                                      title=title))["item"]
        self.assertNotIn(mine["id"], [f["other"]["item"] for f in
                                      await self.flags_for_item(sd_chair, sd, theirs["id"])])
        self.assertNotIn(theirs["id"], [f["other"]["item"] for f in
                                        await self.flags_for_item(rg_chair, rg, mine["id"])])

    async def test_procedural_items_raise_nothing(self):
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        a = (await rg_chair.call("agenda.add", meeting=await self.next_meeting(rg_chair, rg),
                                 title="Rondvraag"))["item"]
        b = (await np_chair.call("agenda.add", meeting=await self.next_meeting(np_chair, np),
                                 title="Rondvraag"))["item"]
        self.assertEqual(await self.flags_for_item(rg_chair, rg, a["id"]), [])
        self.assertEqual(await self.flags_for_item(np_chair, np, b["id"]), [])

    async def test_a_confidential_duplicate_is_told_to_the_confidential_side_only(self):
        # Security review (issue 11): a flag toward a confidential item was an oracle for the
        # other side - its existence and its score graded probe titles word by word. Now the
        # other side gets no flag, no score, no event and no seq; the confidential side does.
        cso_chair = await self.as_("l.verschoor@dordrecht.example")
        riec_chair = await self.as_("gj.postma@riec-rotterdam.example")
        cso = await self.body_named(cso_chair, "Casusoverleg Ondermijning")
        riec = await self.body_named(riec_chair, "Opgaveteam Drugs")
        orgs = (await cso_chair.call("org.list"))["organisations"]
        police = [o["id"] for o in orgs if o["kind"] == "politie"][0]
        open_item = (await riec_chair.call(
            "agenda.add", meeting=await self.next_meeting(riec_chair, riec),
            title="Drugsopslag in opslagboxen langs de Merwede: regionale aanpak"))["item"]
        head = (await riec_chair.call("body.get", body=riec))["seq"]
        await riec_chair.call("subscribe", body=riec, since=head)
        secret = "Casus 2026-31: drugsopslag in opslagboxen langs de Merwede"
        conf = (await cso_chair.call(
            "agenda.add", meeting=await self.next_meeting(cso_chair, cso), title=secret,
            description="Opslagboxen aan de Merwedekade; huurder onbekend.", confidential=True,
            relevant=[{"org": police, "reason": "lopend onderzoek"}]))["item"]
        # the casusoverleg chair, who may see both, has the flag with the open item
        mine = await self.flags_for_item(cso_chair, cso, conf["id"])
        self.assertIn(open_item["id"], [f["other"]["item"] for f in mine])
        # the other side: no flag at all, nothing on its stream
        flags = await self.flags_for_item(riec_chair, riec, open_item["id"])
        self.assertEqual([f for f in flags if f["other"]["body"] == cso], [], flags)
        self.assertEqual((await riec_chair.call("body.get", body=riec))["seq"], head)
        await riec_chair.sync()  # all the add and its reaction sent her has come
        for frame in riec_chair.frames:
            self.assertNotIn("2026-31", str(frame))
            self.assertNotIn("Merwedekade", str(frame))

    async def test_no_probe_score_moves_with_a_confidential_item(self):
        # Security review (issue 11): a chair put probe items on her own agenda and read the
        # scores of their flags; the scores moved with the words of a confidential item of
        # another body (its words counted in the corpus statistics), so names and places could
        # be guessed word by word. Now a confidential item is kept out of every statistic: the
        # score of a probe against an open item is the same whether the confidential item is
        # there, says the probe's words, or is gone.
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        cso_chair = await self.as_("l.verschoor@dordrecht.example")
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        cso = await self.body_named(cso_chair, "Casusoverleg Ondermijning")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        orgs = (await cso_chair.call("org.list"))["organisations"]
        police = [o["id"] for o in orgs if o["kind"] == "politie"][0]
        public = (await np_chair.call(
            "agenda.add", meeting=await self.next_meeting(np_chair, np),
            title="Hennepkwekerij en drugslab in bedrijfsloods Wielwijk"))["item"]
        probe_title = "Pieterse hennepkwekerij drugslab bedrijfsloods Wielwijk"
        probe = (await rg_chair.call(
            "agenda.add", meeting=await self.next_meeting(rg_chair, rg),
            title=probe_title))["item"]

        async def probe_score():
            # the probe is checked again as it is (an update that changes nothing)
            await rg_chair.call("agenda.update", item=probe["id"], title=probe_title)
            await rg_chair.sync()  # the detectors ran on the update before this
            flags = [f for f in await self.flags_for_item(rg_chair, rg, probe["id"])
                     if f["other"]["item"] == public["id"]]
            self.assertEqual(len(flags), 1, flags)
            return flags[0]["score"], len(await self.flags_for_item(rg_chair, rg, probe["id"]))

        before = await probe_score()
        conf = (await cso_chair.call(
            "agenda.add", meeting=await self.next_meeting(cso_chair, cso),
            title="Casus Pieterse: hennepkwekerij en drugslab in bedrijfsloods Wielwijk",
            description="Pieterse huurt de bedrijfsloods in Wielwijk; drugslab vermoed.",
            confidential=True, relevant=[{"org": police, "reason": "lopend onderzoek"}]))["item"]
        # the confidential side has the finding; the probe's side learns nothing
        mine = await self.flags_for_item(cso_chair, cso, conf["id"])
        self.assertIn(probe["id"], [f["other"]["item"] for f in mine])
        self.assertEqual(await probe_score(), before)
        await cso_chair.call("agenda.update", item=conf["id"], title="Casus 2026-40")
        self.assertEqual(await probe_score(), before)
        await cso_chair.call("agenda.remove", item=conf["id"])
        self.assertEqual(await probe_score(), before)

    async def test_no_flag_between_open_items_exists_through_a_confidential_one(self):
        # The existence of a flag is itself an answer. A confidential item that defines an
        # acronym taught it to the detector, so that a probe writing the acronym met an open item
        # writing it out: the probe's flag told that some confidential item says so. Now a
        # confidential item teaches nothing.
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        cso_chair = await self.as_("l.verschoor@dordrecht.example")
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        cso = await self.body_named(cso_chair, "Casusoverleg Ondermijning")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        orgs = (await cso_chair.call("org.list"))["organisations"]
        police = [o["id"] for o in orgs if o["kind"] == "politie"][0]
        await cso_chair.call(
            "agenda.add", meeting=await self.next_meeting(cso_chair, cso),
            title="Casus 2026-41: huurders in de ZWK",
            description="Signalen over de Zeehavenkade Wielwijk Kantoren; huurders onbekend.",
            confidential=True, relevant=[{"org": police, "reason": "lopend onderzoek"}])
        public = (await np_chair.call(
            "agenda.add", meeting=await self.next_meeting(np_chair, np),
            title="Zeehavenkade Wielwijk Kantoren"))["item"]
        probe = (await rg_chair.call(
            "agenda.add", meeting=await self.next_meeting(rg_chair, rg),
            title="De ZWK"))["item"]
        await rg_chair.sync()  # the detectors ran on the probe before this
        flags = await self.flags_for_item(rg_chair, rg, probe["id"])
        self.assertEqual([f for f in flags if f["other"]["item"] == public["id"]], [], flags)

    async def test_demo_has_the_planted_pmg_overlap(self):
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        flags = (await np_chair.call("flag.list", body=np))["flags"]
        pairs = [(f["here"]["title"], f["other"]["title"]) for f in flags
                 if f["kind"] == "duplicate"]
        self.assertTrue(any(h.startswith("Preventie met Gezag: aanpak risicojongeren") and
                            o and o.startswith("PmG: aanpak risicojongeren") for h, o in pairs),
                        pairs)


class ConfidentialBatchTest(DemoCase):
    """Issue 11, timing: a probe that meets a hidden confidential item must cost the node no more
    than one that does not. So an open item's reaction never compares it with the confidential
    items, nor raises, stores or announces anything for them: the open items changed meanwhile
    meet the confidential ones in a batch on a timer of its own (--confidential-check-secs, here
    an hour, so that it runs only when the node goes). bench/probe_timing.py measures the cost."""

    def configure(self, server):
        server.extra += ["--confidential-check-secs", "3600"]

    async def test_an_open_items_reaction_does_nothing_about_a_hidden_item(self):
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        cso_chair = await self.as_("l.verschoor@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        cso = await self.body_named(cso_chair, "Casusoverleg Ondermijning")
        orgs = (await cso_chair.call("org.list"))["organisations"]
        police = [o["id"] for o in orgs if o["kind"] == "politie"][0]
        conf = (await cso_chair.call(
            "agenda.add", meeting=await self.next_meeting(cso_chair, cso),
            title="Casus Zwanenburg: vrachtwagenloods Oudelandseweg koelcellen",
            confidential=True, relevant=[{"org": police, "reason": "lopend onderzoek"}]))["item"]
        await cso_chair.sync()
        stored = lambda: self.server.query(  # noqa: E731
            "SELECT (SELECT count(*) FROM flags), "
            "(SELECT count(*) FROM notifications WHERE flag_id IS NOT NULL)")[0]
        head = (await cso_chair.call("body.get", body=cso))["seq"]
        before = stored()
        probe = (await rg_chair.call(
            "agenda.add", body=rg,
            title="Zwanenburg vrachtwagenloods Oudelandseweg koelcellen"))["item"]
        await rg_chair.sync()  # the probe's reaction ran before this
        await cso_chair.sync()
        # no flag, no notification of one, no event on the confidential side's stream
        self.assertEqual(stored(), before)
        self.assertEqual((await cso_chair.call("body.get", body=cso))["seq"], head)
        self.assertEqual(await self.flags_for_item(cso_chair, cso, conf["id"]), [])
        # the batch tells the confidential side (here when the node goes; normally on its timer)
        await self.close_clients()
        self.server.stop()
        self.server.start()
        cso_chair = await self.as_("l.verschoor@dordrecht.example")
        told = await self.flags_for_item(cso_chair, cso, conf["id"])
        self.assertEqual([f["other"]["item"] for f in told], [probe["id"]], told)


    async def test_a_confidential_probes_reaction_does_nothing_about_another_hidden_item(self):
        # A chair who makes her probe confidential (her own organisation its audience) is of
        # its audience: its reaction used to compare it with every confidential item at once,
        # so she could time it as an open probe was timed. Now any item's reaction meets the
        # open items only; the batch compares it with the confidential ones.
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        cso_chair = await self.as_("l.verschoor@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        cso = await self.body_named(cso_chair, "Casusoverleg Ondermijning")
        orgs = (await cso_chair.call("org.list"))["organisations"]
        police = [o["id"] for o in orgs if o["kind"] == "politie"][0]
        own = [o["id"] for o in orgs if o["name"].startswith("Gemeente Dordrecht, team Veil")][0]
        conf = (await cso_chair.call(
            "agenda.add", meeting=await self.next_meeting(cso_chair, cso),
            title="Casus Zwanenburg: vrachtwagenloods Oudelandseweg koelcellen",
            confidential=True, relevant=[{"org": police, "reason": "lopend onderzoek"}]))["item"]
        await cso_chair.sync()
        pair = lambda: self.server.query(  # noqa: E731
            f"SELECT count(*) FROM flags WHERE state <> 'vervallen' AND {conf['id']} IN "
            "(item_a, item_b)")[0][0]
        self.assertEqual(pair(), 0)
        probe = (await rg_chair.call(
            "agenda.add", body=rg, title="Zwanenburg vrachtwagenloods Oudelandseweg koelcellen",
            confidential=True, relevant=[{"org": own, "reason": "eigen punt"}]))["item"]
        await rg_chair.sync()  # the probe's reaction ran before this
        self.assertEqual(pair(), 0)
        # the batch compares it with the confidential items (here when the node goes)
        await self.close_clients()
        self.server.stop()
        self.server.start()
        self.assertEqual(pair(), 1)
        rows = self.server.query(
            f"SELECT item_a, item_b, conf_a + conf_b FROM flags "
            f"WHERE {conf['id']} IN (item_a, item_b)")
        self.assertEqual([(min(conf["id"], probe["id"]), max(conf["id"], probe["id"]), 2)],
                         [tuple(r) for r in rows])


class ConfidentialSlotTest(WorldCase):
    """Issue 11, timing: the confidential batch runs every period, whether or not an item waits
    for it, holds the loop for whole slots (--confidential-slot-ms), and commits every time (it
    records its run), so that a batch that finds nothing syncs as one that raises flags does.
    The slot's arithmetic and what a slot has no room for: tests/unit/test_slot.c; that the
    batch raises the confidential side's flags: ConfidentialBatchTest."""

    def configure(self, server):
        server.extra += ["--confidential-check-secs", "1", "--confidential-slot-ms", "5"]

    async def until(self, pred, what, timeout=120):
        deadline = asyncio.get_running_loop().time() + timeout
        while not pred():
            if asyncio.get_running_loop().time() > deadline:
                self.fail(f"never: {what}")
            await asyncio.sleep(0.05)

    def runs(self):
        rows = self.server.query("SELECT runs FROM confidential_batches")
        return rows[0][0] if rows else 0

    def counter(self, name):
        text = self.server.ops_http("/metrics")[2].decode()
        return int(re.search(rf"^{name}{{[^}}]*}} (\d+)$", text, re.M).group(1))

    async def test_every_batch_commits_whether_or_not_it_finds_anything(self):
        chair = await self.connect("chair@test.example")
        await chair.call("agenda.add", body=self.body, title="Loods Zeehavenkade")
        await chair.call("agenda.add", body=self.body, title="Casus Wielwijk", confidential=True,
                         relevant=[{"org": self.orgs["pol"], "reason": "lopend onderzoek"}])
        start = self.counter("kt_confidential_batches_total")
        # a batch with these two items, then batches with nothing to do
        await self.until(lambda: self.counter("kt_confidential_batches_total") >= start + 4,
                         "four batches")
        before = self.counter("kt_confidential_batches_total")
        runs = self.runs()  # a batch commits its run before it is counted
        after = self.counter("kt_confidential_batches_total")
        self.assertGreaterEqual(runs, before)
        self.assertLessEqual(runs, after + 1)
        self.assertGreaterEqual(self.counter("kt_confidential_slots_total"), after)


class DerivedEventsTest(DemoCase):
    """Issue 11, storage: moving a meeting whose items have flags, or editing such an item, does
    not store an event per recipient each time. The first move tells every member (one
    notification each); later changes in the burst merge into those notifications, superseding
    their stored events (feed/notify.c), and a flag's change is one flag.updated per side, never
    a notification. bench/derived_events.py prints the same figures."""

    NOW = "2027-03-01T09:00:00Z"

    async def test_changes_to_flagged_things_store_a_bounded_number_of_events(self):
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        meeting = (await rg_chair.call("meeting.get", meeting=await self.next_meeting(rg_chair, rg)))
        m = meeting["meeting"]
        await np_chair.call("agenda.add", meeting=await self.next_meeting(np_chair, np),
                            title="Hennepkwekerij en drugslab in bedrijfsloods Wielwijk")
        item = (await rg_chair.call("agenda.add", meeting=m["id"],
                                    title="Hennepkwekerij en drugslab in loods Wielwijk"))["item"]
        await rg_chair.sync()
        flags = [f for f in (await rg_chair.call("flag.list", body=rg))["flags"]
                 if f["here"]["meeting"] == m["id"]]
        self.assertIn(item["id"], [f["here"]["item"] for f in flags], flags)
        members = len((await rg_chair.call("body.get", body=rg))["members"])
        self.assertGreater(members, 8)

        def stored():
            return self.server.query("SELECT (SELECT count(*) FROM events), "
                                     "(SELECT count(*) FROM notifications)")[0]

        def shift(iso, days):
            t = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))
            return (t + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

        steps = [("meeting.update", dict(meeting=m["id"], start=shift(m["start"], 7),
                                         end=shift(m["end"], 7))),
                 ("meeting.update", dict(meeting=m["id"], location="Stadskantoor, zaal 3")),
                 ("meeting.update", dict(meeting=m["id"], start=m["start"], end=m["end"])),
                 ("agenda.update", dict(item=item["id"],
                                        title="Hennepkwekerij en drugslab in bedrijfsloods")),
                 ("agenda.update", dict(item=item["id"],
                                        title="Drugslab en hennepkwekerij in loods Wielwijk")),
                 ("agenda.update", dict(item=item["id"],
                                        title="Hennepkwekerij en drugslab in loods Wielwijk"))]
        grew = []
        for op, args in steps:
            before = stored()
            await rg_chair.call(op, **args)
            await rg_chair.sync()  # the change's reactions ran before this
            after = stored()
            grew.append((after[0] - before[0], after[1] - before[1]))
        # the first move, the first edit: a notification per member, at most
        self.assertLessEqual(grew[0][1], members, grew)
        self.assertLessEqual(grew[3][1], members, grew)
        # after them: the change's own event and a flag.updated per side of each flag, never one
        # per recipient; no new notification (merged into the burst's, or none for a flag change)
        bound = 1 + 2 * len(flags)
        self.assertLess(bound, members)
        for events, notes in grew[1:3] + grew[4:]:
            self.assertLessEqual(events, bound, grew)
            self.assertEqual(notes, 0, grew)


class IndexAtStartTest(DemoCase):
    """The index a node builds from the store at start (read in batches on a second thread):
    items written before the start are found, wherever they fall in the scan, and a
    confidential one stays hidden."""

    FILLER = 9000  # more than two of the scan's batches

    async def test_items_stored_before_the_start_are_indexed(self):
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        cso_chair = await self.as_("l.verschoor@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        cso = await self.body_named(cso_chair, "Casusoverleg Ondermijning")
        rg_meeting = await self.next_meeting(rg_chair, rg)
        cso_meeting = await self.next_meeting(cso_chair, cso)
        for c in self.clients:
            await c.close()
        self.clients = []
        self.server.stop()

        # Another program writing to the database: on SQLite the writes only queue their search
        # changes (no tokenizer needed); the server's indexer catches up when it runs again.
        cols = ("body_id, meeting_id, position, title, description, kind, created_at, "
                "updated_at, confidential")
        # Planted straight into the store (both backends): one statement for all the filler.
        filler = ", ".join(f"({rg}, {rg_meeting}, {100 + i}, 'Werkvoorraad dossier {i}', '', "
                           f"'bespreken', 0, 0, 0)" for i in range(self.FILLER))
        self.server.query(f"INSERT INTO items({cols}) VALUES {filler}")
        last = [(rg, rg_meeting, 90, "Woningsluitingen op grond van artikel 13b Opiumwet",
                 "Stand van zaken van de sluitingen in Dordrecht.", "bespreken", 0, 0, 0),
                (cso, cso_meeting, 90, "Casus 2026-44: woningsluiting 13b na drugsvondst",
                 "Woning aan de Merwedestraat.", "bespreken", 0, 0, 1)]
        ids = [self.server.query(f"INSERT INTO items({cols}) VALUES (?,?,?,?,?,?,?,?,?) "
                                 "RETURNING id", r)[0][0] for r in last]

        self.server.start()
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        new = (await np_chair.call(
            "agenda.add", meeting=await self.next_meeting(np_chair, np),
            title="Sluiting van woningen (artikel 13b) in Dordt West"))["item"]
        flags = await self.flags_for_item(np_chair, np, new["id"])
        self.assertIn(ids[0], [f["other"]["item"] for f in flags], flags)
        # the confidential one is not told to this side at all
        self.assertEqual([f for f in flags if f["other"]["body"] == cso], [], flags)
        self.assertNotIn("2026-44", str(flags))


@unittest.skipIf(PG_BASE, "SQLite only: the fault is a view of SQLite's that fails to read")
class OverlapMapStoreErrorTest(unittest.IsolatedAsyncioTestCase):
    """Faults are loud (issue 12): a store error while reading the names two bodies share is the
    reply's error, never a pair listed without them."""

    async def test_a_store_error_in_the_shared_names_is_the_replys_error(self):
        server = Server("overlap-fault", demo=True)
        server.start()
        try:
            c = await server.connect(server.login("s.bakker@dordrecht.example", DEMO_PASSWORD))
            self.assertTrue((await c.call("overlap.map", limit=5))["pairs"])
            # Every organisation's name now fails to read (an integer overflow in SQLite); its
            # other columns still read.
            server.query("ALTER TABLE organisations RENAME TO organisations_kept")
            server.query("CREATE VIEW organisations AS SELECT id, "
                         "abs(-9223372036854775808) AS name, kind, scope_id, created_at, "
                         "updated_at FROM organisations_kept")
            reply = await c.request("overlap.map", limit=5)
            self.assertFalse(reply["ok"], reply)
            self.assertEqual(reply["error"]["code"], "internal_error", reply)
            await c.close()
        finally:
            server.stop()
            server.cleanup()


class OverlapMapTest(unittest.IsolatedAsyncioTestCase):
    """Issue 5, detectors 3 and 4 on the demo data: the overlap map and "waar hoort dit thuis"."""

    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server("overlap", demo=True)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        self.c = await self.server.connect(
            self.server.login("s.bakker@dordrecht.example", DEMO_PASSWORD))

    async def asyncTearDown(self):
        await self.c.close()

    async def names(self):
        return {b["id"]: b for b in (await self.c.call("body.list"))["bodies"]}

    async def top(self, text, n=3, **kw):
        r = await self.c.call("body.suggest", text=text, limit=n, **kw)
        return [x["body"]["name"] for x in r["suggestions"]], r

    async def test_waar_hoort_dit_thuis_points_to_the_body_whose_mandate_fits(self):
        names, r = await self.top("sluiting van een drugspand op grond van artikel 13b Opiumwet")
        self.assertEqual(r["scope"], "Dordrecht")  # the caller's organisation's scope
        self.assertIn("Lokale Driehoek Dordrecht", names)
        names, _ = await self.top("Preventie met Gezag voor risicojongeren in Dordt West")
        self.assertTrue({"Werkgroep Leefbaar en Veilig Dordt West", "Stuurgroep NP Dordt West",
                         "Regiegroep Ondermijning"} & set(names), names)
        self.assertFalse(any(n.startswith("Werkgroep Veiligheid") for n in names), names)
        names, _ = await self.top("woonoverlast en ongewenst verhuurgedrag", scope="Schiedam")
        self.assertEqual(names[0], "Werkgroep Wonen en Woonomgeving")
        _, r = await self.top("sluiting van een drugspand op grond van artikel 13b Opiumwet")
        driehoek = [x for x in r["suggestions"] if x["body"]["name"] == "Lokale Driehoek Dordrecht"][0]
        self.assertIn("voorzitter", [c["role"] for c in driehoek["contacts"]])  # whom to ask
        # A text no body is about is answered as a weak fit (the issue: "huiselijk geweld"
        # got "Past het best: Regiegroep Ondermijning" on the single word "geweld").
        weak = await self.c.call("body.suggest", text="huiselijk geweld", scope=None)
        self.assertFalse(weak["good_fit"], weak)
        self.assertTrue(all(x["fit"] != "goed" for x in weak["suggestions"]))
        _, good = await self.top("sluiting van een drugspand op grond van artikel 13b Opiumwet")
        self.assertTrue(good["good_fit"])
        self.assertEqual(good["suggestions"][0]["fit"], "goed")
        every = (await self.c.call("body.suggest", text="PmG", scope=None, limit=20))
        for x in every["suggestions"]:
            self.assertTrue(x["why"])
            if not x["member"]:  # what a body discussed is told only to its members
                self.assertIsNone(x["agenda_words"])
                self.assertEqual(x["items"], [])

    async def test_overlap_map_lists_the_strongest_overlaps_explained(self):
        bodies = await self.names()
        m = await self.c.call("overlap.map", limit=500)
        pairs = m["pairs"]
        self.assertTrue(pairs)
        self.assertEqual(pairs, sorted(pairs, key=lambda p: -p["score"]))
        by_name = {(bodies[p["a"]]["name"], bodies[p["b"]]["name"]): p for p in pairs}

        def pair(x, y):
            return by_name.get((x, y)) or by_name.get((y, x))

        rg = pair("Regiegroep Ondermijning", "Casusoverleg Ondermijning")
        self.assertIsNotNone(rg)
        self.assertGreaterEqual(rg["persons"], 3)
        self.assertIn("gedeelde personen", rg["why"])
        shared_agenda = [p for p in pairs if p["agenda"] > 0]
        self.assertTrue(shared_agenda)
        for p in shared_agenda:  # in words for who sits in both, as a score for others
            both = bodies[p["a"]]["role"] and bodies[p["b"]]["role"]
            self.assertEqual(p["agenda_words"] is not None, bool(both), p)
        top5 = [(bodies[p["a"]]["scope"], bodies[p["b"]]["scope"]) for p in pairs[:5]]
        self.assertTrue(all(a == b or "RIEC" in a + b for a, b in top5), top5)
        schiedam = (await self.c.call("overlap.map", scope="Schiedam", limit=500))["pairs"]
        self.assertTrue(schiedam)
        self.assertTrue(all(bodies[p["a"]]["scope"] == bodies[p["b"]]["scope"] == "Schiedam"
                            for p in schiedam))
        for p in pairs:  # two municipalities never share an agenda subject
            sa, sb = bodies[p["a"]]["scope"], bodies[p["b"]]["scope"]
            if {sa, sb} == {"Dordrecht", "Schiedam"}:
                self.assertEqual(p["agenda"], 0, p)
            mine = {bodies[p["a"]]["role"], bodies[p["b"]]["role"]}
            if None in mine:
                self.assertIsNone(p["agenda_words"], p)

    async def test_bodies_created_between_two_maps_do_not_crash_the_server(self):
        # Security review: overlap.map, then body.create, then overlap.map read past the rank
        # arrays of the last profile build (ASan heap-buffer-overflow; a segfault after 5-7
        # new bodies in release builds, for everyone who opened the overlegkaart).
        admin = await self.server.connect(
            self.server.login("beheer@ketentafel.example", DEMO_PASSWORD))
        try:
            before = (await self.c.call("overlap.map", limit=500))["pairs"]
            for i in range(8):
                await admin.call("body.create", name=f"Nieuwe werkgroep {i}", kind="werkgroep",
                                 scope="Dordrecht", level="tactisch")
                after = (await self.c.call("overlap.map", limit=500))["pairs"]
                self.assertTrue(after)
            self.assertEqual(len(after), len(before))
            r = await self.c.call("body.suggest", text="Nieuwe werkgroep", scope=None)
            self.assertIn("suggestions", r)
        finally:
            await admin.close()

    async def test_suggest_texts_never_grow_the_server(self):
        # Security review: every unknown word of a body.suggest text joined the vocabulary for
        # good (10,000 requests of 1,000 random characters: 19 -> 274 MB). The flood itself is
        # bench/suggest_flood; here: unknown words and scopes leave the index as it was.
        import random
        rnd = random.Random(7)
        await self.c.call("body.suggest", text="PmG", scope=None)
        h0 = self.server.ops_http("/metrics")
        for i in range(200):
            text = "x" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz    ") for _ in range(998)) + "x"
            await self.c.call("body.suggest", text=text, scope=f"Regio {text[:6].strip()}x", limit=5)
        h1 = self.server.ops_http("/metrics")
        self.assertEqual(metric(h0, "kt_detect_terms"), metric(h1, "kt_detect_terms"))
        names, _ = await self.top("PmG")
        self.assertTrue(names)


def metric(reply, name):
    body = reply[2]
    for line in (body.decode() if isinstance(body, bytes) else body).splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")


if __name__ == "__main__":
    unittest.main()
