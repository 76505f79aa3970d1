"""Issue 11, administrators and links: an administrator manages the directory but cannot grant
themselves sight, and a password link goes to the person it is for.

Regression tests for the findings of the review of 3aa8ef7, each failed there: earlier setup
and reset links stayed valid after a newer one, after the password was set and while the person
was deactivated; person.reset handed any account's link to the administrator; an administrator
read confidential items by moving themself into the police organisation and joining a body as
waarnemer."""

import asyncio
import email
import email.policy
import json
import re
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, ProtocolError, Server, setup_world
from test_feeds import Sink


def token_of(url):
    return url.rsplit("/", 1)[1]


class LinkTest(unittest.IsolatedAsyncioTestCase):
    """One live link per person: the newest, unused, of an active person, within 7 days."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("links")
        cls.server.create_admin()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        self.admin = await self.server.connect(self.server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        if not hasattr(LinkTest, "org"):
            LinkTest.org = (await self.admin.call("org.create", name="Gemeente Link",
                                                  kind="gemeente"))["organisation"]["id"]
        self.n = getattr(LinkTest, "n", 0) + 1
        LinkTest.n = self.n

    async def asyncTearDown(self):
        await self.admin.close()

    def set_password(self, token, password=PASSWORD):
        status, _, raw = self.server.http("POST", "/api/password",
                                          {"token": token, "password": password})
        return status

    async def new_person(self):
        r = await self.admin.call("person.create", name=f"Link Persoon {self.n}",
                                  email=f"link{self.n}@test.example", org=self.org)
        self.assertEqual(r["delivery"], "shown")  # no relay here: shown once
        return r["person"]["id"], token_of(r["setup_url"])

    async def test_a_newer_link_voids_the_earlier_one(self):
        person, first = await self.new_person()
        second = token_of((await self.admin.call("person.reset", person=person))["setup_url"])
        third = token_of((await self.admin.call("person.reset", person=person))["setup_url"])
        self.assertEqual(self.set_password(first), 404)
        self.assertEqual(self.set_password(second), 404)
        self.assertEqual(self.set_password(third), 200)

    async def test_setting_the_password_voids_the_link(self):
        person, token = await self.new_person()
        self.assertEqual(self.set_password(token), 200)
        self.assertEqual(self.set_password(token, "een-ander-wachtwoord"), 404)
        self.server.login(f"link{self.n}@test.example")

    async def test_deactivation_voids_the_link_for_good(self):
        person, token = await self.new_person()
        await self.admin.call("person.update", person=person, active=False)
        self.assertEqual(self.set_password(token), 404)
        await self.admin.call("person.update", person=person, active=True)
        self.assertEqual(self.set_password(token), 404)  # not revived by reactivation
        fresh = token_of((await self.admin.call("person.reset", person=person))["setup_url"])
        self.assertEqual(self.set_password(fresh), 200)


class MailedLinkTest(unittest.IsolatedAsyncioTestCase):
    """With a mail relay the link goes to the person, and the administrator never sees it."""

    async def asyncSetUp(self):
        self.sink = Sink().start()
        self.server = Server("mailed-links", extra=["--smtp-url", self.sink.url,
                                                    "--public-url", "https://tafel.example.nl"])
        self.server.create_admin()
        self.server.start()
        self.admin = await self.server.connect(self.server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
        self.org = (await self.admin.call("org.create", name="Politie Mail",
                                          kind="politie"))["organisation"]["id"]

    async def asyncTearDown(self):
        await self.admin.close()
        self.server.stop()
        self.server.cleanup()
        self.sink.stop()

    async def mails_to(self, address, count):
        deadline = asyncio.get_running_loop().time() + 60  # mail goes out off the loop
        while True:
            got = [e for e in self.sink.messages if e.rcpt_tos == [address]]
            if len(got) >= count:
                return [email.message_from_bytes(e.content, policy=email.policy.default)
                        for e in got]
            if asyncio.get_running_loop().time() > deadline:
                self.fail(f"no mail to {address}")
            await asyncio.sleep(0.1)

    def link_in(self, msg):
        text = msg.get_body(("plain",)).get_content()
        m = re.search(r"https://tafel\.example\.nl/#/wachtwoord/([A-Za-z0-9_-]{43})", text)
        self.assertIsNotNone(m, text)
        return m.group(1)

    async def test_create_and_reset_mail_the_link_to_the_person_only(self):
        r = await self.admin.call("person.create", name="Rechercheur Mail",
                                  email="rechercheur@test.example", org=self.org)
        self.assertEqual(r["delivery"], "mail")
        self.assertNotIn("setup_url", r)
        self.assertNotIn("wachtwoord/", json.dumps(r))
        first = self.link_in((await self.mails_to("rechercheur@test.example", 1))[0])
        r = await self.admin.call("person.reset", person=r["person"]["id"])
        self.assertEqual(r["delivery"], "mail")
        self.assertNotIn("setup_url", r)
        msgs = await self.mails_to("rechercheur@test.example", 2)
        second = self.link_in(msgs[1])
        self.assertIn("Nieuwe link", msgs[1]["subject"])
        for frame in self.admin.frames:  # nothing the administrator received carries it
            self.assertNotIn(second, json.dumps(frame))
            self.assertNotIn(first, json.dumps(frame))
        status, _, _ = self.server.http("POST", "/api/password",
                                        {"token": first, "password": PASSWORD})
        self.assertEqual(status, 404)
        status, _, _ = self.server.http("POST", "/api/password",
                                        {"token": second, "password": PASSWORD})
        self.assertEqual(status, 200)
        self.server.login("rechercheur@test.example")


class FourEyesTest(unittest.IsolatedAsyncioTestCase):
    """An administrator cannot grant themself sight: their own organisation and their own
    memberships are changed by someone else (another administrator, the body's chair)."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("four-eyes")
        cls.server.create_admin()
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        self.clients = []
        self.admin = await self.client(ADMIN_EMAIL, ADMIN_PASSWORD)
        if not hasattr(FourEyesTest, "w"):
            FourEyesTest.w = await setup_world(self.server, self.admin)
        self.w = FourEyesTest.w
        self.me = (await self.admin.call("me.get"))["person"]["id"]

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()

    async def client(self, email, password=PASSWORD):
        c = await self.server.connect(self.server.login(email, password))
        self.clients.append(c)
        return c

    async def refused(self, client, op, **args):
        with self.assertRaises(ProtocolError) as e:
            await client.call(op, **args)
        self.assertEqual(e.exception.code, "forbidden", op)

    async def second_admin(self, n):
        r = await self.admin.call("person.create", name=f"Tweede Beheerder {n}",
                                  email=f"beheer{n}@test.example", org=self.w["orgs"]["gem"],
                                  admin=True)
        self.server.http("POST", "/api/password",
                         {"token": token_of(r["setup_url"]), "password": PASSWORD})
        return r["person"]["id"], await self.client(f"beheer{n}@test.example")

    async def test_an_administrator_cannot_move_into_the_audience_and_join(self):
        w = self.w
        chair = await self.client("chair@test.example")
        secret = f"KANARIE-beheer-{self.me}"
        await chair.call("agenda.add", body=w["body"], title=secret, confidential=True,
                         relevant=[{"org": w["orgs"]["pol"]}])
        await self.refused(self.admin, "person.update", person=self.me, org=w["orgs"]["pol"])
        await self.refused(self.admin, "membership.add", body=w["body"], person=self.me,
                           role="waarnemer")
        snap = await self.admin.call("body.get", body=w["body"])
        self.assertEqual(snap["backlog"], [])
        self.assertNotIn(secret, json.dumps(self.admin.frames))
        me = (await self.admin.call("me.get"))["person"]
        self.assertNotEqual(me["org"], w["orgs"]["pol"])
        # the same change by another administrator is four eyes: it is done
        _, other = await self.second_admin(1)
        await other.call("person.update", person=self.me, org=w["orgs"]["pol"])
        await other.call("person.update", person=self.me, org=w["orgs"]["gem"])

    async def test_own_membership_needs_the_chair_or_another_administrator(self):
        w = self.w
        chair = await self.client("chair@test.example")
        body2 = (await self.admin.call("body.create", name="Overleg Vier Ogen", kind="regiegroep",
                                       scope="Dordrecht", level="tactisch"))["body"]["id"]
        await self.admin.call("membership.add", body=body2, person=w["persons"]["chair"],
                              role="voorzitter")
        await chair.call("membership.add", body=body2, person=self.me, role="lid")
        # a member now, still not chair or secretary: no raising oneself
        await self.refused(self.admin, "membership.update", body=body2, person=self.me,
                           role="voorzitter")
        await chair.call("membership.update", body=body2, person=self.me, role="secretaris")
        # as secretary of the body one manages memberships, one's own included
        await self.admin.call("membership.update", body=body2, person=self.me, role="lid")
        # leaving is one's own choice
        await self.admin.call("membership.remove", body=body2, person=self.me)
        # the chair changes their own membership: they manage the body
        await chair.call("membership.update", body=body2, person=w["persons"]["chair"],
                         role="voorzitter")

    async def test_changing_an_address_and_sending_the_reset_there_needs_two_administrators(self):
        # Security review (issue 11): an administrator changed a person's e-mail address to
        # their own and asked for a reset link: the account was theirs. Now the administrator who
        # changed the address of an account in use cannot also send its reset link; another
        # administrator can (four eyes), and once the person sets a password again, any can.
        created = await self.admin.call("person.create", name="Petra Overname",
                                        email="petra@test.example", org=self.w["orgs"]["pol"])
        self.server.http("POST", "/api/password",
                         {"token": token_of(created["setup_url"]), "password": PASSWORD})
        pid = created["person"]["id"]
        await self.admin.call("person.update", person=pid, email="beheerder.prive@test.example")
        await self.refused(self.admin, "person.reset", person=pid)
        self.assertIn(f'msg="e-mail address changed" person={pid} by={self.me}',
                      self.server.read_log())
        # another administrator may: two have seen it
        _, other = await self.second_admin(2)
        r = await other.call("person.reset", person=pid)
        # the person sets a password with it: the account is theirs again, resets are normal
        self.server.http("POST", "/api/password", {"token": token_of(r["setup_url"]),
                                                   "password": PASSWORD})
        await self.admin.call("person.reset", person=pid)
        # a person without a password yet (no account in use): the address is simply corrected
        fresh = (await self.admin.call("person.create", name="Nog Geen Wachtwoord",
                                       email="nieuw@test.example",
                                       org=self.w["orgs"]["gem"]))["person"]["id"]
        await self.admin.call("person.update", person=fresh, email="nieuw2@test.example")
        await self.admin.call("person.reset", person=fresh)

    async def test_a_shown_link_is_recorded(self):
        person = (await self.admin.call("person.create", name="Getoonde Link",
                                        email="getoond@test.example",
                                        org=self.w["orgs"]["gem"]))["person"]["id"]
        await self.admin.call("person.reset", person=person)
        log = self.server.read_log()
        self.assertIn(f'msg="password link shown" person={person} by={self.me} reset=0', log)
        self.assertIn(f'msg="password link shown" person={person} by={self.me} reset=1', log)


if __name__ == "__main__":
    unittest.main()
