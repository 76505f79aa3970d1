"""Issue 13, part 8: one search box across agenda items, verslagen, actions and chat, with Dutch
stemming, ranked, with highlighted snippets, and filtered at read time by the one visibility
function: a confidential item's words change nothing in anyone else's results."""

import asyncio
import unittest

from harness import ADMIN_EMAIL, ADMIN_PASSWORD, ProtocolError, Server, setup_world


SENTINELS = iter(range(1, 10000))


async def indexed(client, body, timeout=20):
    """Waits until the search index has caught up with what client wrote so far: it writes a
    chat message with a word of its own and looks for it. The indexer takes the queue in order,
    so once that message is found, everything written before it is in the index."""
    word = f"zzindexcontrole{next(SENTINELS)}"
    await client.call("chat.post", body=body, text=word)
    deadline = asyncio.get_running_loop().time() + timeout
    while (await client.call("search", q=word))["total"] != 1:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the search index did not catch up within {timeout} s")
        await asyncio.sleep(0.02)


class SearchTest(unittest.IsolatedAsyncioTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("search")
        cls.server.create_admin()
        cls.server.start()
        cls.tokens = {}

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    async def asyncSetUp(self):
        if not hasattr(SearchTest, "world"):
            admin = await self.server.connect(self.server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            SearchTest.world = await setup_world(self.server, admin)
            await admin.close()
            await self._content()
        self.w = SearchTest.world
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

    async def _content(self):
        w = SearchTest.world
        chair = await self.server.connect(self.server.login("chair@test.example"))
        m = (await chair.call("meeting.create", body=w["body"], start="2027-03-01T09:00:00Z",
                              end="2027-03-01T11:00:00Z"))["meeting"]["id"]
        w["meeting"] = m
        w["lab"] = (await chair.call("agenda.add", meeting=m, title="Aanpak drugslab Wielwijk",
                                     description="Ontmanteld drugslab in een loods."))["item"]["id"]
        w["panden"] = (await chair.call(
            "agenda.add", meeting=m, title="Woningsluitingen na explosies",
            description="Overzicht van de sluitingen van panden in Wielwijk en een drugslab."))[
                "item"]["id"]
        await chair.call("agenda.add", meeting=m, title="Rondvraag")
        await chair.call("agenda.add", meeting=m, title="Hennepkwekerij Dordtse Kil: stand van zaken",
                         description="De hennepkwekerij aan de Dordtse Kil is geruimd.")
        await chair.call("agenda.add", meeting=m, title="Kwekerijen in bedrijfspanden",
                         description="Twee kwekerijen ontdekt bij de Dordtse Kil.")
        await chair.call("action.create", body=w["body"], kind="actiepunt",
                         text="Politie levert het beeld van de drugslabs aan", item=w["lab"])
        await chair.call("chat.post", body=w["body"], text="Zijn de cijfers over drugslabs al binnen?")
        await chair.call("meeting.update", meeting=m,
                         minutes="## 1. Drugslab\nBesloten wordt de aanpak van drugslabs te agenderen.")
        await indexed(chair, w["body"])
        await chair.close()

    async def search(self, who, q, **kw):
        c = await self.as_(who)
        return await c.call("search", q=q, **kw)

    async def test_dutch_stemming_finds_every_kind_with_marks(self):
        r = await self.search("police", "drugslabs")
        kinds = sorted(h["kind"] for h in r["hits"])
        self.assertEqual(kinds, ["actiepunt", "agendapunt", "agendapunt", "chat", "verslag"])
        self.assertEqual(r["total"], 5)
        self.assertFalse(r["more"])
        best = r["hits"][0]
        # the title holds the word: that item ranks first, its title marked
        self.assertEqual(best["id"], self.w["lab"])
        self.assertEqual(best["body_name"], "Regiegroep Test")
        marked = [s["text"] for s in best["title"] if s.get("hit")]
        self.assertEqual(marked, ["drugslab"])
        chat = next(h for h in r["hits"] if h["kind"] == "chat")
        self.assertEqual(chat["author"], "Carla Voorzitter")
        self.assertIn("drugslabs", [s["text"] for s in chat["snippet"] if s.get("hit")])
        action = next(h for h in r["hits"] if h["kind"] == "actiepunt")
        self.assertEqual(action["item"], self.w["lab"])
        self.assertEqual(action["item_title"], "Aanpak drugslab Wielwijk")

    async def test_every_word_must_occur_and_case_and_accents_fold(self):
        r = await self.search("housing", "WIELWIJK lóódS")
        self.assertEqual([h["id"] for h in r["hits"]], [self.w["lab"]])
        r = await self.search("housing", "wielwijk explosies")
        self.assertEqual([h["id"] for h in r["hits"]], [self.w["panden"]])

    async def test_compound_parts_are_found(self):
        r = await self.search("housing", "woningsluiting")
        self.assertEqual([h["id"] for h in r["hits"]], [self.w["panden"]])
        r = await self.search("housing", "sluiting")
        self.assertIn(self.w["panden"], [h["id"] for h in r["hits"]])

    async def test_empty_queries_are_refused_with_a_code(self):
        c = await self.as_("police")
        for q in ["de van het", "a", "?!"]:
            with self.assertRaises(ProtocolError) as e:
                await c.call("search", q=q)
            self.assertEqual(e.exception.code, "search_query_empty", q)
        with self.assertRaises(ProtocolError) as e:
            await c.call("search", q="  ")
        self.assertEqual(e.exception.code, "invalid_argument")
        with self.assertRaises(ProtocolError) as e:
            await c.call("search", q="drugslab", body=999999)
        self.assertEqual(e.exception.code, "not_member")

    async def test_non_members_find_nothing(self):
        r = await self.search("outsider", "drugslab")
        self.assertEqual(r, {"q": "drugslab", "total": 0, "more": False, "hits": []})

    async def test_confidential_words_change_nothing_for_others(self):
        before = await self.search("housing", "hennepkwekerij dordtse kil")
        before_one = await self.search("housing", "kil")
        self.assertEqual(before["total"], 1)
        self.assertEqual(before_one["total"], 2)
        chair = await self.as_("chair")
        secret = await chair.call(
            "agenda.add", meeting=self.w["meeting"], confidential=True,
            relevant=[{"org": self.w["orgs"]["pol"], "reason": "dossier"}],
            title="Hennepkwekerij Dordtse Kil Pieterse hennepkwekerij",
            description="Pieterse, hennepkwekerij Dordtse Kil, kil " * 20)
        sid = secret["item"]["id"]
        await chair.call("action.create", body=self.w["body"], kind="toezegging",
                         text="Hennepkwekerij Dordtse Kil: politie belt Pieterse", item=sid)
        await chair.call("chat.post", body=self.w["body"], item=sid, text="Pieterse kwekerij Kil")
        await indexed(chair, self.w["body"])
        # the police, listed, finds the secret item, its action and its thread
        p = await self.search("police", "Pieterse")
        self.assertEqual(sorted(h["kind"] for h in p["hits"]), ["agendapunt", "chat", "toezegging"])
        # the housing member finds none of it, and nothing else moved: same hits, same order,
        # same scores, same total
        self.assertEqual((await self.search("housing", "Pieterse"))["total"], 0)
        self.assertEqual(await self.search("housing", "hennepkwekerij dordtse kil"), before)
        self.assertEqual(await self.search("housing", "kil"), before_one)
        # the observer is a member without the organisation: the same
        self.assertEqual((await self.search("observer", "pieterse kil"))["total"], 0)
        # made open, everyone finds it; confidential again, gone again (read time)
        await chair.call("agenda.update", item=sid, confidential=False)
        self.assertEqual((await self.search("housing", "Pieterse"))["total"], 3)
        await chair.call("agenda.update", item=sid, confidential=True,
                         relevant=[{"org": self.w["orgs"]["pol"], "reason": "dossier"}])
        self.assertEqual((await self.search("housing", "Pieterse"))["total"], 0)
        self.assertEqual(await self.search("housing", "kil"), before_one)

    async def test_an_edit_is_found_as_it_now_is_right_after_it(self):
        """No waiting for the indexer: a search right after an edit finds the new words with a
        fresh snippet, and the old ones no more (each edit follows a write that started an
        indexer round, so the indexer alone would lag it by its settle time)."""
        chair = await self.as_("chair")
        body = self.w["body"]
        msg = (await chair.call("chat.post", body=body,
                                text="Planning van het kermisterrein besproken"))["message"]
        item = (await chair.call("agenda.add", body=body, title="Zwembadrenovatie Sterrenburg"))[
            "item"]
        action = (await chair.call("action.create", body=body, kind="actiepunt",
                                   text="Gemeente zoekt de ijsbaan uit"))["action"]
        old = "kermisterrein"
        for word in ("parkeergarage", "fietsenstalling", "speeltuinen"):
            await chair.call("chat.edit", body=body, message=msg["id"],
                             text=f"Planning van de {word} besproken")
            r = await chair.call("search", q=word)
            self.assertEqual([(h["kind"], h["id"]) for h in r["hits"]], [("chat", msg["id"])])
            snippet = "".join(s_["text"] for s_ in r["hits"][0]["snippet"])
            self.assertEqual(snippet, f"Planning van de {word} besproken")
            self.assertEqual((await chair.call("search", q=old))["hits"], [])
            old = word
        await chair.call("agenda.update", item=item["id"], title="Renovatie stadsschouwburg")
        r = await chair.call("search", q="stadsschouwburg")
        self.assertEqual([(h["kind"], h["id"]) for h in r["hits"]], [("agendapunt", item["id"])])
        self.assertIn("stadsschouwburg", [s_["text"] for s_ in r["hits"][0]["title"]
                                          if s_.get("hit")])
        self.assertEqual((await chair.call("search", q="zwembadrenovatie"))["hits"], [])
        await chair.call("action.update", action=action["id"], text="Gemeente zoekt de skatebaan uit")
        r = await chair.call("search", q="skatebaan")
        self.assertEqual([(h["kind"], h["id"]) for h in r["hits"]], [("actiepunt", action["id"])])
        await chair.call("chat.delete", body=body, message=msg["id"])
        self.assertEqual((await chair.call("search", q=old))["hits"], [])

    async def test_paging_and_one_body(self):
        r = await self.search("police", "drugslab", limit=2)
        self.assertEqual(len(r["hits"]), 2)
        self.assertTrue(r["more"])
        r2 = await self.search("police", "drugslab", limit=2, offset=2)
        self.assertFalse({h["id"] for h in r["hits"]} & {h["id"] for h in r2["hits"]}
                         and r["hits"][0]["kind"] == r2["hits"][0]["kind"])
        one = await self.search("police", "drugslab", body=self.w["body"])
        self.assertEqual(one["total"], r["total"])


if __name__ == "__main__":
    unittest.main()
