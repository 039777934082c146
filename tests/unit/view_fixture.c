/*
 * view_fixture.c - the hand-built configuration and view cache of the
 * view and MIB suites (see view_fixture.h).
 */
#include <stdio.h>
#include <string.h>

#include "unit_util.h"
#include "view_fixture.h"

static char s_empty[] = "";
static char s_mta[] = "mta";
static char s_imap[] = "imap";
static char s_ims[] = "ims-ms";
static char s_ims_desc[] = "message store";
static char s_tcp_local[] = "tcp_local";
static char s_segment[128];

void conf_init(struct test_conf *tc, const char *segment, unsigned refresh_ms)
{
    memset(tc, 0, sizeof *tc);
    snprintf(s_segment, sizeof s_segment, "%s", segment);
    struct config *c = &tc->conf;
    c->path = s_empty;
    c->segment = s_segment;
    c->refresh_ms = refresh_ms;
    struct config_app *a = tc->apps;
    a[0].kind = CONFIG_APP_MTA;
    a[0].index = 1;
    a[0].name = s_mta;
    a[1].kind = CONFIG_APP_SERVICE;
    a[1].index = 2;
    a[1].name = s_imap;
    for (int i = 0; i < 2; i++)
        a[i].version = a[i].description = a[i].url = a[i].directory_name = s_empty;
    c->apps = a;
    c->n_apps = 2;
    struct config_channel *ch = tc->ch; /* sorted by name */
    ch[0].name = ch[0].group_name = s_ims;
    ch[0].group_index = 7;
    ch[0].description = s_ims_desc;
    ch[1].name = ch[1].group_name = s_tcp_local;
    ch[0].url = ch[1].url = ch[1].description = s_empty;
    c->channels = ch;
    c->n_channels = 2;
}

void fixture_open(struct view_fixture *f, const char *index_file,
                  const struct config *pins)
{
    char err[256];
    f->map = index_map_open(index_file, pins, err, sizeof err);
    UT_REQUIRE(f->map);
    f->vc = view_cache_new(&f->tc.conf, f->map);
    UT_REQUIRE(f->vc);
}

void fixture_close(struct view_fixture *f)
{
    view_cache_free(f->vc);
    index_map_free(f->map);
}

void fixture_traffic(mtamon_t *m, mtamon_channel_t tl, mtamon_channel_t ims,
                     mtamon_channel_t ti)
{
    CU_ASSERT_EQUAL(mtamon_enqueue(m, tl, ims, 2, 3000), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, tl, ti, 1, 500), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_enqueue(m, 0, tl, 1, 1025), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_dequeue(m, ims, 2, 3000, 1, 1500), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_tempfail(m, ti, 1, 500, 4004001), MTAMON_OK);
    CU_ASSERT_EQUAL(mtamon_fail(m, ti, 1, 500, 5001001), MTAMON_OK);
}
