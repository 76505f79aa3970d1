"""Issue 2, protocol spec: protocol/PROTOCOL.md and protocol/schemas/ describe exactly what the
server does. Every op of the op table (server/src/protocol/ops.c) is documented and has request
and result schemas that follow its argument table; every error code (errors.c), close code and
event type the server emits is documented and has a schema; the schemas' examples are requests
the server accepts; and a tour through every op shows real results and events matching their
schemas (harness.Client validates every frame it receives, see schema.check_frame)."""

import asyncio
import json
import os
import re
import unittest

import jsonschema

import schema
from harness import ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, ProtocolError, Server, setup_world

PROTOCOL_MD = os.path.join(schema.ROOT, "protocol", "PROTOCOL.md")

# The codes of the dispatcher's checks of the envelope and the arguments: a request that gets
# one of these was not accepted as a well-formed request.
VALIDATION_CODES = {"invalid_json", "invalid_utf8", "invalid_request", "unknown_op",
                    "missing_argument", "invalid_argument", "unknown_argument"}

ENUM_DEFS = {"kt_org_kinds": "org_kind", "kt_body_kinds": "body_kind", "kt_levels": "level",
             "kt_roles": "role", "kt_meeting_statuses": "meeting_status",
             "kt_item_kinds": "item_kind", "kt_item_statuses": "item_status",
             "kt_item_specials": "item_special",
             "kt_action_kinds": "action_kind", "kt_action_statuses": "action_status",
             "kt_attendance_statuses": "attendance_status",
             "kt_attendance_notices": "attendance_notice", "kt_substitute_kinds": "substitute_kind",
             "kt_attendance_roles": "attendance_role", "kt_scope_kinds": "scope_kind",
             "kt_flag_states": "flag_state", "kt_flag_resolutions": "flag_resolution",
             "kt_notify_kinds": "notification_kind", "kt_notify_modes": "notification_mode",
             "kt_feed_kinds": "feed_kind", "kt_import_statuses": "import_status",
             "kt_request_decisions": "request_decision"}


def protocol_md():
    with open(PROTOCOL_MD, encoding="utf-8") as f:
        return f.read()


def headings(text):
    """The `names` that head a section (## / ### / ####) of PROTOCOL.md."""
    return set(re.findall(r"^#{2,5} `([^`]+)`", text, re.M))


def table_keys(text):
    """The `names` in the first column of PROTOCOL.md's tables."""
    return set(re.findall(r"^\| `([^`]+)` \|", text, re.M))


# ---- probes: values each argument type must accept or refuse (the dispatcher's check_arg) ----

# Arguments whose handler checks a format beyond the argument type (documented per op).
FORMATTED = {"cadence": ["P6W", "P1M", "P52W"], "start_time": ["09:30", "00:00", "23:59"],
             "end_time": ["11:00", "19:05"], "fingerprint": ["0" * 64, "0123456789abcdef" * 4]}


def valid_values(spec):
    t, mx = spec["type"], spec["max"]
    if spec["name"] in FORMATTED:
        return FORMATTED[spec["name"]] + ([None] if spec["nullable"] else [])
    vals = {
        "ID": [1, 2 ** 53],
        "INT": [mx or 7] + ([0] if spec["name"] != "count" else [1]),
        "STR": ["x", "é" * (mx or 10), "a b"],
        "TEXT": ["", " spaties eromheen ", "é" * (mx or 10)],
        "BOOL": [True, False],
        "TIME": ["2027-01-01T09:00:00Z", "2027-06-30T23:59:59.123+02:00", "2027-01-01T09:00Z",
                 "2028-02-29T00:00:00-05:30"],
        "DATE": ["2027-01-01", "2028-02-29"],
        "ENUM": list(spec["values"] or []),
        "IDS": [[], [1, 2, 3], [1] * (mx or 3)],
        "ARRAY": [[]],
        "OBJECT": [{}],
    }[t]
    if spec["nullable"]:
        vals.append(None)
    return vals


