/*
 * collector_snapshot.c - reading a struct collector_snapshot (see
 * collector.h): freeing it and finding rows in it.  Apart from
 * collector.c and its threads, so that what only reads results (the view,
 * and mtamon.so, the snmpd module, which runs no collector) links
 * without them.
 */
#include <stdlib.h>
#include <string.h>

#include "collector.h"

void collector_snapshot_free(struct collector_snapshot *s)
{
    free(s->queues);
    free(s->queue_conf);
    free(s->partitions);
    free(s->processes);
    free(s->probes);
    connections_free(&s->connections);
    memset(s, 0, sizeof *s);
}

const struct queue_scan_stats *
collector_snapshot_queue_row(const struct collector_snapshot *s, const char *name)
{
    for (size_t i = 0; name && i < s->n_queues; i++)
        if (strcmp(s->queues[i].name, name) == 0)
            return &s->queues[i];
    return NULL;
}

const struct connections_port *
collector_snapshot_port(const struct collector_snapshot *s, uint16_t port)
{
    for (size_t i = 0; i < s->connections.n_ports; i++)
        if (s->connections.ports[i].port == port)
            return &s->connections.ports[i];
    return NULL;
}
