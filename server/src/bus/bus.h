/* The bus carries committed events from the node that wrote them to every node that has
 * sessions for the body. Two implementations: in-process (default) and Redis pub/sub.
 * Delivery to the hub always happens on the event-loop thread. Redis is at-most-once, so the hub
 * treats the bus as a hint and the store as the truth (gaps are filled from the store). */
#ifndef KT_BUS_H
#define KT_BUS_H

#include "live/event.h"

#include <stdbool.h>

typedef struct kt_bus kt_bus;

/* Called on the loop thread for every event the bus delivers; ev is borrowed. */
typedef void (*kt_bus_deliver_fn)(void *arg, kt_event *ev);
/* Called on the loop thread after the bus (re)connected: the receiver must catch up from the
 * store because anything published meanwhile may be lost. */
typedef void (*kt_bus_resync_fn)(void *arg);

typedef struct kt_bus_ops {
    int (*publish)(kt_bus *bus, kt_event *ev);
    void (*poll)(kt_bus *bus); /* loop thread: hand over what arrived */
    bool (*healthy)(kt_bus *bus);
    const char *(*name)(kt_bus *bus);
    void (*destroy)(kt_bus *bus);
} kt_bus_ops;

struct kt_bus {
    const kt_bus_ops *ops;
    kt_bus_deliver_fn deliver;
    kt_bus_resync_fn resync;
    void *arg;
};

/* In-process bus: publish delivers synchronously. */
kt_bus *kt_bus_local_new(kt_bus_deliver_fn deliver, kt_bus_resync_fn resync, void *arg);

/* Redis pub/sub bus for url ("redis://host:port"); never blocks the caller on Redis. Calls
 * wake(wake_arg) from its subscriber thread when messages arrive (it must be thread-safe); the
 * loop then calls kt_bus_poll(). reconnect_counter (may be NULL) is kept up to date on the loop
 * thread. NULL on a bad URL or no memory. */
kt_bus *kt_bus_redis_new(const char *url, void (*wake)(void *arg), void *wake_arg,
                         uint64_t *reconnect_counter, kt_bus_deliver_fn deliver,
                         kt_bus_resync_fn resync, void *arg);

static inline int kt_bus_publish(kt_bus *bus, kt_event *ev)
{
    return bus->ops->publish(bus, ev);
}
static inline void kt_bus_poll(kt_bus *bus)
{
    if (bus->ops->poll)
        bus->ops->poll(bus);
}
static inline bool kt_bus_healthy(kt_bus *bus)
{
    return bus->ops->healthy(bus);
}
static inline const char *kt_bus_name(kt_bus *bus)
{
    return bus->ops->name(bus);
}
static inline void kt_bus_free(kt_bus *bus)
{
    if (bus)
        bus->ops->destroy(bus);
}

#endif