def invalid_values(spec):
    t, mx = spec["type"], spec["max"]
    vals = {
        "ID": [0, -1, "1", 1.5, True, [], {}],
        "INT": [-1, "1", 1.5, True, []] + ([mx + 1] if mx else []),
        "STR": ["", " x", "x ", "\tx", "x\n", 5, ["x"], "a\u0000b"] +
               (["a" * (mx + 1)] if mx else []),
        "TEXT": [5, ["x"], "a\u0000b"] + (["a" * (mx + 1)] if mx else []),
        "BOOL": [0, 1, "true", []],
        "TIME": ["2027-01-01", "2027-01-01T09:00:00", "2027-13-01T09:00:00Z",
                 "2027-02-30T09:00:00Z", "2027-01-01T24:00:00Z", "2027-01-01T09:60Z",
                 "1969-12-31T23:59:59Z", "2027-01-01T09:00:00+15:00", "2027-01-01 09:00:00Z",
                 "2027-01-01T09:00:00.Z", 1700000000],
        "DATE": ["2027-1-1", "2027-02-29", "01-01-2027", "2027-01-01T00:00:00Z", 20270101],
        "ENUM": ["onbekend", (spec["values"] or ["x"])[0].upper(), 1, ""],
        "IDS": ["1", [0], [-1], ["1"], [1.5]] + ([[1] * (mx + 1)] if mx else []),
        "ARRAY": ["x", {}] + ([[{"org": 1}] * (mx + 1)] if mx else []),
        "OBJECT": ["x", [], 5] + ([{f"k{i}": "direct" for i in range(mx + 1)}] if mx else []),
    }[t]
    if not spec["nullable"]:
        vals.append(None)
    return vals


def baseline(op, spec):
    """A request with every required argument at a valid value: what the probes start from."""
    first = {"ID": 1, "INT": 1, "STR": "x", "TEXT": "x", "BOOL": False,
             "TIME": "2027-01-01T09:00:00Z", "DATE": "2027-01-01", "IDS": [], "ARRAY": [],
             "OBJECT": {}}
    req = {"id": 1, "op": op}
    for a in spec["args"]:
        if a["required"]:
            req[a["name"]] = a["values"][0] if a["type"] == "ENUM" else first[a["type"]]
    # What the handlers require on top of the op table (documented per op).
    req.update({"agenda.add": {"body": 1}, "agenda.reorder": {"body": 1, "items": []},
                "agenda.move": {"meeting": None}, "notification.read": {"ids": [1], "all": True},
                "flag.resolve": {"lead_body": 1}}.get(op, {}))
    return req


def with_dependants(op, name, value, req):
    """req with the arguments that the handler requires together with name = value."""
    req = dict(req, **{name: value})
    if op == "agenda.reorder" and name in ("item", "before", "after"):  # one item, not items
        req.pop("items", None)
        req.setdefault("item", 1)
        if name == "item":
            req["before"] = 2
    if op == "feed.create" and name == "body":
        req["kind"] = "body_ical" if value is not None else "ical"
    if op == "feed.create" and name == "kind":
        if value == "body_ical":
            req["body"] = 1
        else:
            req.pop("body", None)
    return req


