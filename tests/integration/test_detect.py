"""Issue 5: the detectors, through the real server. Meeting conflicts between bodies that share
people, flags to both chairs, resolving them, and their disappearance when a meeting moves."""

import unittest

from harness import (ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, ProtocolError, Server, setup_world)


class ConflictTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("detect", extra=["--travel-buffer", "15"])
        cls.server.create_admin()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        s = self.server
        if not hasattr(ConflictTest, "w"):
            admin = await s.connect(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            w = await setup_world(s, admin)
            # A second body sharing the police member with the first; its own chair.
            r = await admin.call("person.create", name="Chris Tweede", email="chair2@test.example",
                                 org=w["orgs"]["woon"])
            token = r["setup_url"].rsplit("/", 1)[1]
            s.http("POST", "/api/password", {"token": token, "password": PASSWORD})
            w["persons"]["chair2"] = r["person"]["id"]
            b2 = (await admin.call("body.create", name="Leefbaarheidsoverleg Test", kind=
                                   "leefbaarheidsoverleg", scope="Dordrecht",
                                   level="operationeel"))["body"]["id"]
            w["body2"] = b2
            await admin.call("membership.add", body=b2, person=w["persons"]["chair2"],
                             role="voorzitter")
            await admin.call("membership.add", body=b2, person=w["persons"]["police"], role="lid")
            await admin.close()
            ConflictTest.w = w
            ConflictTest.tokens = {}
        self.w = ConflictTest.w
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

    async def meeting(self, client, body, day, start, end, location="Stadskantoor, zaal 1"):
        r = await client.call("meeting.create", body=body, start=f"2027-03-{day:02d}T{start}:00Z",
                              end=f"2027-03-{day:02d}T{end}:00Z", location=location)
        return r["meeting"]["id"]

    async def flags(self, client, body, kind="conflict"):
        fl = (await client.call("flag.list", body=body))["flags"]
        return [f for f in fl if f["kind"] == kind]

    async def test_shared_person_overlap_flags_both_chairs_and_moving_clears_it(self):
        chair, chair2 = await self.as_("chair"), await self.as_("chair2")
        b1, b2 = self.w["body"], self.w["body2"]
        head2 = (await chair2.call("body.get", body=b2))["seq"]
        await chair2.call("subscribe", body=b2, since=head2)
        m1 = await self.meeting(chair, b1, 2, "09:00", "11:00")
        m2 = await self.meeting(chair2, b2, 2, "10:00", "12:00", location="Wijkcentrum")
        await chair2.wait_for(lambda c: any(e["event"] == "flag.raised" for e in c.events))
        raised = [e for e in chair2.events if e["event"] == "flag.raised"][0]["data"]["flag"]
        self.assertEqual(raised["kind"], "conflict")
        self.assertEqual(raised["here"]["meeting"], m2)
        self.assertEqual(raised["other"]["meeting"], m1)
        self.assertEqual([p["id"] for p in raised["evidence"]["persons"]],
                         [self.w["persons"]["police"]])
        self.assertTrue(raised["other"]["contacts"])
        f1 = await self.flags(chair, b1)
        self.assertEqual([f["other"]["meeting"] for f in f1 if f["here"]["meeting"] == m1], [m2])
        # members who do not chair see nothing of it
        police = await self.as_("police")
        with self.assertRaises(ProtocolError):
            await police.call("flag.list", body=b1)
        # moving one meeting apart makes the flag lapse
        await chair2.call("meeting.update", meeting=m2, start="2027-03-02T13:00:00Z",
                          end="2027-03-02T14:00:00Z")
        await chair2.wait_for(lambda c: any(e["event"] == "flag.updated" and
                                            e["data"]["flag"]["state"] == "vervallen"
                                            for e in c.events))
        self.assertEqual([f for f in await self.flags(chair, b1) if f["other"]["meeting"] == m2],
                         [])

    async def test_touching_meetings_at_one_place_do_not_conflict(self):
        chair, chair2 = await self.as_("chair"), await self.as_("chair2")
        b1, b2 = self.w["body"], self.w["body2"]
        m1 = await self.meeting(chair, b1, 9, "09:00", "10:00", location="Stadskantoor, zaal 2")
        m2 = await self.meeting(chair2, b2, 9, "10:00", "11:00", location="Stadskantoor,  Zaal 2")
        await chair.sync()  # the detectors ran on both meetings before this
        self.assertEqual([f for f in await self.flags(chair, b1)
                          if {f["here"]["meeting"], f["other"]["meeting"]} == {m1, m2}], [])
        # ...but at different places the travel buffer makes them clash
        m3 = await self.meeting(chair2, b2, 9, "10:10", "11:00", location="Wijkcentrum Noord")
        fl = [f for f in await self.flags(chair, b1) if f["other"]["meeting"] == m3]
        self.assertEqual(len(fl), 1)
        self.assertFalse(fl[0]["evidence"]["overlap"])

    async def test_registered_absence_removes_the_clash(self):
        chair, chair2, police = (await self.as_("chair"), await self.as_("chair2"),
                                 await self.as_("police"))
        b1, b2 = self.w["body"], self.w["body2"]
        m1 = await self.meeting(chair, b1, 16, "09:00", "11:00")
        m2 = await self.meeting(chair2, b2, 16, "09:30", "10:30", location="Elders")
        fl = [f for f in await self.flags(chair, b1) if f["other"]["meeting"] == m2]
        self.assertEqual(len(fl), 1)
        await police.call("attendance.set", meeting=m2, status="afwezig")
        fl = [f for f in await self.flags(chair, b1) if f["other"]["meeting"] == m2]
        self.assertEqual(fl, [])
        await police.call("attendance.set", meeting=m2, status="aanwezig")
        fl = [f for f in await self.flags(chair, b1) if f["other"]["meeting"] == m2]
        self.assertEqual(len(fl), 1)
        self.assertNotEqual(m1, m2)

    async def test_resolved_flag_stays_resolved_until_a_material_change(self):
        chair, chair2 = await self.as_("chair"), await self.as_("chair2")
        b1, b2 = self.w["body"], self.w["body2"]
        m1 = await self.meeting(chair, b1, 23, "09:00", "11:00")
        m2 = await self.meeting(chair2, b2, 23, "10:00", "12:00", location="Elders")
        flag = [f for f in await self.flags(chair, b1) if f["other"]["meeting"] == m2][0]
        with self.assertRaises(ProtocolError) as e:
            await chair.call("flag.resolve", flag=flag["id"], state="afgestemd")
        self.assertEqual(e.exception.code, "missing_argument")
        r = await chair.call("flag.resolve", flag=flag["id"], state="afgestemd", lead_body=b1,
                             note="Politie gaat naar de regiegroep")
        self.assertEqual(r["flag"]["state"], "afgestemd")
        # an unrelated change to the meeting (status) does not reopen it
        await chair2.call("meeting.update", meeting=m2, status="agenda_gepubliceerd")
        fl = [f for f in await self.flags(chair, b1) if f["id"] == flag["id"]]
        self.assertEqual(fl[0]["state"], "afgestemd")
        # moving it (still clashing) does
        await chair2.call("meeting.update", meeting=m2, start="2027-03-23T10:30:00Z")
        fl = [f for f in await self.flags(chair, b1) if f["id"] == flag["id"]]
        self.assertEqual(fl[0]["state"], "open")
        # someone else cannot resolve it, nor learn it exists
        police = await self.as_("police")
        with self.assertRaises(ProtocolError) as e:
            await police.call("flag.resolve", flag=flag["id"], state="bewust_dubbel")
        self.assertEqual(e.exception.code, "not_found")
        self.assertNotEqual(m1, m2)

    async def test_an_agreed_remedy_keeps_the_clash_resolved(self):
        # The issue: a clash marked afgestemd ("Veenstra stuurt vervanger") came back as a new
        # signal as soon as the substitute was registered. The remedy happening is no news:
        # fewer people needed at both is never a reason to reopen; someone new is.
        s = self.server
        admin = await s.connect(s.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        p = self.w["persons"]
        b3 = (await admin.call("body.create", name="Werkgroep Remedie", kind="werkgroep",
                               scope="Dordrecht", level="tactisch"))["body"]["id"]
        for key, role in (("chair2", "voorzitter"), ("police", "lid"), ("housing", "lid")):
            await admin.call("membership.add", body=b3, person=p[key], role=role)
        await admin.close()
        chair, chair2, police = (await self.as_("chair"), await self.as_("chair2"),
                                 await self.as_("police"))
        b1 = self.w["body"]
        m1 = await self.meeting(chair, b1, 25, "09:00", "11:00")
        m3 = await self.meeting(chair2, b3, 25, "09:30", "10:30", location="Elders")
        flag = [f for f in await self.flags(chair, b1) if f["other"]["meeting"] == m3][0]
        self.assertEqual(len(flag["evidence"]["persons"]), 2)  # police and housing
        await chair.call("flag.resolve", flag=flag["id"], state="afgestemd", lead_body=b1,
                         note="Piet Politie stuurt een vervanger naar de werkgroep")
        await police.call("attendance.set", meeting=m3, status="vervangen",
                          substitute=p["chair2"])
        fl = [f for f in await self.flags(chair, b1) if f["id"] == flag["id"]]
        self.assertEqual(fl[0]["state"], "afgestemd", "the remedy must not raise the clash again")
        self.assertEqual(len(fl[0]["evidence"]["persons"]), 1)  # what is left, still shown
        # the substitute falls through: the clash is as it was, so still what was agreed on
        await police.call("attendance.set", meeting=m3, status="aanwezig")
        fl = [f for f in await self.flags(chair, b1) if f["id"] == flag["id"]]
        self.assertEqual(fl[0]["state"], "afgestemd")
        # a new time that still clashes is news
        await chair2.call("meeting.update", meeting=m3, start="2027-03-25T10:00:00Z",
                          end="2027-03-25T11:30:00Z")
        fl = [f for f in await self.flags(chair, b1) if f["id"] == flag["id"]]
        self.assertEqual(fl[0]["state"], "open")

if __name__ == "__main__":
    unittest.main()
