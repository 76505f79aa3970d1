"""Instructions per chat.post from callgrind profiles of one ketentafel (one file per thread, as
bench/post-instructions dumps them): the posts are the calls of kt_h_chat_post; each thread's
total and the inclusive cost of the loop's main parts are divided by them. Standard library only.

Usage: /usr/bin/python3 bench/callgrind_per_post.py CALLGRIND_FILE...
"""
import re
import sys

LOOP_PARTS = [
    ("kt_dispatch_text", "a request: decode, check, run the op, build the reply"),
    ("json_loadb", "· decoding the request"),
    ("kt_h_chat_post", "· the op (chat.post)"),
    ("kt_store_message_insert", "·· the message row and its queue row"),
    ("kt_emit", "·· the event row and its payload"),
    ("kt_store_group_enter", "· entering the group"),
    ("kt_dispatch_flush", "the group's commit, the reply sent, the event published"),
    ("kt_store_group_commit", "· the commit"),
    ("kt_conn_send_json", "· the reply: serialised and sent"),
    ("kt_conn_send_frame", "· the reply: sent (a frame made once)"),
    ("kt_bus_publish", "· publishing: rendering and the deliveries"),
    ("kt_render_frame", "·· rendering the event"),
    ("json_dump_callback", "JSON written by jansson (everywhere)"),
    ("json_dumps", "JSON written by jansson to a string (everywhere)"),
    ("json_pack", "JSON built with json_pack (everywhere)"),
]
INDEXER_PARTS = [
    ("kt_store_search_index_for", "an indexing round"),
    ("tok_tokenize", "· tokenising"),
    ("kt_stemmer_stem", "·· stemming"),
    ("kt_store_commit", "· its commit"),
]


def parse(path):
    """(total Ir, {callee name: inclusive Ir over its calls}, {callee name: calls})"""
    names = {}
    incl, calls = {}, {}
    total = None
    pending = None  # callee of the last calls= line, whose cost is on the next line
    with open(path, errors="replace") as f:
        for line in f:
            if pending is not None:
                parts = line.split()
                if len(parts) >= 2:
                    incl[pending] = incl.get(pending, 0) + int(parts[-1])
                pending = None
                continue
            if line.startswith(("fn=", "cfn=")):
                m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
                if m:
                    if m.group(2):
                        names[m.group(1)] = m.group(2)
                    cur = names.get(m.group(1), "?")
                    if line.startswith("cfn="):
                        callee = cur
                continue
            if line.startswith("calls="):
                n = int(line.split("=", 1)[1].split()[0])
                calls[callee] = calls.get(callee, 0) + n
                pending = callee
                continue
            if line.startswith(("totals:", "summary:")):
                total = int(line.split()[1])
    return total or 0, incl, calls


def main():
    threads = [(p, *parse(p)) for p in sys.argv[1:]]
    posts = sum(c.get("kt_h_chat_post", 0) for _, _, _, c in threads)
    if not posts:
        sys.exit("no chat.post in these profiles")
    whole = sum(t for _, t, _, _ in threads)
    loop = next((t for t in threads if t[0].endswith("-01")), None)
    indexer = next((t for t in threads if "kt_store_search_index_for" in t[3]), None)
    print(f"posts: {posts}")
    print(f"{'k instructions per post':<64} {'':>8}")
    print(f"{'whole process':<64} {whole / posts / 1000:8.1f}")
    for label, t, parts in (("loop thread", loop, LOOP_PARTS),
                            ("search indexer thread", indexer, INDEXER_PARTS)):
        if not t:
            print(f"{label:<64} {'-':>8}")
            continue
        print(f"{label:<64} {t[1] / posts / 1000:8.1f}")
        for fn, what in parts:
            if fn in t[2]:
                print(f"  {what + ' (' + fn + ')':<62} {t[2][fn] / posts / 1000:8.1f}")
    rest = whole - sum(t[1] for t in (loop, indexer) if t)
    print(f"{'other threads':<64} {rest / posts / 1000:8.1f}")


if __name__ == "__main__":
    main()
