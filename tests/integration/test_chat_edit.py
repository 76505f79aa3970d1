"""Issue 13, part 9: chat messages can be edited and deleted by their author, and the change is
recorded (what a message said before, by whom, when); others see the change live; nobody else
may change a message; a message in a confidential item's thread stays out of sight. Each body
has an unread count per member, counting only what that member may see."""

import unittest

from harness import ProtocolError, WorldCase, db_query


class ChatEditTest(WorldCase):
    async def asyncSetUp(self):
        await super().asyncSetUp()
        self.chair = await self.connect("chair@test.example")
        self.police = await self.connect("police@test.example")
        self.housing = await self.connect("housing@test.example")
        self.observer = await self.connect("observer@test.example")
        snap = await self.chair.call("body.get", body=self.body)
        for c in (self.chair, self.police, self.housing):
            await c.call("subscribe", body=self.body, since=snap["seq"])

    def changes(self, message):
        return db_query(self.server.db, "SELECT kind, old_text, person_id FROM message_changes "
                        "WHERE message_id = ? ORDER BY id", (message,))

    async def test_the_author_edits_and_deletes_recorded_and_live(self):
        m = (await self.police.call("chat.post", body=self.body,
                                    text="Overleg om 10 uur"))["message"]
        self.assertEqual((m["edited"], m["deleted"]), (None, False))
        # Nobody but the author; not an observer; not a message of another body.
        msg = await self.refused(self.chair, "forbidden", "chat.edit", body=self.body,
                                 message=m["id"], text="Gekaapt")
        self.assertEqual(msg, "Alleen wie een bericht schreef, kan het wijzigen of verwijderen.")
        await self.refused(self.chair, "forbidden", "chat.delete", body=self.body,
                           message=m["id"])
        await self.refused(self.observer, "forbidden", "chat.delete", body=self.body,
                           message=m["id"])
        await self.refused(self.police, "not_found", "chat.edit", body=self.body, message=999,
                           text="x")
        await self.refused(self.police, "invalid_argument", "chat.edit", body=self.body,
                           message=m["id"], text="   ")

        e = (await self.police.call("chat.edit", body=self.body, message=m["id"],
                                    text="Overleg om 11 uur, @Carla Voorzitter"))["message"]
        self.assertEqual(e["text"], "Overleg om 11 uur, @Carla Voorzitter")
        self.assertIsNotNone(e["edited"])
        self.assertEqual(e["mentions"], [self.p["chair"]])
        await self.housing.wait_for(lambda c: any(
            x["event"] == "chat.edited" and x["data"]["message"]["id"] == m["id"]
            for x in c.body_events(self.body)))
        d = (await self.police.call("chat.delete", body=self.body, message=m["id"]))["message"]
        self.assertEqual((d["deleted"], d["text"], d["mentions"]), (True, "", []))
        await self.chair.wait_for(lambda c: any(
            x["event"] == "chat.deleted" and x["data"]["message"]["id"] == m["id"]
            for x in c.body_events(self.body)))
        await self.refused(self.police, "invalid_state", "chat.edit", body=self.body,
                           message=m["id"], text="Toch nog")
        await self.refused(self.police, "invalid_state", "chat.delete", body=self.body,
                           message=m["id"])
        # The history keeps its place, deleted; the words are gone from search too.
        hist = (await self.housing.call("chat.history", body=self.body))["messages"]
        self.assertEqual([(x["id"], x["text"], x["deleted"]) for x in hist], [(m["id"], "", True)])
        hits = (await self.housing.call("search", q="overleg"))["hits"]
        self.assertEqual([h for h in hits if h["kind"] == "chat"], [])
        # What it said is recorded, with who changed it.
        self.assertEqual(self.changes(m["id"]),
                         [("bewerkt", "Overleg om 10 uur", self.p["police"]),
                          ("verwijderd", "Overleg om 11 uur, @Carla Voorzitter",
                           self.p["police"])])

    async def test_a_thread_under_a_confidential_item_stays_out_of_sight(self):
        meeting = (await self.chair.call(
            "meeting.create", body=self.body, start="2027-03-04T09:30:00+01:00",
            end="2027-03-04T11:30:00+01:00"))["meeting"]
        secret = (await self.chair.call(
            "agenda.add", meeting=meeting["id"], title="Casus Wielwijk", confidential=True,
            relevant=[{"org": self.orgs["pol"], "reason": "dossierhouder"}],
            persons=[self.p["chair"]]))["item"]
        m = (await self.police.call("chat.post", body=self.body, item=secret["id"],
                                    text="Pieterse is gezien"))["message"]
        await self.police.call("chat.edit", body=self.body, message=m["id"],
                               text="Pietersen is gezien")
        await self.chair.wait_for(lambda c: any(
            x["event"] == "chat.edited" for x in c.body_events(self.body)))
        # The housing member may not see it: the same answer as for a message that is not there.
        await self.refused(self.housing, "not_found", "chat.delete", body=self.body,
                           message=m["id"])
        await self.police.call("chat.delete", body=self.body, message=m["id"])
        await self.chair.wait_for(lambda c: any(
            x["event"] == "chat.deleted" for x in c.body_events(self.body)))
        self.assertFalse([x for x in self.housing.body_events(self.body)
                          if x["event"].startswith("chat.")])

    async def test_unread_counts_only_what_the_member_may_see(self):
        unread = lambda c: c.call("chat.unread", body=self.body)
        self.assertEqual(await unread(self.housing), {"unread": 0, "more": False})
        meeting = (await self.chair.call(
            "meeting.create", body=self.body, start="2027-03-04T09:30:00+01:00",
            end="2027-03-04T11:30:00+01:00"))["meeting"]
        secret = (await self.chair.call(
            "agenda.add", meeting=meeting["id"], title="Casus Wielwijk", confidential=True,
            relevant=[{"org": self.orgs["pol"], "reason": "dossierhouder"}],
            persons=[self.p["chair"]]))["item"]
        await self.police.call("chat.post", body=self.body, text="Goedemorgen")
        await self.police.call("chat.post", body=self.body, item=secret["id"], text="Geheim")
        gone = (await self.police.call("chat.post", body=self.body, text="Foutje"))["message"]
        await self.police.call("chat.delete", body=self.body, message=gone["id"])
        # Own messages and deleted ones do not count; a hidden thread counts for nothing.
        self.assertEqual((await unread(self.police))["unread"], 0)
        self.assertEqual((await unread(self.chair))["unread"], 2)
        self.assertEqual((await unread(self.housing))["unread"], 1)
        self.assertEqual((await unread(self.observer))["unread"], 1)
        self.assertEqual((await self.housing.call("chat.read", body=self.body))["unread"], 0)
        self.assertEqual((await unread(self.housing))["unread"], 0)
        self.assertEqual((await unread(self.chair))["unread"], 2)
        await self.chair.call("chat.post", body=self.body, text="Welkom")
        self.assertEqual((await unread(self.housing))["unread"], 1)
        with self.assertRaises(ProtocolError) as cm:
            await (await self.connect("outsider@test.example")).call("chat.unread", body=self.body)
        self.assertEqual(cm.exception.code, "not_member")


if __name__ == "__main__":
    unittest.main()
