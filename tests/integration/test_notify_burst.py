"""Issue 11, notifications that do not flood: a burst of changes by one person to the same
meeting, published agenda or action is one notification per recipient that says what changed in
all (feed/notify.c, --notify-burst-secs), counted once among the unread, unread again when a later
change of the burst comes in after it was read, announced live as notification.updated; another
person's change, and a change after the window (the server's clock, moved by a restart), make a
new one; and a change the recipient may not see touches nothing of theirs."""

import datetime
import subprocess
import unittest

import harness
from harness import WorldCase

START = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=datetime.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class NotifyBurstTest(WorldCase):
    NOW = "2027-02-01T08:00:00Z"

    async def notes(self, client, **match):
        ns = (await client.call("notification.list", limit=200))["notifications"]
        return [n for n in ns if all(n.get(k) == v for k, v in match.items())]

    async def settle(self, client, count):
        """Waits until count notification events reached client's own stream."""
        await client.wait_for(lambda c: len([e for e in c.events if e["event"].startswith(
            "notification.") and e["event"] != "notification.read"]) >= count)
        await client.sync()  # and whatever else the reactions so far made has come too
        return [e for e in client.events if e["event"] in ("notification.created",
                                                          "notification.updated")]

    async def meeting(self, chair, days=0):
        start = START + datetime.timedelta(days=days)
        r = await chair.call("meeting.create", body=self.body, start=iso(start),
                             end=iso(start + datetime.timedelta(hours=2)), location="Stadhuis")
        return r["meeting"]["id"], start

    async def test_a_burst_of_meeting_changes_is_one_notification_per_member(self):
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        housing = await self.connect("housing@test.example")
        await housing.call("preferences.set", prefs={"meeting": "digest"})
        await police.call("notification.subscribe")
        m, start = await self.meeting(chair)
        await self.settle(police, 1)
        unread = (await police.call("notification.list"))["unread"]
        later = start + datetime.timedelta(days=7)
        await chair.call("meeting.update", meeting=m, start=iso(later),
                         end=iso(later + datetime.timedelta(hours=2)))
        await chair.call("meeting.update", meeting=m, location="Stadskantoor, zaal 3")
        await chair.call("meeting.update", meeting=m, start=iso(start),
                         end=iso(start + datetime.timedelta(hours=2)))
        events = await self.settle(police, 4)
        changed = [n for n in await self.notes(police, kind="meeting", meeting=m)
                   if not n["title"].startswith("Nieuwe vergadering")]
        self.assertEqual(len(changed), 1, changed)
        n = changed[0]
        self.assertTrue(n["title"].startswith("Vergadering van Regiegroep Test gewijzigd: "),
                        n["title"])
        self.assertEqual(n["text"], "Gewijzigd: datum en tijd, locatie. "
                                    "Locatie: Stadskantoor, zaal 3")
        self.assertFalse(n["read"])
        self.assertEqual((await police.call("notification.list"))["unread"], unread + 1)
        # live: made once, then updated with each later change of the burst
        about = [e["event"] for e in events if e["data"]["notification"]["id"] == n["id"]]
        self.assertEqual(about, ["notification.created", "notification.updated",
                                 "notification.updated"])
        self.assertEqual(events[-1]["data"]["notification"]["text"], n["text"])
        # the digest gets it once, too
        digest = [x for x in await self.notes(housing, kind="meeting", meeting=m)
                  if not x["title"].startswith("Nieuwe vergadering")]
        self.assertEqual([x["delivery"] for x in digest], ["digest"])
        self.assertEqual(await self.notes(chair, meeting=m), [])  # not for one's own changes

    async def test_read_then_changed_again_is_unread_again_and_counted_once(self):
        chair = await self.connect("chair@test.example")
        sec = await self.connect("sec@test.example")
        police = await self.connect("police@test.example")
        await police.call("notification.subscribe")
        m, start = await self.meeting(chair, days=1)
        await chair.call("meeting.update", meeting=m, location="Zaal 1")
        await self.settle(police, 2)
        first = (await self.notes(police, kind="meeting", meeting=m))[0]
        self.assertEqual(first["title"].split(",")[0],
                         "Andere locatie voor de vergadering van Regiegroep Test")
        await police.call("notification.read", all=True)
        await chair.call("meeting.update", meeting=m, location="Zaal 2")
        await chair.call("meeting.update", meeting=m, location="Zaal 3")
        await self.settle(police, 4)
        again = (await self.notes(police, kind="meeting", meeting=m))[0]
        self.assertEqual((again["id"], again["read"]), (first["id"], False))
        self.assertEqual(again["text"], "Gewijzigd: locatie. Locatie: Zaal 3")
        self.assertEqual((await police.call("notification.list"))["unread"], 1)
        # someone else's change is a notification of its own
        later = start + datetime.timedelta(days=1, hours=1)
        await sec.call("meeting.update", meeting=m, location="Zaal 4", start=iso(later),
                       end=iso(later + datetime.timedelta(hours=2)))
        await sec.call("meeting.update", meeting=m, location="Zaal 5")
        await self.settle(police, 6)
        got = await self.notes(police, kind="meeting", meeting=m)
        self.assertEqual(len(got), 3)
        self.assertEqual(got[0]["text"], "Gewijzigd: datum en tijd, locatie. Locatie: Zaal 5")
        self.assertTrue(got[0]["title"].startswith("Vergadering van Regiegroep Test gewijzigd"))

    async def test_agenda_edits_after_publication_are_one_notification_saying_what(self):
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        await police.call("notification.subscribe")
        m, _ = await self.meeting(chair, days=2)
        await chair.call("agenda.add", meeting=m, title="Opening")
        await chair.call("agenda.publish", meeting=m)
        await self.settle(police, 2)
        a = (await chair.call("agenda.add", meeting=m, title="Rondvraag"))["item"]["id"]
        await chair.call("agenda.add", meeting=m, title="Sluiting")
        await chair.call("agenda.remove", item=a)
        await self.settle(police, 5)
        changed = [n for n in await self.notes(police, kind="agenda", meeting=m)
                   if n["title"].startswith("Agenda gewijzigd na publicatie")]
        self.assertEqual([n["text"] for n in changed],
                         ["Gewijzigd: punt toegevoegd, punt verwijderd."])
        # a confidential addition police may not see leaves police's notification as it was:
        # not unread again, not a word more, no event
        before = len(police.events)
        await police.call("notification.read", all=True)
        # the read announces itself on police's own stream; count from after it
        await police.wait_for(lambda c: any(e["event"] == "notification.read"
                                            for e in c.events[before:]))
        seen = len(police.events)
        await chair.call("agenda.add", meeting=m, title="Dossier Canary", confidential=True)
        # the reaction to the add has run before police's ping, and whatever it sent police
        # came before the ping's reply
        await police.sync()
        self.assertEqual([e["event"] for e in police.events[seen:]
                          if e["event"].startswith("notification.")], [])
        after = [n for n in await self.notes(police, kind="agenda", meeting=m)
                 if n["title"].startswith("Agenda gewijzigd na publicatie")]
        self.assertEqual([(n["text"], n["read"]) for n in after],
                         [("Gewijzigd: punt toegevoegd, punt verwijderd.", True)])

    async def test_changes_to_an_action_by_someone_else_are_one_notification(self):
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        await police.call("notification.subscribe")
        a = (await chair.call("action.create", body=self.body, text="Buurtonderzoek uitvoeren",
                              owner=self.p["police"], due="2027-03-01"))["action"]["id"]
        await self.settle(police, 1)
        await chair.call("action.update", action=a, status="lopend")
        await chair.call("action.update", action=a, due="2027-03-15")
        await self.settle(police, 3)
        changed = [n for n in await self.notes(police, kind="assigned", action=a)
                   if "gewijzigd door" in n["title"]]
        self.assertEqual([n["text"] for n in changed],
                         ["status: open → lopend; deadline: 2027-03-01 → 2027-03-15 — "
                          "Buurtonderzoek uitvoeren"])

    async def test_a_burst_keeps_one_stored_event_per_notification_and_replays_gap_free(self):
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        await police.call("notification.subscribe")
        m, _ = await self.meeting(chair, days=4)
        await self.settle(police, 1)  # "Nieuwe vergadering": the stream's first event
        since = (await police.call("notification.list"))["seq"]
        for room in ("Zaal 1", "Zaal 2", "Zaal 3", "Zaal 4"):
            await chair.call("meeting.update", meeting=m, location=room)
        events = await self.settle(police, 5)
        n = (await self.notes(police, kind="meeting", meeting=m))[0]
        self.assertEqual(n["text"], "Gewijzigd: locatie. Locatie: Zaal 4")
        # live: every change announced, each on a seq of its own
        live = [e for e in events if e["data"]["notification"]["id"] == n["id"]]
        self.assertEqual([e["event"] for e in live],
                         ["notification.created"] + ["notification.updated"] * 3)
        self.assertEqual([e["seq"] for e in live], list(range(since + 1, since + 5)))
        # stored: the burst's last event only, not one per change
        pid = self.p["police"]
        rows = self.server.query("SELECT seq, type FROM events WHERE body_id = ? AND payload = ?",
                                 (-pid, '{"notification":{"id":%d}}' % n["id"]))
        self.assertEqual(rows, [(since + 4, "notification.updated")])
        # a replay from before the burst: every seq once, in order, the superseded ones as
        # stream.skipped, then the notification as it is now
        fresh = await self.server.connect(self.server.login("police@test.example", harness.PASSWORD))
        self.clients.append(fresh)
        r = await fresh.call("notification.subscribe", since=since)
        self.assertEqual(r["head"], since + 4)
        await fresh.wait_for(lambda c: any(e["seq"] == r["head"] for e in c.events))
        got = [(e["seq"], e["event"]) for e in fresh.events]
        self.assertEqual(got, [(since + 1, "stream.skipped"), (since + 2, "stream.skipped"),
                               (since + 3, "stream.skipped"), (since + 4, "notification.updated")])
        self.assertEqual(fresh.events[-1]["data"]["notification"]["text"], n["text"])
        # from the start of the stream: its first event stays (no invalid_since), gap-free
        again = await self.server.connect(self.server.login("police@test.example", harness.PASSWORD))
        self.clients.append(again)
        r = await again.call("notification.subscribe", since=0)
        await again.wait_for(lambda c: any(e["seq"] == r["head"] for e in c.events))
        self.assertEqual([e["seq"] for e in again.events], list(range(1, r["head"] + 1)))

    async def test_after_the_window_a_change_is_a_new_notification(self):
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        await police.call("notification.subscribe")
        m, _ = await self.meeting(chair, days=3)
        await chair.call("meeting.update", meeting=m, location="Zaal 1")
        await chair.call("meeting.update", meeting=m, location="Zaal 2")
        await self.settle(police, 3)  # made, made, updated
        self.assertEqual(len(await self.notes(police, kind="meeting", meeting=m)), 2)
        for c in self.clients:
            await c.close()
        self.clients = []
        # ten minutes and a second after the last change, on the server's clock
        s = self.server
        s.stop()
        s.clock = harness.Clock(s.now() + datetime.timedelta(minutes=10, seconds=1))
        s.start()
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        await police.call("notification.subscribe")
        await chair.call("meeting.update", meeting=m, location="Zaal 3")
        await self.settle(police, 1)
        got = await self.notes(police, kind="meeting", meeting=m)
        self.assertEqual(len(got), 3)
        self.assertEqual(got[0]["text"], "Gewijzigd: locatie. Locatie: Zaal 3")
        self.assertEqual(got[1]["text"], "Gewijzigd: locatie. Locatie: Zaal 2")


    async def restart(self, extra, later=datetime.timedelta(0)):
        """Restarts the node with extra options, its clock moved on by later."""
        for c in self.clients:
            await c.close()
        self.clients = []
        s = self.server
        s.stop()
        if "--notify-burst-secs" in s.extra:
            i = s.extra.index("--notify-burst-secs")
            del s.extra[i:i + 2]
        s.extra += extra
        s.clock = harness.Clock(s.now() + later)
        s.start()
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        await police.call("notification.subscribe")
        return chair, police

    async def test_the_window_is_an_option(self):
        # 60 s: a change 61 s after the last is a notification of its own (600 s merges it)
        chair, police = await self.restart(["--notify-burst-secs", "60"])
        m, _ = await self.meeting(chair, days=5)
        await chair.call("meeting.update", meeting=m, location="Zaal 1")
        await chair.call("meeting.update", meeting=m, location="Zaal 2")
        await self.settle(police, 3)  # made, made, updated: within 60 s
        self.assertEqual(len(await self.notes(police, kind="meeting", meeting=m)), 2)
        chair, police = await self.restart(["--notify-burst-secs", "60"],
                                           datetime.timedelta(seconds=61))
        await chair.call("meeting.update", meeting=m, location="Zaal 3")
        await self.settle(police, 1)
        got = await self.notes(police, kind="meeting", meeting=m)
        self.assertEqual([n["text"] for n in got[:2]], ["Gewijzigd: locatie. Locatie: Zaal 3",
                                                        "Gewijzigd: locatie. Locatie: Zaal 2"])
        # 0: every change a notification of its own
        chair, police = await self.restart(["--notify-burst-secs", "0"])
        await chair.call("meeting.update", meeting=m, location="Zaal 4")
        await chair.call("meeting.update", meeting=m, location="Zaal 5")
        events = await self.settle(police, 2)
        self.assertEqual([e["event"] for e in events], ["notification.created"] * 2)
        self.assertEqual(len(await self.notes(police, kind="meeting", meeting=m)), 5)
        # at most an hour: more is refused at start
        r = subprocess.run([harness.BINARY, "check-config", "--notify-burst-secs", "3601"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--notify-burst-secs: not a whole number from 0 to 3600: 3601", r.stderr)


if __name__ == "__main__":
    unittest.main()