class ContractTest(unittest.TestCase):
    """The documents against the server's source."""

    def test_every_schema_is_valid_json_schema_and_every_ref_resolves(self):
        for uri, doc in schema.store().items():
            schema.Validator.check_schema(doc)
            resolver = jsonschema.RefResolver.from_schema(doc, store=schema.store())

            def walk(node, where):
                if isinstance(node, dict):
                    if "$ref" in node:
                        with resolver.in_scope(where):
                            resolver.resolve(node["$ref"])
                    for v in node.values():
                        walk(v, where)
                elif isinstance(node, list):
                    for v in node:
                        walk(v, where)
            walk(doc, uri)

    def test_every_op_has_request_and_result_schemas(self):
        table = schema.server_op_table()
        self.assertGreater(len(table), 30)
        self.assertEqual(sorted(table), schema.op_names(),
                         "ops.c and protocol/schemas/request/ differ")
        for op in table:
            self.assertIsNotNone(schema.schema(f"result/{op}.json"), op)
            self.assertEqual(schema.schema(f"request/{op}.json")["properties"]["op"],
                             {"const": op})

    def test_every_op_is_documented_in_protocol_md(self):
        text = protocol_md()
        documented = {h for h in headings(text) if re.fullmatch(r"[a-z]+(\.[a-z_]+)?", h)}
        table = set(schema.server_op_table())
        self.assertEqual(sorted(table - documented), [], "ops without a section in PROTOCOL.md")
        events = set(schema.server_event_types())
        self.assertEqual(sorted(documented - table - events), [],
                         "PROTOCOL.md documents ops or events the server does not have")

    def test_request_schemas_follow_the_op_table(self):
        for op, spec in schema.server_op_table().items():
            doc = schema.schema(f"request/{op}.json")
            with self.subTest(op=op):
                self.assertFalse(doc.get("additionalProperties", True))
                self.assertEqual(set(doc["properties"]),
                                 {"id", "op", "key"} | {a["name"] for a in spec["args"]})
                required = {"id", "op"} | {a["name"] for a in spec["args"] if a["required"]}
                self.assertTrue(required <= set(doc["required"]), "required arguments")
                base = baseline(op, spec)
                self.assertEqual(schema.errors(f"request/{op}.json", base), [], base)
                for extra in set(doc["required"]) - required:
                    self.assertNotIn(extra, [a["name"] for a in spec["args"] if a["required"]])
                self.assertFalse(schema.is_valid(f"request/{op}.json", dict(base, zzz=1)),
                                 "unknown argument accepted")
                self.assertTrue(schema.is_valid(f"request/{op}.json", dict(base, key="k-1")))
                for key in ["", 5, None, "x" * 65]:
                    self.assertFalse(schema.is_valid(f"request/{op}.json", dict(base, key=key)))
                for a in spec["args"]:
                    for v in valid_values(a):
                        req = with_dependants(op, a["name"], v, base)
                        self.assertEqual(schema.errors(f"request/{op}.json", req), [],
                                         f"{op}.{a['name']} = {v!r} should be valid")
                    for v in invalid_values(a):
                        self.assertFalse(schema.is_valid(f"request/{op}.json",
                                                         dict(base, **{a["name"]: v})),
                                         f"{op}.{a['name']} = {str(v)[:40]!r} should be invalid")
                    if a["required"]:
                        req = {k: v for k, v in base.items() if k != a["name"]}
                        self.assertFalse(schema.is_valid(f"request/{op}.json", req),
                                         f"{op} without {a['name']} should be invalid")

    def test_vocabularies_are_those_of_enums_c(self):
        defs = schema.schema("defs.json")["$defs"]
        used = {a["enum"] for spec in schema.server_op_table().values() for a in spec["args"]
                if a["enum"]}
        for cname, values in schema.server_enums().items():
            if cname in used or cname in ENUM_DEFS:
                self.assertIn(cname, ENUM_DEFS, f"{cname}: add it to defs.json and here")
                self.assertEqual(defs[ENUM_DEFS[cname]]["enum"], values, cname)

    def test_every_error_code_is_documented_with_its_schema(self):
        codes = schema.server_error_codes()
        self.assertIn("not_found", codes)
        self.assertEqual(schema.schema("error.json")["$defs"]["code"]["enum"], codes)
        self.assertEqual(sorted(set(codes) - table_keys(protocol_md())), [],
                         "error codes missing from PROTOCOL.md's table")

    def test_every_close_code_is_documented(self):
        text = protocol_md()
        for name, code in schema.server_close_codes().items():
            self.assertRegex(text, rf"(?m)^\| {code} \|", f"close code {code} ({name})")

    def test_the_documented_limits_are_the_servers(self):
        text = protocol_md()
        with open(os.path.join(schema.SOURCE_DIR, "protocol", "dispatch.h")) as f:
            self.assertIn("#define KT_MAX_FRAME (64 * 1024)", f.read())
        self.assertIn("65536", text)

    def test_every_event_type_has_a_schema_and_is_documented(self):
        emitted = schema.server_event_types()
        self.assertGreater(len(emitted), 15)
        self.assertEqual(emitted, schema.event_names(), "events emitted vs protocol/schemas/event/")
        self.assertEqual(sorted(set(emitted) - headings(protocol_md())), [],
                         "event types without a section in PROTOCOL.md")

    def test_every_request_schema_has_examples_that_it_accepts(self):
        for op in schema.op_names():
            doc = schema.schema(f"request/{op}.json")
            self.assertTrue(doc.get("examples"), f"{op} has no examples")
            for ex in doc["examples"]:
                self.assertEqual(schema.errors(f"request/{op}.json", ex), [], f"{op}: {ex}")

    def test_frames_that_break_the_envelope_are_caught(self):
        bad = [{"id": 1, "ok": True}, {"id": 1, "ok": False, "error": {"code": "oops",
                                                                       "message": "x"}},
               {"event": "chat.posted", "body": 1, "seq": 0, "data": {}},
               {"id": 1, "ok": True, "result": {}, "extra": 1}]
        for frame in bad:
            self.assertFalse(schema.is_valid("envelope.json", frame), frame)
        self.assertTrue(schema.is_valid("envelope.json", {"id": None, "ok": False, "error": {
            "code": "invalid_json", "message": "Het bericht is geen geldige JSON."}}))


