"""Issue 11, the canary matrix: a confidential item's content never reaches anyone outside its
audience, through any path.

An item is added while open, with a title, a description, a thread message, an action and a
minutes note, each carrying a unique canary; then it becomes confidential for the police. Every
viewer outside that audience (the chair, who is not listed; a member of another organisation; an
observer; a guest limited to another item; a police officer who is no member; an administrator
who is no member) then reads through every channel: the snapshots, the body's stream replayed
from before the item existed, their notifications listed and replayed from 0, the action list,
chat history, search, body.suggest, overlap.map, and their iCalendar and Atom feeds. Every byte
they receive is scanned; not one canary may be there. The police member of the audience reads the
same channels and must find each canary (so the scan cannot pass by seeing nothing)."""

import json
import secrets
import string
import unittest
import urllib.parse

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, ProtocolError, Server, setup_world


def canary(tag):
    # letters only and ending in a consonant the stemmer keeps: also a word of the profiles
    rnd = "".join(secrets.choice(string.ascii_lowercase[:6]) for _ in range(8))
    return f"kanarie{tag}{rnd}x"


OUTSIDERS = ["chair", "housing", "observer", "guest", "outsider", "admin"]


def received(client, texts):
    """Everything client received, but the echo of its own search query."""
    frames = []
    for f in client.frames:
        if isinstance(f.get("result"), dict) and "q" in f["result"]:
            f = dict(f, result=dict(f["result"], q=None))
        frames.append(f)
    return json.dumps(frames) + "\n".join(texts)


class CanaryMatrixTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("canary-matrix")
        cls.server.create_admin()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        self.clients = []

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    async def client(self, email, password=PASSWORD):
        c = await self.server.connect(self.server.login(email, password))
        self.clients.append(c)
        return c

    async def as_(self, key):
        if key == "admin":
            return await self.client(ADMIN_EMAIL, ADMIN_PASSWORD)
        return await self.client(f"{key}@test.example")

    async def read_everything(self, c, w, since, meeting):
        """Every channel a person has, as far as they may use it: the texts received outside
        the WebSocket (feeds) are returned; the frames stay on the client."""
        body = w["body"]
        texts = []

        async def attempt(op, **args):
            try:
                return await c.call(op, **args)
            except ProtocolError:
                return None  # the refusal itself is scanned with the frames

        await attempt("body.get", body=body)
        await attempt("meeting.get", meeting=meeting)
        await attempt("meeting.list", body=body)
        await attempt("chat.history", body=body)
        await attempt("action.list", body=body)
        await attempt("action.list")
        await attempt("flag.list", body=body)
        for word in w["words"]:
            await attempt("search", q=word)
            await attempt("search", q=word, body=body)
        await attempt("body.suggest", text=" ".join(w["words"]), scope=None)
        await attempt("overlap.map")
        await attempt("overlap.map", body=body)
        await attempt("notification.list")
        r = await attempt("notification.subscribe", since=0)
        if r and r["head"]:
            await c.wait_for(lambda cl: any(e.get("seq") == r["head"] for e in cl.events))
        r = await attempt("subscribe", body=body, since=since)
        if r:
            await c.wait_for(lambda cl: any(e.get("body") == body and e["seq"] == r["head"]
                                            for e in cl.events))
        await attempt("ping")  # everything sent before this reply has arrived
        for kind, args in (("ical", {}), ("atom", {}), ("body_ical", {"body": body})):
            f = await attempt("feed.create", kind=kind, **args)
            if f:
                path = urllib.parse.urlparse(f["url"]).path
                status, _, raw = self.server.http("GET", path)
                texts.append(raw.decode("utf-8", "replace") if isinstance(raw, bytes)
                             else str(raw))
        return texts

    async def test_no_canary_outside_the_audience_on_any_channel(self):
        admin = await self.as_("admin")
        w = await setup_world(self.server, admin)
        body, orgs, persons = w["body"], w["orgs"], w["persons"]
        chair, sec, police = await self.as_("chair"), await self.as_("sec"), await self.as_("police")
        start = (await chair.call("body.get", body=body))["seq"]
        m = (await chair.call("meeting.create", body=body, start="2030-03-04T09:00:00Z",
                              end="2030-03-04T11:00:00Z"))["meeting"]["id"]
        await chair.call("agenda.publish", meeting=m)
        # a guest of the housing corporation, limited to an open item
        own = (await chair.call("agenda.add", meeting=m, title="Kennismaking"))["item"]["id"]
        r = await admin.call("person.create", name="Gerda Gast", email="guest@test.example",
                             org=orgs["woon"])
        self.server.http("POST", "/api/password", {"token": r["setup_url"].rsplit("/", 1)[1],
                                                   "password": PASSWORD})
        await chair.call("membership.add", body=body, person=r["person"]["id"], role="gast",
                         items=[own])
        start = (await chair.call("body.get", body=body))["seq"]

        c = {k: canary(k) for k in ("titel", "omschrijving", "draad", "actie", "notitie",
                                    "reden")}
        w["words"] = [c["titel"], c["omschrijving"]]
        # open at first, and relevant to everyone: notifications, profiles, the thread
        item = (await sec.call("agenda.add", meeting=m, title=f"Casus {c['titel']}",
                               description=f"Feiten {c['omschrijving']}",
                               relevant=[{"org": orgs["woon"], "reason": c["reden"]},
                                         {"org": orgs["gem"]}]))["item"]["id"]
        await police.call("chat.post", body=body, item=item, text=f"Draad {c['draad']}")
        await police.call("action.create", body=body, item=item, text=f"Actie {c['actie']}",
                          owner=persons["housing"])
        await sec.call("minutes.note", item=item, text=f"Afgesproken {c['notitie']}")
        # the audience narrows: the police only
        await sec.call("agenda.update", item=item, confidential=True,
                       relevant=[{"org": orgs["pol"]}])
        await chair.call("agenda.update", item=own, description="Na de wijziging")

        channels = 0
        for key in OUTSIDERS:
            viewer = await self.as_(key)
            texts = await self.read_everything(viewer, w, start, m)
            got = received(viewer, texts)
            channels = max(channels, len(viewer.frames) + len(texts))
            for tag, value in c.items():
                self.assertNotIn(value, got, f"{tag} canary reached {key}")
        # the audience itself: the same channels carry every canary, so the scan can fail
        viewer = await self.as_("police")
        texts = await self.read_everything(viewer, w, start, m)
        got = received(viewer, texts)
        for tag in ("titel", "omschrijving", "draad", "actie", "notitie"):
            self.assertIn(c[tag], got, f"{tag} canary not shown to its audience")
        print(f"\ncanary matrix: {len(OUTSIDERS)} outsiders, {len(c)} canaries, "
              f"up to {channels} frames and feeds each", flush=True)


if __name__ == "__main__":
    unittest.main()
