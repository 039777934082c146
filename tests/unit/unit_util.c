/*
 * unit_util.c - shared helpers of the libmtamon CUnit suites.
 */
#include "unit_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#define UT_PREFIX "/mtamon-ut-"
#define UT_MAX_NAMES 1024
#define UT_NAME_LEN 256

/* Registry of names to unlink.  Paths are kept ready-made so that the
 * signal handler only needs unlink(), which is async-signal-safe. */
static char ut_names[UT_MAX_NAMES][UT_NAME_LEN];
static char ut_paths[UT_MAX_NAMES][UT_NAME_LEN + 16];
static volatile sig_atomic_t ut_n_names;
static pid_t ut_owner;
static unsigned ut_counter;

void ut_shm_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "/dev/shm%s", name);
}

static const char *ut_register(const char *name)
{
    for (int i = 0; i < ut_n_names; i++)
        if (strcmp(ut_names[i], name) == 0)
            return ut_names[i];
    if (ut_n_names >= UT_MAX_NAMES) {
        fprintf(stderr, "unit_util: too many segment names\n");
        abort();
    }
    int i = ut_n_names;
    snprintf(ut_names[i], sizeof ut_names[i], "%s", name);
    ut_shm_path(name, ut_paths[i], sizeof ut_paths[i]);
    ut_n_names = i + 1;
    return ut_names[i];
}

void ut_cleanup(void)
{
    if (getpid() != ut_owner)
        return; /* a forked child: the names belong to its parent */
    for (int i = 0; i < ut_n_names; i++)
        shm_unlink(ut_names[i]);
}

static void ut_on_signal(int sig)
{
    if (getpid() == ut_owner)
        for (int i = 0; i < ut_n_names; i++)
            unlink(ut_paths[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Remove objects left by earlier runs that died without cleaning up. */
static void ut_sweep(void)
{
    DIR *d = opendir("/dev/shm");
    if (!d)
        return;
    const char *prefix = UT_PREFIX + 1;
    size_t plen = strlen(prefix);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, prefix, plen) != 0)
            continue;
        char *end = NULL;
        long pid = strtol(de->d_name + plen, &end, 10);
        if (pid <= 0 || !end || *end != '-')
            continue;
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            char path[300];
            snprintf(path, sizeof path, "/dev/shm/%s", de->d_name);
            unlink(path);
        }
    }
    closedir(d);
}

static void ut_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    ut_owner = getpid();
    ut_sweep();
    atexit(ut_cleanup);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ut_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
}

const char *ut_name(void)
{
    ut_init();
    char name[UT_NAME_LEN];
    snprintf(name, sizeof name, UT_PREFIX "%ld-%u", (long)getpid(), ++ut_counter);
    shm_unlink(name); /* a leftover of a dead process that reused our pid */
    return ut_register(name);
}

void ut_track(const char *name)
{
    ut_init();
    (void)ut_register(name);
}