class ExamplesTest(unittest.IsolatedAsyncioTestCase):
    """The schemas' examples, sent to a server with the demo data: each is accepted (it may
    still be refused for what it refers to: not_found, forbidden, conflict...)."""

    async def test_the_examples_are_accepted_by_the_server(self):
        server = Server("contract-examples", demo=True)
        server.start()
        clients = []
        try:
            for email in ("beheer@ketentafel.example", "s.bakker@dordrecht.example"):
                clients.append(await server.connect(server.login(email, "welkom-ketentafel")))
            # Backwards through the table: the examples of later ops change less of what the
            # examples of earlier ops refer to than the other way round.
            for op in reversed(list(schema.server_op_table())):
                for ex in schema.schema(f"request/{op}.json")["examples"]:
                    args = {k: v for k, v in ex.items() if k not in ("id", "op")}
                    for c in clients:  # the administrator, else the chair of body 1
                        reply = await c.request(op, **args)
                        if reply["ok"] or reply["error"]["code"] not in (
                                "forbidden", "not_member", "not_found"):
                            break
                    code = None if reply["ok"] else reply["error"]["code"]
                    self.assertNotIn(code, VALIDATION_CODES, f"{op} {ex}: {reply}")
            for c in clients:
                await c.close()
        finally:
            server.stop()
            server.cleanup()


