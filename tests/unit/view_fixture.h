/*
 * view_fixture.h - the view of mtamond over a configuration built by
 * hand, shared by the suites of the view and of the MIB tables: MTA row
 * 1 ("mta"), service row 2 ("imap"), channels ims-ms (pinned to
 * mtaGroupIndex 7, description "message store") and tcp_local, and a
 * group-index map and a view cache over them.
 */
#ifndef MTAMON_VIEW_FIXTURE_H
#define MTAMON_VIEW_FIXTURE_H

#include "mtamon_config.h"
#include "index_map.h"
#include "view.h"

struct test_conf {
    struct config conf;
    struct config_app apps[2];
    struct config_channel ch[2];
};

struct view_fixture {
    struct test_conf tc;
    struct index_map *map;
    view_cache *vc;
};

/* Fill @p tc: that configuration on @p segment, refreshing views every
 * @p refresh_ms.  The strings are static: one configuration at a time. */
void conf_init(struct test_conf *tc, const char *segment, unsigned refresh_ms);

/* Open the map (@p index_file and @p pins as for index_map_open(), NULL
 * for none) and the cache, on f->tc as conf_init() and the test left it;
 * fails the test fatally if either cannot be made. */
void fixture_open(struct view_fixture *f, const char *index_file,
                  const struct config *pins);

/* Free the cache and the map. */
void fixture_close(struct view_fixture *f);

/* The traffic both suites start from: tcp_local -> ims-ms (2 recipients,
 * 3000 octets) delivered; tcp_local -> tcp_intranet (1, 500) deferred
 * with 4.4.1 then failed with 5.1.1; one message from outside into
 * tcp_local (1, 1025), still stored. */
void fixture_traffic(mtamon_t *m, mtamon_channel_t tcp_local,
                     mtamon_channel_t ims, mtamon_channel_t tcp_intranet);

#endif /* MTAMON_VIEW_FIXTURE_H */
