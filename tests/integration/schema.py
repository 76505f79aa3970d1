"""The protocol contract in test form: loads protocol/schemas/ (JSON Schema 2020-12) and checks
frames against it, and reads the server's own source for what it promises (the op table in
server/src/protocol/ops.c, the error codes in errors.c, the vocabularies in domain/enums.c), so
tests can hold the two against each other.

harness.Client runs check_frame() on every frame it receives: a reply is checked against the
result schema of the op it answers (and, when the server accepted the request, the request
against that op's request schema), a push against the schema of its event type, an error
against the error object. A violation fails the request it answers (see harness.Client)."""

import functools
import glob
import json
import os
import re

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA_DIR = os.path.join(ROOT, "protocol", "schemas")
SOURCE_DIR = os.path.join(ROOT, "server", "src")
BASE_URI = "https://ketentafel.example/schemas/"

Validator = jsonschema.Draft202012Validator


class SchemaViolation(AssertionError):
    """A frame that does not match protocol/schemas."""


# ---- the schemas ----

@functools.lru_cache(maxsize=None)
def store():
    """Every schema file by its $id (which is BASE_URI + its path under protocol/schemas)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(SCHEMA_DIR, "**", "*.json"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        rel = os.path.relpath(path, SCHEMA_DIR).replace(os.sep, "/")
        if doc.get("$id") != BASE_URI + rel:
            raise SchemaViolation(f"{rel}: $id must be {BASE_URI + rel}, is {doc.get('$id')}")
        out[doc["$id"]] = doc
    return out


def schema(rel):
    """The schema at protocol/schemas/<rel> (e.g. "request/ping.json"), or None."""
    return store().get(BASE_URI + rel)


@functools.lru_cache(maxsize=None)
def validator(rel):
    """A validator for protocol/schemas/<rel>; rel may point into a file: "defs.json#/$defs/id"."""
    if "#" in rel:
        doc = {"$ref": BASE_URI + rel}
    else:
        doc = schema(rel)
        if doc is None:
            raise SchemaViolation(f"no schema protocol/schemas/{rel}")
    resolver = jsonschema.RefResolver(BASE_URI, doc, store=store())
    return Validator(doc, resolver=resolver)


def errors(rel, instance):
    """The validation errors of instance against schema rel (a list of messages)."""
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
            for e in validator(rel).iter_errors(instance)]


def check(rel, instance, what=""):
    problems = errors(rel, instance)
    if problems:
        raise SchemaViolation(f"{what or rel} does not match protocol/schemas/{rel}: "
                              f"{'; '.join(problems[:5])}\n{json.dumps(instance)[:1500]}")


def is_valid(rel, instance):
    return not errors(rel, instance)


def op_names():
    """The ops that have a request schema."""
    return sorted(uri[len(BASE_URI) + len("request/"):-len(".json")]
                  for uri in store() if uri.startswith(BASE_URI + "request/"))


def event_names():
    return sorted(uri[len(BASE_URI) + len("event/"):-len(".json")]
                  for uri in store() if uri.startswith(BASE_URI + "event/"))


def check_frame(frame, client=None):
    """Validates one frame the server sent. client (a harness.Client) knows which request each
    reply answers (client.sent: id -> request object)."""
    check("envelope.json", frame, "frame")
    if "heartbeat" in frame:  # neither a reply nor a push (asked for with /ws?heartbeat=S)
        return
    if "event" in frame:
        check(f"event/{frame['event']}.json", frame["data"], f"data of event {frame['event']}")
        return
    request = client.sent.get(frame.get("id")) if client is not None else None
    op = request.get("op") if isinstance(request, dict) else None
    if not frame["ok"] or op is None or schema(f"result/{op}.json") is None:
        return
    check(f"request/{op}.json", request, f"accepted request {op}")
    check(f"result/{op}.json", frame["result"], f"result of {op}")


# ---- what the server's source says ----

def _read(rel):
    with open(os.path.join(SOURCE_DIR, rel), encoding="utf-8") as f:
        return f.read()


def _defines(src):
    return {m.group(1): m.group(2) for m in re.finditer(r"#define\s+(\w+)\s+(\d+)\b", src)}


@functools.lru_cache(maxsize=None)
def server_enums():
    """The closed vocabularies: kt_org_kinds etc. from domain/enums.c, kt_notify_kinds and
    kt_notify_modes from feed/notify.c: name -> list of values."""
    out = {}
    for rel in ("domain/enums.c", "feed/notify.c"):
        if not os.path.exists(os.path.join(SOURCE_DIR, rel)):
            continue
        src = _read(rel)
        out.update({m.group(1): re.findall(r'"([^"]*)"', m.group(2))
                    for m in re.finditer(r"const char \*const (kt_\w+)\[\]\s*=\s*\{(.*?)NULL\s*\}",
                                         src, re.S)})
    return out


@functools.lru_cache(maxsize=None)
def server_error_codes():
    """The wire error codes of protocol/errors.c, in enum order (without KT_C_NONE)."""
    src = _read("protocol/errors.c")
    return [m.group(1) for m in re.finditer(r'\[KT_C_\w+\]\s*=\s*\{\s*"(\w+)"', src)]


@functools.lru_cache(maxsize=None)
def server_close_codes():
    src = _read("protocol/errors.h")
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"KT_CLOSE_(\w+)\s*=\s*(\d+)", src)}


@functools.lru_cache(maxsize=None)
def server_op_table():
    """The op table of protocol/ops.c: name -> {perm, target, write, args: [argspec]}, where an
    argspec is {name, type, required, nullable, max, values}. Read from the C source text."""
    src = _read("protocol/ops.c")
    defines = _defines(src)
    macro = re.search(r"#define ITEM_FIELDS((?:[^\n]*\\\n)*[^\n]*)\n", src)
    if macro:
        body = macro.group(1).replace("\\\n", " ")
        src = src[:macro.start()] + src[macro.end():]
        src = re.sub(r"\bITEM_FIELDS\b", body, src)
    enums = server_enums()
    arrays = {}
    for m in re.finditer(r"static const kt_argspec (\w+)\[\]\s*=\s*\{(.*?)\bEND\s*\}\s*;", src,
                         re.S):
        specs = []
        for a in re.finditer(r'\{\s*"(\w+)"\s*,\s*KT_T_(\w+)\s*,\s*([\w| ]+?)\s*,\s*(\w+)\s*,'
                             r'\s*(\w+)\s*\}', m.group(2)):
            flags = a.group(3)
            limit = a.group(4)
            specs.append({
                "name": a.group(1),
                "type": a.group(2),
                "required": "REQ" in flags,
                "nullable": "NUL" in flags,
                "max": int(defines.get(limit, limit)),
                "values": enums[a.group(5)] if a.group(5) != "NULL" else None,
                "enum": a.group(5) if a.group(5) != "NULL" else None,
            })
        arrays[m.group(1)] = specs
    table = {}
    for m in re.finditer(r'\{\s*"([\w.]+)"\s*,\s*kt_h_\w+\s*,\s*KT_PERM_(\w+)\s*,\s*(\w+)\s*,'
                         r'\s*([RW])\s*,\s*(a_\w+)\s*\}', src):
        target = {"NT": "NONE"}.get(m.group(3), m.group(3).replace("KT_TGT_", ""))
        table[m.group(1)] = {"perm": m.group(2), "target": target, "write": m.group(4) == "W",
                             "args": arrays[m.group(5)]}
    return table


@functools.lru_cache(maxsize=None)
def server_event_types():
    """Event types the server emits: the noun.verb literals passed to the emit and announce
    functions or to the renderer's frame builder (live/render.c: agenda.hidden,
    stream.skipped), or assigned to a variable named type on the way there."""
    found = set()
    literal = r'"([a-z_]+\.[a-z_]+)"'
    for path in glob.glob(os.path.join(SOURCE_DIR, "**", "*.c"), recursive=True):
        with open(path, encoding="utf-8") as f:
            src = f.read()
        for m in re.finditer(r"\b\w*(?:emit|announce|make_frame)\w*\s*\(", src):
            lit = re.search(literal, src[m.end():src.find(";", m.end())])
            if lit:
                found.add(lit.group(1))
        for m in re.finditer(r"\btype\s*=([^;=][^;]*);", src):
            found.update(re.findall(literal, m.group(1)))
    return sorted(found)
