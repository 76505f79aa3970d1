/* libFuzzer: each op's argument decoding. The first byte chooses the op from the op table, the
 * second who asks; the rest is a JSON object of arguments (anything else is wrapped as the
 * value of each of the op's arguments in turn). The ids the world has are mixed in, so checks
 * past "not found" are reached: permission, visibility, the handlers' own validation. */
#include "protocol/ops.h"
#include "world.h"

#include <stdlib.h>
#include <string.h>

static int64_t world_id(fuzz_world *w, uint8_t b)
{
    int64_t ids[] = {w->body, w->meeting, w->item, w->secret, w->action, 1, 0, 987654321};
    return ids[b % 8];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_world *w = fuzz_world_get();
    if (size < 3)
        return 0;
    int n_ops;
    const kt_op *ops = kt_op_table(&n_ops);
    const kt_op *op = &ops[data[0] % n_ops];
    const kt_principal *me = fuzz_principal(w, data[1]);
    json_t *args = json_loadb((const char *)data + 3, size - 3,
                              JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
    json_t *req = json_is_object(args) ? json_incref(args) : json_object();
    if (!json_is_object(args)) {
        /* the value given to every argument of the op, or a world id */
        for (const kt_argspec *a = op->args; a->name; a++)
            json_object_set_new(req, a->name,
                                args ? json_incref(args) : json_integer(world_id(w, data[2])));
    } else {
        /* ids of the world where the fuzzer left an id-shaped argument out */
        for (const kt_argspec *a = op->args; a->name; a++)
            if (a->type == KT_T_ID && !json_object_get(req, a->name) && (data[2] & 1))
                json_object_set_new(req, a->name, json_integer(world_id(w, data[2] >> 1)));
    }
    json_decref(args);
    json_object_set_new(req, "id", json_integer(1));
    json_object_set_new(req, "op", json_string(op->name));
    json_t *reply = fuzz_request(w, me, req);
    if (!json_is_object(reply) || !json_is_boolean(json_object_get(reply, "ok")))
        abort();
    json_decref(reply);
    json_decref(req);
    return 0;
}