mtamon_t *ut_create(const char *name, uint32_t channels, uint32_t assocs)
{
    struct mtamon_create_params p = {.channel_capacity = channels, .assoc_capacity = assocs};
    struct mtamon_error err = {0};
    mtamon_t *m = mtamon_open(name, MTAMON_OPEN_CREATE | MTAMON_OPEN_EXCL, &p, &err);
    if (!m)
        fprintf(stderr, "\n    cannot create %s: %s\n", name, err.message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    return m;
}

mtamon_channel_t ut_channel(mtamon_t *m, const char *chname)
{
    mtamon_channel_t ch = 0;
    struct mtamon_error err = {0};
    mtamon_result st = mtamon_channel(m, chname, &ch, &err);
    if (st != MTAMON_OK)
        fprintf(stderr, "\n    cannot register %s: %s\n", chname, err.message);
    CU_ASSERT_EQUAL_FATAL(st, MTAMON_OK);
    CU_ASSERT_FATAL(ch != 0);
    return ch;
}

/* ------------------------------------------------------------------------ */

static int ut_open(const char *name, int flags)
{
    return shm_open(name, flags, 0600);
}

/* pwrite (@p writing) or pread all @p len bytes at @p off, retrying on
 * EINTR and short transfers.  0 on success, -1 on an error or EOF. */
static int xfer_all(int fd, void *data, size_t len, off_t off, int writing)
{
    char *p = data;
    while (len > 0) {
        ssize_t n = writing ? pwrite(fd, p, len, off) : pread(fd, p, len, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

static int write_all(int fd, const void *data, size_t len, off_t off)
{
    return xfer_all(fd, (void *)(uintptr_t)data, len, off, 1);
}

static int read_all(int fd, void *data, size_t len, off_t off)
{
    return xfer_all(fd, data, len, off, 0);
}

unsigned char *ut_read_bytes(const char *name, size_t *len)
{
    int fd = ut_open(name, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = malloc(size ? size : 1);
    if (buf && read_all(fd, buf, size, 0) != 0) {
        free(buf);
        buf = NULL;
    }
    close(fd);
    if (buf)
        *len = size;
    return buf;
}

int ut_bytes_equal(const char *name, const unsigned char *bytes, size_t len)
{
    size_t now_len = 0;
    unsigned char *now = ut_read_bytes(name, &now_len);
    int same = now && now_len == len && memcmp(now, bytes, len) == 0;
    free(now);
    return same;
}

int ut_write_bytes(const char *name, const void *data, size_t len)
{
    ut_init();
    (void)ut_register(name);
    int fd = ut_open(name, O_RDWR | O_CREAT);
    if (fd < 0)
        return -1;
    int rc = ftruncate(fd, (off_t)len) == 0 ? write_all(fd, data, len, 0) : -1;
    close(fd);
    return rc;
}

/* Write (@p writing) or read @p len bytes at @p off of the object. */
static int xfer_at(const char *name, size_t off, void *data, size_t len, int writing)
{
    int fd = ut_open(name, writing ? O_RDWR : O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = xfer_all(fd, data, len, (off_t)off, writing);
    close(fd);
    return rc;
}

int ut_patch(const char *name, size_t off, const void *data, size_t len)
{
    return xfer_at(name, off, (void *)(uintptr_t)data, len, 1);
}

int ut_patch_u32(const char *name, size_t off, uint32_t v)
{
    return ut_patch(name, off, &v, sizeof v);
}

int ut_patch_u64(const char *name, size_t off, uint64_t v)
{
    return ut_patch(name, off, &v, sizeof v);
}

int ut_peek(const char *name, size_t off, void *data, size_t len)
{
    return xfer_at(name, off, data, len, 0);
}

int ut_truncate(const char *name, size_t len)
{
    int fd = ut_open(name, O_RDWR);
    if (fd < 0)
        return -1;
    int rc = ftruncate(fd, (off_t)len);
    close(fd);
    return rc;
}

int ut_mode(const char *name)
{
    char path[UT_NAME_LEN + 300];
    ut_shm_path(name, path, sizeof path);
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (int)(st.st_mode & 07777);
}

int ut_exists(const char *name)
{
    char path[UT_NAME_LEN + 300];
    ut_shm_path(name, path, sizeof path);
    return access(path, F_OK) == 0;
}

/* ------------------------------------------------------------------------ */

void ut_snapshot(const char *name, unsigned flags, struct mtamon_snapshot *snap)
{
    struct mtamon_error err = {0};
    mtamon_reader *r = mtamon_reader_open(name, &err);
    if (!r)
        fprintf(stderr, "\n    cannot open reader on %s: %s\n", name, err.message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    mtamon_result st = mtamon_snapshot_take(r, flags, snap, NULL, &err);
    mtamon_reader_close(r);
    if (st != MTAMON_OK)
        fprintf(stderr, "\n    cannot take snapshot of %s: %s\n", name, err.message);
    CU_ASSERT_EQUAL_FATAL(st, MTAMON_OK);
}

/* One of a snapshot's counts: channels (0) or associations (1). */
static uint32_t snapshot_count(const char *name, int assocs)
{
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, 0, &snap);
    uint32_t n = assocs ? snap.n_assocs : snap.n_channels;
    mtamon_snapshot_free(&snap);
    return n;
}

uint32_t ut_n_channels(const char *name)
{
    return snapshot_count(name, 0);
}

uint32_t ut_n_assocs(const char *name)
{
    return snapshot_count(name, 1);
}

void ut_channel_stats(const char *name, const char *chname, unsigned flags,
                      struct mtamon_channel_stats *out)
{
    struct mtamon_snapshot snap = {0};
    ut_snapshot(name, flags, &snap);
    const struct mtamon_channel_stats *c = mtamon_snapshot_find(&snap, chname);
    if (c)
        *out = *c;
    else
        memset(out, 0, sizeof *out);
    mtamon_snapshot_free(&snap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
}

const struct mtamon_status_count *
ut_status_row(const struct mtamon_channel_stats *c, mtamon_status_code code)
{
    for (unsigned i = 0; i < c->n_status && i < MTAMON_STATUS_SLOTS; i++)
        if (c->status[i].code == code)
            return &c->status[i];
    return NULL;
}

void ut_assert_assocs(const struct mtamon_channel_stats *c, const char *what,
                      struct ut_assocs want)
{
    const struct ut_assocs got = {
        c->c[MTAMON_IN_ASSOCS], c->c[MTAMON_IN_ASSOCS_CLOSED],
        c->c[MTAMON_OUT_ASSOCS], c->c[MTAMON_OUT_ASSOCS_CLOSED],
        c->in_assocs_current, c->out_assocs_current,
    };
    CU_ASSERT_EQUAL(got.in, want.in);
    CU_ASSERT_EQUAL(got.in_closed, want.in_closed);
    CU_ASSERT_EQUAL(got.out, want.out);
    CU_ASSERT_EQUAL(got.out_closed, want.out_closed);
    CU_ASSERT_EQUAL(got.in_current, want.in_current);
    CU_ASSERT_EQUAL(got.out_current, want.out_current);
    if (memcmp(&got, &want, sizeof got) != 0)
        fprintf(stderr,
                "\n    %s: associations in %llu/%llu closed, out %llu/%llu closed, "
                "open %lld in %lld out\n",
                what, (unsigned long long)got.in, (unsigned long long)got.in_closed,
                (unsigned long long)got.out, (unsigned long long)got.out_closed,
                (long long)got.in_current, (long long)got.out_current);
}

int64_t ut_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------ */

pid_t ut_fork(void)
{
    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    return pid;
}

int ut_wait(pid_t pid)
{
    int status = 0;
    pid_t r;
    while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r != pid)
        return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

int ut_barrier_init(struct ut_barrier *b)
{
    return pipe(b->fd);
}

void ut_barrier_wait(struct ut_barrier *b)
{
    char c;
    close(b->fd[1]);
    while (read(b->fd[0], &c, 1) < 0 && errno == EINTR) {
    }
    close(b->fd[0]);
}

void ut_barrier_release(struct ut_barrier *b)
{
    close(b->fd[1]);
    close(b->fd[0]);
}

pid_t ut_dead_pid(void)
{
    pid_t pid = ut_fork();
    if (pid == 0)
        _exit(0);
    CU_ASSERT_EQUAL(ut_wait(pid), 0);
    return pid;
}

/* ------------------------------------------------------------------------ */

static int ut_saved_stderr = -1;
static char ut_capture_path[64];

void ut_capture_stderr_start(void)
{
    snprintf(ut_capture_path, sizeof ut_capture_path, "/tmp/mtamon-ut-stderr-XXXXXX");
    int fd = mkstemp(ut_capture_path);
    if (fd < 0)
        ut_capture_path[0] = '\0';
    fflush(stderr);
    ut_saved_stderr = dup(2);
    if (fd >= 0) {
        dup2(fd, 2);
        close(fd);
    }
}

char *ut_capture_stderr_stop(void)
{
    fflush(stderr);
    if (ut_saved_stderr >= 0) {
        dup2(ut_saved_stderr, 2);
        close(ut_saved_stderr);
        ut_saved_stderr = -1;
    }
    char *text = NULL;
    if (ut_capture_path[0]) {
        int fd = open(ut_capture_path, O_RDONLY);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0) {
            size_t size = (size_t)st.st_size;
            text = malloc(size + 1);
            if (text && read_all(fd, text, size, 0) == 0) {
                text[size] = '\0';
            } else {
                free(text);
                text = NULL;
            }
        }
        if (fd >= 0)
            close(fd);
        unlink(ut_capture_path);
        ut_capture_path[0] = '\0';
    }
    return text ? text : strdup("");
}

/* ------------------------------------------------------------------------ */
/* Scratch directory trees                                                   */

void ut_make_dir(char *buf, size_t len, const char *tag)
{
    snprintf(buf, len, "/tmp/mtamon-ut-%s.XXXXXX", tag);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(buf));
}

void ut_write_file(const char *path, const void *text, size_t len)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(text, 1, len, f), len);
    CU_ASSERT_EQUAL(fclose(f), 0);
}

void ut_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[512];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                ut_remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

/* ------------------------------------------------------------------------ */

int unit_main(const char *suite, const struct unit_test *tests)
{
    ut_init();
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "%s: %s\n", suite, CU_get_error_msg());
        return 1;
    }
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    if (!s) {
        fprintf(stderr, "%s: %s\n", suite, CU_get_error_msg());
        CU_cleanup_registry();
        return 1;
    }
    for (const struct unit_test *t = tests; t->name; t++)
        if (!CU_add_test(s, t->name, t->fn)) {
            fprintf(stderr, "%s: %s\n", suite, CU_get_error_msg());
            CU_cleanup_registry();
            return 1;
        }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode rc = CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    unsigned tests_failed = CU_get_number_of_tests_failed();
    unsigned suites_failed = CU_get_number_of_suites_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    ut_cleanup();
    printf("\n%s: %u tests run, %u failed, %u failed assertions\n", suite, run,
           tests_failed, failures);
    fflush(stdout);
    return rc != CUE_SUCCESS || failures || tests_failed || suites_failed ? 1 : 0;
}
