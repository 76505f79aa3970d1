#include "domain/handlers.h"

#include "util/timeutil.h"

bool kt_arg_has(kt_ctx *c, const char *name)
{
    return json_object_get(c->args, name) != NULL;
}

bool kt_arg_given(kt_ctx *c, const char *name)
{
    json_t *v = json_object_get(c->args, name);
    return v && !json_is_null(v);
}

int64_t kt_arg_int(kt_ctx *c, const char *name, int64_t dflt)
{
    json_t *v = json_object_get(c->args, name);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

const char *kt_arg_str(kt_ctx *c, const char *name)
{
    return json_string_value(json_object_get(c->args, name));
}

bool kt_arg_bool(kt_ctx *c, const char *name, bool dflt)
{
    json_t *v = json_object_get(c->args, name);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

int64_t kt_arg_time(kt_ctx *c, const char *name)
{
    int64_t t = 0;
    const char *s = kt_arg_str(c, name);
    if (s)
        kt_time_parse(s, &t);
    return t;
}

int kt_emit_directory(kt_ctx *c, const char *type, json_t *data)
{
    kt_vis vis = {.directory = true};
    return kt_emit(c, KT_DIRECTORY, type, &vis, data);
}
