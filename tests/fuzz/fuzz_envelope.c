/* libFuzzer: the envelope decoder. Any bytes as one WebSocket text message from one of the
 * world's people (the first byte chooses who): size, UTF-8, JSON, the request's shape, the op,
 * then whatever op it names. The answer must always be one well-formed reply. */
#include "world.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_world *w = fuzz_world_get();
    if (!size)
        return 0;
    json_t *reply = fuzz_send(w, fuzz_principal(w, data[0]), (const char *)data + 1, size - 1);
    if (!json_is_object(reply) || !json_is_boolean(json_object_get(reply, "ok")))
        abort(); /* every message gets exactly one reply of the documented shape */
    if (json_is_false(json_object_get(reply, "ok")) &&
        !json_is_string(json_object_get(json_object_get(reply, "error"), "code")))
        abort();
    json_decref(reply);
    return 0;
}
