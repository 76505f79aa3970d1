"""Issue 14: teaching the duplicate index something (an abbreviation, a region) rebuilds it on a
thread of its own from a snapshot of the store; the old index keeps answering meanwhile, and the
agenda changes made during the build reach the new index before it is swapped in.

The test holds the build once its snapshot is taken (--test-hold-rebuild FILE: the builder says
so in FILE.held and waits until FILE exists), so what is checked does not depend on how fast the
machine is: while the build is held, requests are answered and an item is added after the
snapshot; after it is let go, the new index knows both the taught abbreviation and the item
added meanwhile (replayed onto it before the swap)."""

import asyncio
import os
import unittest

from harness import DemoCase
from test_duplicates import metric

ADMIN = "beheer@ketentafel.example"


class RebuildAsideTest(DemoCase):
    def configure(self, server):
        self.gate = os.path.join(server.dir, "go")
        open(self.gate, "w").close()  # the demo's own teaching builds pass
        server.env["KT_TEST_HOLD_REBUILD"] = self.gate

    def metrics(self):
        return self.server.ops_http("/metrics")

    async def until(self, pred, what, timeout=120):
        # an index build of the demo under the sanitizers on a loaded machine: give it time
        deadline = asyncio.get_running_loop().time() + timeout
        while not pred():
            if asyncio.get_running_loop().time() > deadline:
                self.fail(f"never: {what}")
            await asyncio.sleep(0.01)

    async def test_requests_are_answered_and_writes_kept_while_the_index_is_rebuilt(self):
        await self.until(lambda: metric(self.metrics(), "kt_detect_index_building") == 0,
                         "the demo's builds are done")
        builds = metric(self.metrics(), "kt_detect_index_builds_total")
        os.remove(self.gate)  # from now on a finished build waits for the gate

        admin = await self.as_(ADMIN)
        rg_chair = await self.as_("s.bakker@dordrecht.example")
        np_chair = await self.as_("m.hoekstra@dordrecht.example")
        rg = await self.body_named(rg_chair, "Regiegroep Ondermijning")
        np = await self.body_named(np_chair, "Stuurgroep NP Dordt West")
        await admin.call("abbreviation.set", abbr="QRT",
                         expansion="Quick Response Team drugsoverlast")
        await self.until(lambda: os.path.exists(self.gate + ".held"),
                         "a build under way, its snapshot taken")
        self.assertEqual(metric(self.metrics(), "kt_detect_index_building"), 1)

        # The build is held: the old index answers, reads and writes alike.
        for _ in range(5):
            self.assertTrue((await rg_chair.call("body.list"))["bodies"])
        written = (await np_chair.call(
            "agenda.add", meeting=await self.next_meeting(np_chair, np),
            title="Quick Response Team drugsoverlast in Wielwijk",
            description="Inzet en bereikbaarheid van het team in de avond."))["item"]
        suggest = await rg_chair.call("body.suggest", text="drugsoverlast in Wielwijk")
        self.assertTrue(suggest["suggestions"])
        self.assertEqual(metric(self.metrics(), "kt_detect_index_building"), 1)
        self.assertEqual(metric(self.metrics(), "kt_detect_index_builds_total"), builds)

        open(self.gate, "w").close()
        await self.until(lambda: metric(self.metrics(), "kt_detect_index_builds_total") > builds,
                         "the new index swapped in")

        # The new index knows the abbreviation, and the item written during the build.
        new = (await rg_chair.call("agenda.add", meeting=await self.next_meeting(rg_chair, rg),
                                   title="QRT: evaluatie"))["item"]
        flags = await self.flags_for_item(rg_chair, rg, new["id"])
        self.assertIn(written["id"], [f["other"]["item"] for f in flags])


if __name__ == "__main__":
    unittest.main()
