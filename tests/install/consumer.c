/*
 * consumer.c - a program outside the tree, built by `make installcheck`
 * against the installed mtamon.h, libmtamon and mtamon.pc: proves that
 * what is installed is enough to write and read counters.
 */
#define _POSIX_C_SOURCE 200809L /* getpid() under -std=c11 */
#include <stdio.h>
#include <unistd.h>

#include <mtamon.h>

int main(void)
{
    char name[64];
    snprintf(name, sizeof name, "/mtamon-installcheck-%d", (int)getpid());
    struct mtamon_error err;
    mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, NULL, &err);
    if (!m) {
        fprintf(stderr, "consumer: %s\n", err.message);
        return 1;
    }
    mtamon_channel_t in, out;
    int ok = mtamon_channel(m, "tcp_local", &in, &err) == MTAMON_OK &&
             mtamon_channel(m, "ims-ms", &out, &err) == MTAMON_OK &&
             mtamon_enqueue(m, in, out, 2, 2048) == MTAMON_OK;
    mtamon_close(m);

    mtamon_reader *r = ok ? mtamon_reader_open(name, &err) : NULL;
    struct mtamon_snapshot snap = {0};
    const struct mtamon_channel_stats *c = NULL;
    if (r && mtamon_snapshot_take(r, 0, &snap, NULL, &err) == MTAMON_OK)
        c = mtamon_snapshot_find(&snap, "ims-ms");
    ok = c && c->c[MTAMON_RECEIVED_RCPTS] == 2 && c->stored_volume == 2048;
    if (!ok)
        fprintf(stderr, "consumer: %s\n", c ? "wrong counts" : err.message);
    mtamon_snapshot_free(&snap);
    mtamon_reader_close(r);
    mtamon_unlink(name, NULL);
    printf("consumer: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
