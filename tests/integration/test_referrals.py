"""Issue 13, part 5: agenderingsverzoeken and referrals.

A member asks to put a topic on the agenda; the chair or secretary accepts (backlog or a chosen
meeting) or declines with a reason; the requester hears the outcome and sees the status of their
own requests; the chair and secretary see all of them with a count. An item can be referred to,
or moved to, another body, which decides like on a request; both bodies keep the link. A
confidential item keeps its confidentiality and audience, can only go where someone who decides
may see it, and nothing of it reaches anyone outside its audience on either side."""

import asyncio
import json
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, WorldCase

CANARY = "zqxbrmdvkwpq"


class ReferralTest(WorldCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        self.chair = await self.connect("chair@test.example")
        self.sec = await self.connect("sec@test.example")
        self.police = await self.connect("police@test.example")
        self.housing = await self.connect("housing@test.example")
        self.observer = await self.connect("observer@test.example")
        self.outsider = await self.connect("outsider@test.example")
        # The other body: chaired by the police person outside the first body, with the
        # observer of the first (municipality) as its secretary and the housing member.
        self.body2 = (await self.admin.call(
            "body.create", name="Stuurgroep Test", kind="stuurgroep", scope="Dordrecht",
            level="strategisch", mandate="Test"))["body"]["id"]
        for key, role in [("outsider", "voorzitter"), ("observer", "secretaris"),
                         ("housing", "lid")]:
            await self.admin.call("membership.add", body=self.body2, person=self.p[key],
                                  role=role)
        self.meeting = (await self.chair.call(
            "meeting.create", body=self.body, start="2027-03-02T09:00:00Z",
            end="2027-03-02T11:00:00Z"))["meeting"]["id"]
        self.meeting2 = (await self.outsider.call(
            "meeting.create", body=self.body2, start="2027-03-09T09:00:00Z",
            end="2027-03-09T11:00:00Z"))["meeting"]["id"]
        for c in (self.chair, self.sec, self.police, self.housing, self.outsider, self.observer):
            for b in (self.body, self.body2):
                try:
                    snap = await c.call("body.get", body=b)
                    await c.call("subscribe", body=b, since=snap["seq"])
                except Exception:
                    pass

    async def listed(self, client, body=None):
        return await client.call("request.list", body=body or self.body)

    async def notes(self, client, until=None):
        """The client's notifications; with until, once one matches it (they follow the commit,
        made by a reaction: wait for them, bounded)."""
        for _ in range(200):
            ns = (await client.call("notification.list", limit=200))["notifications"]
            if until is None or any(until(n) for n in ns):
                return ns
            await asyncio.sleep(0.05)
        return ns

    async def test_a_member_asks_the_chair_accepts_or_declines(self):
        await self.refused(self.observer, "forbidden", "request.create", body=self.body,
                           title="Waarnemer vraagt")
        await self.refused(self.police, "not_found", "request.create", body=self.body,
                           title="Op een andere vergadering", meeting=self.meeting2)
        r1 = (await self.police.call("request.create", body=self.body,
                                     title="Cameratoezicht Wielwijk",
                                     description="Drie incidenten in een maand",
                                     meeting=self.meeting))["request"]
        self.assertEqual((r1["status"], r1["kind"], r1["meeting"], r1["requester"]),
                         ("ingediend", "verzoek", self.meeting, self.p["police"]))
        r2 = (await self.police.call("request.create", body=self.body,
                                     title="Jeugdoverlast De Staart"))["request"]
        # The chair and secretary see both and count them; the requester their own; others none.
        lc = await self.listed(self.chair)
        self.assertEqual(([r["id"] for r in lc["requests"]], lc["open"]), ([r2["id"], r1["id"]], 2))
        self.assertEqual([r["id"] for r in (await self.listed(self.police))["requests"]],
                         [r2["id"], r1["id"]])
        self.assertEqual((await self.listed(self.housing))["requests"], [])
        want = "Verzoek om te agenderen: Cameratoezicht Wielwijk"
        self.assertTrue(any(n["title"] == want for n in
                            await self.notes(self.sec, lambda n: n["title"] == want)))
        self.assertFalse(any("Cameratoezicht" in n["title"] for n in await self.notes(self.housing)))
        # Only the chair or secretary decide; a decline needs a reason.
        await self.refused(self.police, "forbidden", "request.decide", body=self.body,
                           request=r1["id"], decision="aanvaarden")
        await self.refused(self.chair, "missing_argument", "request.decide", body=self.body,
                           request=r2["id"], decision="afwijzen")
        await self.refused(self.outsider, "not_found", "request.decide", body=self.body2,
                           request=r2["id"], decision="afwijzen", reason="x")
        d2 = (await self.chair.call("request.decide", body=self.body, request=r2["id"],
                                    decision="afwijzen",
                                    reason="Hoort bij het casusoverleg"))["request"]
        self.assertEqual((d2["status"], d2["reason"], d2["item"]),
                         ("afgewezen", "Hoort bij het casusoverleg", None))
        d1 = (await self.sec.call("request.decide", body=self.body, request=r1["id"],
                                  decision="aanvaarden", meeting=self.meeting))["request"]
        self.assertEqual((d1["status"], d1["item_meeting"]), ("aanvaard", self.meeting))
        await self.refused(self.chair, "invalid_state", "request.decide", body=self.body,
                           request=r1["id"], decision="afwijzen", reason="toch niet")
        agenda = (await self.chair.call("meeting.get", meeting=self.meeting))["agenda"]
        item = next(i for i in agenda if i["id"] == d1["item"])
        self.assertEqual((item["title"], item["description"]),
                         ("Cameratoezicht Wielwijk", "Drie incidenten in een maand"))
        # The requester hears both outcomes; the count is down to none.
        titles = [n["title"] + " | " + n["text"] for n in await self.notes(
            self.police, lambda n: n["title"].startswith("Geagendeerd"))]
        titles = [n["title"] + " | " + n["text"] for n in await self.notes(
            self.police, lambda n: n["title"].startswith("Afgewezen"))]
        self.assertIn("Afgewezen door Regiegroep Test: Jeugdoverlast De Staart | "
                      "Reden: Hoort bij het casusoverleg", titles)
        self.assertIn("Geagendeerd door Regiegroep Test: Cameratoezicht Wielwijk | "
                      "Het onderwerp staat op de agenda van een vergadering.", titles)
        self.assertEqual((await self.listed(self.chair))["open"], 0)
        # Accepted, it is history every member who sees the item may read.
        self.assertEqual([r["id"] for r in (await self.listed(self.housing))["requests"]],
                         [r1["id"]])
        ev = await self.body_event(self.police, "request.decided",
                                   lambda e: e["data"]["request"]["id"] == r2["id"])
        self.assertEqual(ev["data"]["request"]["status"], "afgewezen")
        self.assertFalse(any(e["event"] == "request.created"
                             for e in self.housing.body_events(self.body)))

    async def test_a_referral_links_both_bodies(self):
        item = (await self.chair.call("agenda.add", meeting=self.meeting,
                                      title="Subsidie buurtpreventie",
                                      description="Vraagt om een besluit"))["item"]
        await self.refused(self.police, "forbidden", "agenda.refer", item=item["id"],
                           to=self.body2)
        await self.refused(self.chair, "invalid_argument", "agenda.refer", item=item["id"],
                           to=self.body)
        await self.refused(self.chair, "not_found", "agenda.refer", item=item["id"], to=9999)
        r = (await self.chair.call("agenda.refer", item=item["id"], to=self.body2,
                                   note="Graag een besluit over de financiering"))["request"]
        self.assertEqual((r["kind"], r["body"], r["source_body"], r["source_item"],
                          r["description"]),
                         ("verwijzing", self.body2, self.body, item["id"],
                          "Graag een besluit over de financiering"))
        await self.refused(self.chair, "conflict", "agenda.refer", item=item["id"],
                           to=self.body2)
        # This body's history shows the link, to every member who sees the item.
        out = (await self.listed(self.housing))["referrals"]
        self.assertEqual([(x["id"], x["body_name"], x["status"]) for x in out],
                         [(r["id"], "Stuurgroep Test", "ingediend")])
        ev = await self.body_event(self.housing, "agenda.referred")
        self.assertEqual((ev["data"]["to"], ev["data"]["to_name"], ev["data"]["item"]),
                         (self.body2, "Stuurgroep Test", item["id"]))
        self.assertNotIn("Subsidie", json.dumps(ev["data"]))
        l2 = await self.listed(self.outsider, self.body2)
        self.assertEqual((l2["open"], l2["requests"][0]["source_body_name"]),
                         (1, "Regiegroep Test"))
        d = (await self.outsider.call("request.decide", body=self.body2, request=r["id"],
                                      decision="aanvaarden"))["request"]
        self.assertEqual((d["status"], d["item_meeting"]), ("aanvaard", None))
        backlog = (await self.outsider.call("body.get", body=self.body2))
        self.assertIn(d["item"], [i["id"] for i in backlog["backlog"]])
        # The original stays; the link now names the new item, both ways.
        self.assertIn(item["id"], [i["id"] for i in
                                   (await self.chair.call("meeting.get",
                                                          meeting=self.meeting))["agenda"]])
        out = (await self.listed(self.chair))["referrals"][0]
        self.assertEqual((out["status"], out["item"]), ("aanvaard", d["item"]))
        ev = await self.body_event(self.chair, "referral.decided")
        self.assertEqual((ev["data"]["status"], ev["data"]["new_item"]), ("aanvaard", d["item"]))
        # The chair who referred is told, as a member of the body it came from.
        want = "Geagendeerd door Stuurgroep Test: Subsidie buurtpreventie"
        self.assertTrue(any(n["title"] == want for n in
                            await self.notes(self.chair, lambda n: n["title"] == want)))

    async def test_a_move_takes_the_item_over(self):
        item = (await self.chair.call("agenda.add", meeting=self.meeting,
                                      title="Evaluatie horecaconvenant"))["item"]
        other = (await self.chair.call("agenda.add", meeting=self.meeting,
                                       title="Rondvraag"))["item"]
        busy = (await self.chair.call("agenda.add", meeting=self.meeting,
                                      title="Lopend project"))["item"]
        await self.chair.call("action.create", body=self.body, item=busy["id"],
                              text="Rapportage opstellen")
        await self.refused(self.chair, "invalid_state", "agenda.refer", item=busy["id"],
                           to=self.body2, move=True)
        r = (await self.chair.call("agenda.refer", item=item["id"], to=self.body2,
                                   move=True))["request"]
        self.assertEqual(r["kind"], "verplaatsing")
        d = (await self.outsider.call("request.decide", body=self.body2, request=r["id"],
                                      decision="aanvaarden", meeting=self.meeting2))["request"]
        self.assertEqual((d["item"], d["item_meeting"]), (item["id"], self.meeting2))
        agenda = (await self.chair.call("meeting.get", meeting=self.meeting))["agenda"]
        self.assertEqual([i["id"] for i in agenda], [other["id"], busy["id"]])
        self.assertEqual([i["position"] for i in agenda], [1, 2])
        agenda2 = (await self.outsider.call("meeting.get", meeting=self.meeting2))["agenda"]
        self.assertIn(item["id"], [i["id"] for i in agenda2])
        ev = await self.body_event(self.housing, "agenda.removed",
                                   lambda e: e["data"]["item"] == item["id"])
        self.assertTrue(ev["data"]["moved"])
        # The link stays in the history of both.
        out = (await self.listed(self.housing))["referrals"]
        self.assertEqual([(x["kind"], x["status"]) for x in out], [("verplaatsing", "aanvaard")])
        self.assertEqual((await self.listed(self.housing, self.body2))["requests"][0]["id"],
                         r["id"])

    async def test_a_moved_item_takes_its_thread_and_leaves_no_guest_limit_behind(self):
        """The thread goes with a moved item: the new body's members read it and find it, the
        old body's members (not in the new one) no longer do. A guest of the old body limited
        to the item loses it from the limit, so it grants nothing when the item comes back."""
        item = (await self.chair.call("agenda.add", meeting=self.meeting,
                                      title="Evaluatie horecaconvenant"))["item"]
        stays = (await self.chair.call("agenda.add", meeting=self.meeting,
                                       title="Rondvraag"))["item"]
        # The police person becomes a guest of this body, limited to both items.
        await self.sec.call("membership.update", body=self.body, person=self.p["police"],
                              role="gast", items=[item["id"], stays["id"]])
        said = f"Cijfers {CANARY} van de horeca volgen"
        posted = (await self.police.call("chat.post", body=self.body, item=item["id"],
                                         text=said))["message"]
        await self.chair.call("chat.post", body=self.body, text="Algemeen bericht")
        r = (await self.chair.call("agenda.refer", item=item["id"], to=self.body2,
                                   move=True))["request"]
        await self.outsider.call("request.decide", body=self.body2, request=r["id"],
                                 decision="aanvaarden", meeting=self.meeting2)
        # The new body reads the thread under the item...
        thread = (await self.outsider.call("chat.history", body=self.body2,
                                           item=item["id"]))["messages"]
        self.assertEqual([m["id"] for m in thread], [posted["id"]])
        self.assertEqual(thread[0]["body"], self.body2)
        # ...and can go on with it there.
        await self.housing.call("chat.post", body=self.body2, item=item["id"],
                                text="Woonplus sluit aan")
        # The old body's channel no longer holds it, for anyone.
        for c in (self.chair, self.sec, self.police):
            left = (await c.call("chat.history", body=self.body))["messages"]
            self.assertEqual([m["text"] for m in left if m.get("item") == item["id"]], [])
            self.assertNotIn(CANARY, json.dumps(left))
        # The guest's limit in the old body no longer names the moved item.
        members = (await self.sec.call("body.get", body=self.body))["members"]
        guest = next(m for m in members if m["person"] == self.p["police"])
        self.assertEqual(guest["items"], [stays["id"]])
        ev = await self.body_event(self.police, "membership.updated",
                                   lambda e: e["data"]["person"] == self.p["police"] and
                                   e["data"]["membership"]["items"] == [stays["id"]])
        self.assertEqual(ev["data"]["membership"]["role"], "gast")
        # Search: the new body's members find the message, the old body's no longer do.
        found = []
        for _ in range(100):  # the index follows the commit off the write path
            found = (await self.housing.call("search", q=CANARY))["hits"]
            if found:
                break
            await asyncio.sleep(0.05)
        self.assertEqual([(x["kind"], x["body"]) for x in found], [("chat", self.body2)])
        for c in (self.chair, self.police):
            self.assertEqual((await c.call("search", q=CANARY))["hits"], [])
        # Moved back, the item comes without the old limit: the guest does not see it again.
        back = (await self.outsider.call("agenda.refer", item=item["id"], to=self.body,
                                         move=True))["request"]
        await self.chair.call("request.decide", body=self.body, request=back["id"],
                              decision="aanvaarden", meeting=self.meeting)
        agenda = (await self.police.call("meeting.get", meeting=self.meeting))["agenda"]
        self.assertEqual([i["id"] for i in agenda if not i.get("placeholder")], [stays["id"]])
        self.assertNotIn(CANARY, json.dumps(await self.police.call("chat.history",
                                                                   body=self.body)))

    async def test_a_moved_thread_is_not_unread_in_the_new_body(self):
        """The messages that come with a moved item are not new to the members of the body it
        comes to: their unread count stays as it was. What is posted there afterwards counts."""
        item = (await self.chair.call("agenda.add", meeting=self.meeting,
                                      title="Evaluatie horecaconvenant"))["item"]
        for c in (self.outsider, self.observer):
            await c.call("chat.read", body=self.body2)
        for text in ("Cijfers volgen", "Ook de politie levert aan"):
            await self.chair.call("chat.post", body=self.body, item=item["id"], text=text)
        r = (await self.chair.call("agenda.refer", item=item["id"], to=self.body2,
                                   move=True))["request"]
        await self.outsider.call("request.decide", body=self.body2, request=r["id"],
                                 decision="aanvaarden", meeting=self.meeting2)
        thread = (await self.outsider.call("chat.history", body=self.body2,
                                           item=item["id"]))["messages"]
        self.assertEqual(len(thread), 2)
        for c in (self.outsider, self.observer):
            self.assertEqual(await c.call("chat.unread", body=self.body2),
                             {"unread": 0, "more": False})
        # a new message in the moved thread is new
        await self.housing.call("chat.post", body=self.body2, item=item["id"],
                                text="Woonplus sluit aan")
        for c in (self.outsider, self.observer):
            self.assertEqual(await c.call("chat.unread", body=self.body2),
                             {"unread": 1, "more": False})

    async def test_a_confidential_item_keeps_its_audience_on_both_sides(self):
        pol = self.orgs["pol"]
        x = (await self.sec.call("agenda.add", body=self.body, confidential=True,
                                 title=f"Casus {CANARY} loods",
                                 description=f"Pieterse {CANARY}",
                                 relevant=[{"org": pol, "reason": "Onderzoek"}]))["item"]
        # A third body whose only chair is outside the audience: refused, and nothing there.
        body3 = (await self.admin.call("body.create", name="Werkgroep Derde", kind="werkgroep",
                                       scope="Dordrecht", level="operationeel",
                                       mandate="Test"))["body"]["id"]
        await self.admin.call("membership.add", body=body3, person=self.p["chair"],
                              role="voorzitter")
        msg = await self.refused(self.sec, "invalid_state", "agenda.refer", item=x["id"],
                                 to=body3)
        self.assertIn("vertrouwelijk", msg)
        self.assertEqual((await self.listed(self.chair, body3))["requests"], [])
        # The municipality's chair of this body sees the item only as a placeholder: to him it
        # does not exist for referring.
        await self.refused(self.chair, "not_found", "agenda.refer", item=x["id"], to=self.body2)
        # To the other body, whose chair (police) is in the audience and whose secretary is not.
        r = (await self.sec.call("agenda.refer", item=x["id"], to=self.body2))["request"]
        self.assertEqual((await self.listed(self.outsider, self.body2))["open"], 1)
        l2 = await self.listed(self.observer, self.body2)
        self.assertEqual((l2["requests"], l2["open"]), ([], 0))
        await self.refused(self.observer, "not_found", "request.decide", body=self.body2,
                           request=r["id"], decision="aanvaarden")
        d = (await self.outsider.call("request.decide", body=self.body2, request=r["id"],
                                      decision="aanvaarden"))["request"]
        new = (await self.outsider.call("body.get", body=self.body2))["backlog"]
        mine = next(i for i in new if i["id"] == d["item"])
        self.assertTrue(mine["confidential"])
        self.assertEqual([o["org"] for o in mine["relevant"]], [pol])
        self.assertIn(CANARY, mine["title"])
        # Who is outside the audience gets a placeholder in the other body, nothing more.
        theirs = next(i for i in (await self.housing.call("body.get", body=self.body2))
                      ["backlog"] if i["id"] == d["item"])
        self.assertTrue(theirs.get("placeholder"))
        self.assertEqual((await self.listed(self.housing))["referrals"], [])
        self.assertEqual((await self.listed(self.housing, self.body2))["requests"], [])
        for who, c in [("housing", self.housing), ("chair", self.chair),
                       ("observer", self.observer)]:
            await c.sync()  # everything sent to them so far has come
            await c.call("notification.list", limit=200)
            for b in (self.body, self.body2, body3):
                await c.request("request.list", body=b)
            leaked = [f for f in c.frames if CANARY in json.dumps(f, ensure_ascii=False)]
            self.assertEqual(leaked, [], f"{who} received the confidential title")
        # ...and the audience sees it on both sides, with the link.
        self.assertEqual([x_["id"] for x_ in (await self.listed(self.police))["referrals"]],
                         [r["id"]])
        self.assertTrue(any(CANARY in json.dumps(f) for f in self.outsider.frames))


if __name__ == "__main__":
    unittest.main()