class TourTest(unittest.IsolatedAsyncioTestCase):
    """Every op once with success and every event type of a body's stream once, with real
    data: the harness checks each reply and push against the schemas on the way."""

    async def asyncSetUp(self):
        self.server = Server("contract-tour")
        self.server.create_admin()
        self.server.start()
        self.clients = []

    async def asyncTearDown(self):
        for c in self.clients:
            await c.close()
        self.server.stop()
        self.server.cleanup()

    async def connect(self, email, password=PASSWORD):
        c = await self.server.connect(self.server.login(email, password))
        self.clients.append(c)
        return c

    async def test_every_op_succeeds_and_every_event_matches_its_schema(self):
        ok = set()
        admin = await self.connect(ADMIN_EMAIL, ADMIN_PASSWORD)
        w = await setup_world(self.server, admin)
        chair = await self.connect("chair@test.example")
        police = await self.connect("police@test.example")
        housing = await self.connect("housing@test.example")
        body, orgs, persons = w["body"], w["orgs"], w["persons"]

        async def call(client, op, **args):
            result = await client.call(op, **args)  # the harness validates the reply
            ok.add(op)
            return result

        snap = await call(chair, "body.get", body=body)
        notes = await call(chair, "notification.list")
        self.assertEqual(notes["unread"], 1)  # added to the body by the administrator
        sub = await call(chair, "notification.subscribe", since=0)
        self.assertEqual(sub["head"], notes["seq"])
        for c in (chair, police, housing):
            sub = await call(c, "subscribe", body=body, since=snap["seq"])
            self.assertEqual((sub["since"], sub["head"]), (snap["seq"], snap["seq"]))

        # the caller and the directory
        await call(admin, "ping")
        me = await call(chair, "me.get")
        self.assertEqual([b["role"] for b in me["bodies"]], ["voorzitter"])
        await call(admin, "scope.create", name="Drechtsteden Test", kind="regio",
                   includes=["Dordrecht", "Schiedam"])
        scopes = await call(admin, "scope.list")
        self.assertIn(["Dordrecht", "Schiedam"], [s["includes"] for s in scopes["scopes"]])
        org = (await call(admin, "org.create", name="Stichting Tour", kind="zorg",
                          scope="Dordrecht"))["organisation"]
        await call(admin, "org.update", org=org["id"], kind="overig", scope=None)
        await call(admin, "org.list")
        guest = await call(admin, "person.create", name="Gina Gast", email="gina@test.example",
                           org=org["id"], function="adviseur")
        self.assertIn("/#/wachtwoord/", guest["setup_url"])
        guest = guest["person"]["id"]
        await call(admin, "person.update", person=guest, function="senior adviseur")
        await call(admin, "person.reset", person=guest)
        await call(admin, "person.list")
        await call(admin, "person.list", org=org["id"])
        found = await call(chair, "person.search", q="politie", limit=5)
        self.assertEqual([p["name"] for p in found["persons"]], ["Otto Buiten", "Piet Politie"])
        await call(admin, "abbreviation.set", abbr="PmG", expansion="Preventie met Gezag")
        self.assertEqual((await call(chair, "abbreviation.list"))["abbreviations"],
                         [{"abbr": "PmG", "expansion": "Preventie met Gezag"}])
        prefs = await call(chair, "preferences.get")
        self.assertEqual(set(prefs["prefs"].values()), {"direct"})
        prefs = await call(chair, "preferences.set", prefs={"agenda": "digest"}, due_days=3)
        self.assertEqual((prefs["prefs"]["agenda"], prefs["due_days"]), ("digest", 3))
        listed = await call(chair, "body.list")
        self.assertEqual([(b["role"], b["member_count"]) for b in listed["bodies"]],
                         [("voorzitter", 5)])
        child = (await call(admin, "body.create", name="Werkgroep Tour", kind="werkgroep",
                            scope="Dordrecht", level="operationeel", parent=body,
                            cadence=None))["body"]
        await call(admin, "body.update", body=body, location="Stadskantoor")
        await call(admin, "body.update", body=child["id"], parent=None, cadence="P2M")

        # memberships
        await call(admin, "membership.add", body=body, person=guest, role="gast", items=[])
        await call(chair, "membership.update", body=body, person=guest, role="lid")
        await call(admin, "membership.add", body=body, person=persons["outsider"],
                   role="vaste_vervanger", substitute_for=persons["police"])
        await call(chair, "membership.remove", body=body, person=persons["outsider"])

        # meetings
        m1 = (await call(chair, "meeting.create", body=body, start="2027-03-04T09:30:00+01:00",
                         end="2027-03-04T11:00:00+01:00", location="Stadhuis"))["meeting"]
        series = (await call(chair, "meeting.series", body=body, start="2027-04-01T09:30:00Z",
                             end="2027-04-01T11:00:00Z", count=2))["meetings"]
        self.assertEqual(len(series), 2)
        await call(chair, "meeting.update", meeting=series[1]["id"],
                   start="2027-05-20T13:00:00Z")
        await call(chair, "meeting.cancel", meeting=series[1]["id"])
        await call(chair, "meeting.list", body=body)
        await call(chair, "meeting.upcoming", **{"from": "2027-01-01T00:00:00Z", "days": 365})
        await call(police, "attendance.set", meeting=m1["id"], status="aanwezig")
        await call(chair, "attendance.set", meeting=m1["id"], person=persons["housing"],
                   status="vervangen", substitute=persons["police"], note="vervangen")
        guest_line = await call(chair, "attendance.set", meeting=m1["id"], name="Stef Gast",
                                org_name="programmabureau", status="aanwezig", role="notulist")
        await call(chair, "attendance.remove", meeting=m1["id"],
                   line=guest_line["attendance"]["id"])

        # the agenda
        open1 = (await call(chair, "agenda.add", meeting=m1["id"], title="Opening",
                            kind="informatie", duration=5))["item"]
        secret = (await call(chair, "agenda.add", meeting=m1["id"], title="Casus vertrouwelijk",
                             confidential=True, position=1,
                             relevant=[{"org": orgs["pol"], "reason": "dossierhouder"}]))["item"]
        open2 = (await call(chair, "agenda.add", meeting=m1["id"], title="Rondvraag",
                            recurring=True, presenter=persons["sec"]))["item"]
        backlog = (await call(chair, "agenda.add", body=body, title="Later bespreken"))["item"]
        self.assertIsNone(backlog["meeting"])
        await call(chair, "agenda.update", item=secret["id"], description="Nieuwe feiten",
                   persons=[persons["housing"]])
        await call(chair, "agenda.move", item=backlog["id"], meeting=m1["id"], position=2)
        await call(chair, "agenda.reorder", meeting=m1["id"],
                   items=[open2["id"], backlog["id"], open1["id"], secret["id"]])
        await call(chair, "agenda.remove", item=open1["id"])
        await call(chair, "agenda.publish", meeting=m1["id"])
        past = (await call(chair, "meeting.create", body=body, standing=False,
                           start="2026-11-25T09:30:00+01:00",
                           end="2026-11-25T11:00:00+01:00"))["meeting"]
        pitem = (await call(chair, "agenda.add", meeting=past["id"], title="Terugblik"))["item"]
        m2 = (await call(chair, "meeting.create", body=body, start="2027-03-18T09:30:00+01:00",
                         end="2027-03-18T11:00:00+01:00", standing=False))["meeting"]
        copied = await call(chair, "agenda.copy", meeting=m2["id"], **{"from": m1["id"]})
        self.assertEqual(copied["added"], 3)
        got = await call(police, "meeting.get", meeting=m1["id"])
        self.assertEqual([i["title"] for i in got["agenda"]],
                         ["Rondvraag", "Later bespreken", "Casus vertrouwelijk"])

        # actions and chat
        action = (await call(police, "action.create", body=body, kind="toezegging",
                             text="Beeld aanleveren", owner_org=orgs["pol"], due="2027-03-01",
                             item=secret["id"]))["action"]
        await call(police, "action.update", action=action["id"], status="lopend", due=None)
        await call(police, "action.propose", action=action["id"], status="afgerond",
                   note="Het beeld is bijna klaar.")
        history = await call(police, "audit.history", action=action["id"])
        self.assertEqual([e["action"] for e in history["entries"]],
                         ["action.updated", "action.created"])
        changelog = await call(chair, "audit.body", body=body, limit=10)
        self.assertEqual(len(changelog["entries"]), 10)
        await call(police, "action.list", mine=True)
        await call(chair, "action.create", body=body, kind="besluit", item=open2["id"],
                   text="De rondvraag blijft een vast agendapunt")
        noted = await call(chair, "minutes.note", item=open2["id"], text="- Geen vragen.", rev=0)
        self.assertEqual(noted["notes"]["rev"], 1)

        # the verslag of the past meeting: ter vaststelling, an amendment, vastgesteld
        await call(chair, "minutes.note", item=pitem["id"], text="Teruggeblikt.")
        sent = await call(chair, "minutes.submit", meeting=past["id"], deadline="2026-12-09")
        self.assertEqual(sent["version"], 1)
        amended = await call(police, "minutes.amend", meeting=past["id"], item=pitem["id"],
                             text="Graag 'teruggeblikt op 2026'.")
        second = await call(police, "minutes.amend", meeting=past["id"], text="Dubbel")
        gone = await call(police, "minutes.withdraw", meeting=past["id"],
                          amendment=second["amendment"]["id"])
        self.assertEqual(gone["amendment"]["status"], "ingetrokken")
        got = await call(police, "minutes.get", meeting=past["id"])
        self.assertEqual((got["stage"], got["can_amend"]), ("ter_vaststelling", True))
        approved = await call(chair, "minutes.approve", meeting=past["id"],
                              taken=[amended["amendment"]["id"]])
        self.assertEqual(approved["version"], 2)
        self.assertIn("Piet Politie", approved["note"])
        v1 = await call(police, "minutes.version", meeting=past["id"], version=1)
        self.assertEqual(v1["document"]["items"][0]["notes"], "Teruggeblikt.")
        await call(police, "action.create", body=body, text="Terugkoppeling aan de voorzitter",
                   owner=persons["chair"])

        # a verslag imported: what was recognised, then saved as confirmed
        text = ("# Verslag Regiegroep Test\n\nDatum: 5 maart 2027\nAanvang: 09.30 uur Eind: "
                "10.30 uur\n\n## Aanwezig\n\nVoorzitter: Carla Voorzitter\n\nPiet Politie "
                "(Politie Testdam), Gerard Gast (RIEC)\n\n## 1. Opening\n\n- Besluit: de "
                "werkwijze wordt vastgesteld.\n- Actie (Piet Politie, 1 april 2027): beeld "
                "aanleveren.\n")
        pre = await call(chair, "import.preview", body=body, text=text)
        self.assertEqual(pre["counts"]["matched"], 2)
        lines = [{k: v for k, v in a.items() if k != "recognised"} for a in pre["attendance"]]
        items = [{"title": i["title"], "notes": i["notes"],
                  "outcomes": [{k: v for k, v in o.items() if k != "recognised"}
                               for o in i["outcomes"]]} for i in pre["items"]]
        saved = await call(chair, "import.commit", key="tour-import", body=body,
                           date=pre["meeting"]["date"], start_time=pre["meeting"]["start"],
                           end_time=pre["meeting"]["end"], attendance=lines, items=items)
        self.assertEqual((saved["items"], saved["outcomes"], saved["attendance"]), (1, 2, 3))
        exp = await call(police, "export.minutes", meeting=saved["meeting"]["id"])
        self.assertTrue(exp["markdown"].startswith("<!-- ketentafel-export v1 -->"))
        dec = await call(police, "export.decisions", body=body, to="2027-12-31")
        self.assertIn("De rondvraag blijft een vast agendapunt", dec["markdown"])
        asked = await call(police, "chat.post", body=body, text="Vraag aan @Carla Voorzitter")
        edited = await call(police, "chat.edit", body=body, message=asked["message"]["id"],
                            text="Vraag aan @Carla Voorzitter: wanneer?")
        self.assertIsNotNone(edited["message"]["edited"])
        extra = await call(police, "chat.post", body=body, text="Dubbel gepost")
        gone = await call(police, "chat.delete", body=body, message=extra["message"]["id"])
        self.assertEqual((gone["message"]["deleted"], gone["message"]["text"]), (True, ""))
        self.assertGreater((await call(chair, "chat.unread", body=body))["unread"], 0)
        self.assertEqual((await call(chair, "chat.read", body=body))["unread"], 0)
        # an agenderingsverzoek, decided; an item referred to the child body and accepted there
        asked = (await call(police, "request.create", body=body, title="Buurtpreventie",
                            description="Graag bespreken"))["request"]
        self.assertEqual((await call(chair, "request.list", body=body))["open"], 1)
        await call(chair, "request.decide", body=body, request=asked["id"],
                   decision="afwijzen", reason="Loopt al via de werkgroep")
        await call(police, "chat.post", body=body, text="In de thread", item=secret["id"])
        # the index catches up after the commit, off the write path: wait for it (bounded)
        for _ in range(1000):
            found = await call(police, "search", q="thread")
            if found["total"]:
                break
            await asyncio.sleep(0.02)
        self.assertEqual([h["kind"] for h in found["hits"]], ["chat"])
        # housing is listed on the confidential item by person: it finds the thread too
        self.assertEqual((await call(housing, "search", q="thread", body=body))["total"], 1)
        head = (await police.call("body.get", body=body))["seq"]  # police sees the last one
        await police.wait_for(lambda c: c.body_events(body) and
                              c.body_events(body)[-1]["seq"] >= head)
        hist = await call(chair, "chat.history", body=body, limit=10)
        self.assertEqual(hist["messages"][0]["mentions"], [persons["chair"]])
        await call(chair, "unsubscribe", body=body)
        await call(chair, "subscribe", body=body, since=snap["seq"])

        # a flag: the chair is expected at two meetings at once
        await call(admin, "membership.add", body=child["id"], person=persons["chair"],
                   role="voorzitter")
        await call(chair, "meeting.create", body=child["id"], start="2027-03-04T10:00:00+01:00",
                   end="2027-03-04T12:00:00+01:00")
        # an item referred to the child body and accepted there (the chair chairs both)
        sent = (await call(chair, "agenda.add", body=body, title="Naar de werkgroep"))["item"]
        ref = (await call(chair, "agenda.refer", item=sent["id"], to=child["id"]))["request"]
        await chair.call("request.decide", body=child["id"], request=ref["id"],
                         decision="aanvaarden")
        await chair.wait_for(lambda c: any(e["event"] == "flag.raised"
                                           for e in c.body_events(body)))
        flags = (await call(chair, "flag.list", body=body, state="open"))["flags"]
        self.assertEqual([(f["kind"], f["other"]["body"]) for f in flags],
                         [("conflict", child["id"])])
        resolved = await call(chair, "flag.resolve", flag=flags[0]["id"], state="afgestemd",
                              lead_body=body, note="De regiegroep gaat voor")
        self.assertEqual(resolved["flag"]["state"], "afgestemd")

        # waar hoort dit thuis, and the overlap map
        sug = await call(chair, "body.suggest", text="Regiegroep", scope=None)
        self.assertIn(body, [x["body"]["id"] for x in sug["suggestions"]])
        ovl = await call(chair, "overlap.map", limit=10)
        self.assertTrue(any({p["a"], p["b"]} == {body, child["id"]} for p in ovl["pairs"]))

        # notifications: assigned an action, mentioned in chat; then all read
        mine = -persons["chair"]
        await chair.wait_for(lambda c: {"assigned", "mention"} <= {
            e["data"]["notification"]["kind"] for e in c.body_events(mine)
            if e["event"] == "notification.created"})
        notes = await call(chair, "notification.list", limit=50)
        self.assertGreaterEqual(notes["unread"], 3)
        read = await call(chair, "notification.read", all=True)
        self.assertEqual(read["unread"], 0)
        await chair.wait_for(lambda c: any(e["event"] == "notification.read"
                                           for e in c.body_events(mine)))

        # feed links: the URL once, then revoked
        cal = await call(chair, "feed.create", kind="body_ical", body=body)
        atom = await call(chair, "feed.create", kind="atom")
        self.assertEqual([f["id"] for f in (await call(chair, "feed.list"))["feeds"]],
                         [cal["feed"]["id"], atom["feed"]["id"]])
        path = "/feeds/" + cal["url"].split("/feeds/", 1)[1]
        status, headers, ics = self.server.http("GET", path)
        self.assertEqual(status, 200)
        self.assertIn(b"BEGIN:VCALENDAR", ics)
        revoked = await call(chair, "feed.revoke", feed=cal["feed"]["id"])
        self.assertIsNotNone(revoked["feed"]["revoked_at"])
        self.assertEqual(self.server.http("GET", path)[0], 404)
        await chair.wait_for(lambda c: any(e["event"] == "feed.revoked"
                                           for e in c.body_events(mine)))
        seqs = [e["seq"] for e in chair.body_events(mine)]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))

        # the AVG: the guest's data exported, the guest leaves and is erased; the retention
        # policy and the processing log
        exported = await call(admin, "person.export", person=guest)
        self.assertIn("Gina Gast", exported["summary"])
        await call(admin, "person.update", person=guest, active=False)
        await call(admin, "person.erase", person=guest, confirm="gina@test.example")
        await call(admin, "retention.get")
        log = await call(admin, "audit.list", limit=5)
        self.assertEqual([e["action"] for e in log["entries"][:2]],
                         ["person.erase", "person.export"])

        # a guest limited to an item that becomes confidential without them: agenda.hidden
        await call(chair, "membership.add", body=body, person=persons["outsider"], role="gast",
                   items=[open2["id"]])
        outsider = await self.connect("outsider@test.example")
        ohead = (await call(outsider, "body.get", body=body))["seq"]
        await call(outsider, "subscribe", body=body, since=ohead)
        await call(chair, "agenda.update", item=open2["id"], confidential=True,
                   relevant=[{"org": orgs["woon"]}])
        await outsider.wait_for(lambda c: any(e["event"] == "agenda.hidden"
                                              for e in c.body_events(body)))
        # what the tour's last ops sent police and housing has arrived (nothing waited on it:
        # the outsider's event proves nothing about another connection's socket)
        for c in (police, housing):
            await c.sync()

        self.assertEqual(sorted(set(schema.server_op_table()) - ok), [], "ops not toured")
        seen_chair = {e["event"] for e in chair.events}
        self.assertTrue({"flag.raised", "flag.updated", "notification.created",
                         "notification.read", "feed.created", "feed.revoked"} <= seen_chair,
                        seen_chair)
        body_events = {"body.updated", "membership.added", "membership.updated",
                       "membership.removed", "meeting.created", "meeting.updated",
                       "attendance.updated", "agenda.added", "agenda.updated", "agenda.removed",
                       "agenda.reordered", "action.created", "action.updated", "action.proposed",
                       "chat.posted",
                       "chat.edited", "chat.deleted", "minutes.noted", "attendance.removed",
                       "minutes.submitted", "minutes.amended", "minutes.approved",
                       "minutes.withdrawn", "request.created", "request.decided", "agenda.referred",
                       "referral.decided", "stream.skipped"}
        seen = {e["event"] for e in police.body_events(body)}
        self.assertEqual(sorted(body_events - seen), [], "body events not seen")
        self.assertEqual(sorted(seen - body_events), [])
        self.assertIn("agenda.hidden", {e["event"] for e in outsider.body_events(body)})
        # every subscriber sees every seq, once, in order
        for c in (police, housing):
            seqs = [e["seq"] for e in c.body_events(body)]
            self.assertEqual(seqs, list(range(snap["seq"] + 1, seqs[-1] + 1)))
        # housing was not in the confidential item's first audience: a placeholder, nothing of
        # the item until the agenda.updated that made it visible to housing
        hevents = housing.body_events(body)
        self.assertNotIn("agenda.hidden", [e["event"] for e in hevents])
        first = next(e for e in hevents if "Casus vertrouwelijk" in json.dumps(e))
        self.assertEqual(first["event"], "agenda.updated")
        self.assertIn(persons["housing"], first["data"]["item"]["persons"])
        placeholders = [e for e in hevents if e["event"] == "agenda.added"
                        and e["data"]["item"]["id"] == secret["id"]]
        self.assertTrue(placeholders and placeholders[0]["data"]["item"]["placeholder"])

