/* The in-process bus: a node on its own needs no broker; publishing is delivering. */
#include "bus/bus.h"

#include <stdlib.h>

static int local_publish(kt_bus *bus, kt_event *ev)
{
    bus->deliver(bus->arg, ev);
    return 0;
}

static bool local_healthy(kt_bus *bus)
{
    (void)bus;
    return true;
}

static const char *local_name(kt_bus *bus)
{
    (void)bus;
    return "local";
}

static void local_destroy(kt_bus *bus)
{
    free(bus);
}

static const kt_bus_ops local_ops = {
    .publish = local_publish,
    .healthy = local_healthy,
    .name = local_name,
    .destroy = local_destroy,
};

kt_bus *kt_bus_local_new(kt_bus_deliver_fn deliver, kt_bus_resync_fn resync, void *arg)
{
    kt_bus *bus = calloc(1, sizeof *bus);
    if (!bus)
        return NULL;
    bus->ops = &local_ops;
    bus->deliver = deliver;
    bus->resync = resync;
    bus->arg = arg;
    return bus;
}