class DirectoryStreamTest(unittest.IsolatedAsyncioTestCase):
    """The directory stream (body 0): organisations, persons, scopes and the list of bodies."""

    async def test_directory_events_reach_every_logged_in_person(self):
        server = Server("contract-directory")
        server.create_admin()
        server.start()
        try:
            admin = await server.connect(server.login(ADMIN_EMAIL, ADMIN_PASSWORD))
            me = await admin.call("me.get")
            await admin.call("subscribe", body=0, since=me["directory_seq"])
            w = await setup_world(server, admin)
            org = (await admin.call("org.create", name="Stichting Dir", kind="zorg"))
            await admin.call("org.update", org=org["organisation"]["id"], kind="overig")
            await admin.call("person.update", person=w["persons"]["police"], function="wijkagent")
            await admin.call("body.update", body=w["body"], location="Elders")
            await admin.call("abbreviation.set", abbr="PmG", expansion="Preventie met Gezag")
            await admin.call("abbreviation.set", abbr="PmG", expansion=None)
            # any logged-in person, member of nothing, sees the directory
            outsider = await server.connect(server.login("outsider@test.example"))
            await outsider.call("subscribe", body=0, since=me["directory_seq"])
            for c in (admin, outsider):
                await c.wait_for(lambda c: sum(e["event"] == "abbreviation.updated"
                                               for e in c.body_events(0)) == 2)
                seen = {e["event"] for e in c.body_events(0)}
                self.assertEqual(seen, {"scope.created", "org.created", "org.updated",
                                        "person.created", "person.updated", "body.created",
                                        "body.updated", "abbreviation.updated"})
                seqs = [e["seq"] for e in c.body_events(0)]
                self.assertEqual(seqs, list(range(me["directory_seq"] + 1, seqs[-1] + 1)))
                await c.close()
        finally:
            server.stop()
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
