/*
 * test_atomic_file.c - the files the daemons keep: atomic_file_write()
 * (content, mode, no temporary file left, symbolic links and other
 * non-files at the target refused and left alone) and file_trust_check()
 * (StrictModes: owner and write bits of the file and its directory).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_util.h"

#include "atomic_file.h"
#include "file_trust.h"

static char dir[128];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/mtamon-ut-afile-%ld-XXXXXX", (long)getpid());
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    CU_ASSERT_EQUAL(chmod(dir, 0755), 0);
}

/* Remove the directory and its (flat) content. */
static void remove_dir(void)
{
    DIR *d = opendir(dir);
    const struct dirent *de;
    char sub[400];
    while (d && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
        unlink(sub);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

static void in_dir(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", dir, name);
}

/* The file's content, exactly (at most 255 bytes), or "<errno text>". */
static const char *content(const char *path)
{
    static char buf[256];
    int fd = open(path, O_RDONLY | O_NOFOLLOW);
    if (fd < 0)
        return strerror(errno);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n < 0 ? 0 : n] = '\0';
    return buf;
}

/* Entries of the directory, "." and ".." left out. */
static int entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    const struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

static void test_write_and_replace(void)
{
    char path[256], err[512] = "";
    make_dir();
    in_dir(path, sizeof path, "state");
    mode_t old = umask(077);
    CU_ASSERT_EQUAL(atomic_file_write(path, 0644, "one\n", 4, err, sizeof err), 0);
    umask(old);
    CU_ASSERT_STRING_EQUAL(content(path), "one\n");
    struct stat st;
    CU_ASSERT_EQUAL(lstat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0644); /* not reduced by the umask */
    CU_ASSERT_EQUAL(st.st_uid, geteuid());
    ino_t first = st.st_ino;
    CU_ASSERT_EQUAL(atomic_file_write(path, 0600, "two", 3, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(content(path), "two");
    CU_ASSERT_EQUAL(lstat(path, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
    CU_ASSERT_NOT_EQUAL(st.st_ino, first); /* replaced, not rewritten */
    CU_ASSERT_EQUAL(atomic_file_write(path, 0644, "", 0, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(content(path), "");
    CU_ASSERT_EQUAL(entries(), 1); /* no temporary file left */
    remove_dir();
}

static void test_links_and_non_files_refused(void)
{
    char path[256], victim[256], err[512] = "", want[700];
    make_dir();
    in_dir(path, sizeof path, "state");
    in_dir(victim, sizeof victim, "victim");
    CU_ASSERT_EQUAL(atomic_file_write(victim, 0600, "precious", 8, err, sizeof err), 0);

    CU_ASSERT_EQUAL(symlink(victim, path), 0);
    CU_ASSERT_EQUAL(atomic_file_write(path, 0644, "evil", 4, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: is a symbolic link: not replaced", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_STRING_EQUAL(content(victim), "precious");
    struct stat st;
    CU_ASSERT_EQUAL(lstat(path, &st), 0);
    CU_ASSERT(S_ISLNK(st.st_mode));
    /* A dangling link too: following it would create its target. */
    CU_ASSERT_EQUAL(unlink(path), 0);
    char nowhere[256];
    in_dir(nowhere, sizeof nowhere, "created-through-the-link");
    CU_ASSERT_EQUAL(symlink(nowhere, path), 0);
    CU_ASSERT_EQUAL(atomic_file_write(path, 0644, "evil", 4, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(access(nowhere, F_OK), -1);
    CU_ASSERT_EQUAL(unlink(path), 0);

    CU_ASSERT_EQUAL(mkfifo(path, 0600), 0);
    CU_ASSERT_EQUAL(atomic_file_write(path, 0644, "x", 1, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: not a regular file: not replaced", path);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(unlink(path), 0);

    in_dir(path, sizeof path, "no/such/state");
    CU_ASSERT_EQUAL(atomic_file_write(path, 0644, "x", 1, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s: cannot create a temporary file in %s/no/such: "
             "No such file or directory", path, dir);
    CU_ASSERT_STRING_EQUAL(err, want);
    CU_ASSERT_EQUAL(entries(), 1); /* the victim only */
    remove_dir();
}

static void test_dir_of_and_sync(void)
{
    char buf[64];
    CU_ASSERT_EQUAL(atomic_file_dir_of("/var/lib/x", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "/var/lib");
    CU_ASSERT_EQUAL(atomic_file_dir_of("/x", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, "/");
    CU_ASSERT_EQUAL(atomic_file_dir_of("x", buf, sizeof buf), 0);
    CU_ASSERT_STRING_EQUAL(buf, ".");
    CU_ASSERT_EQUAL(atomic_file_dir_of("/0123456789/x", buf, 8), -1);
    CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
    CU_ASSERT_EQUAL(atomic_file_sync_dir("/tmp/anything"), 0);
    CU_ASSERT_EQUAL(atomic_file_sync_dir("/no/such/dir/x"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
}

/* file_trust_check(@p path, @p owner) fails with exactly @p want. */
static void expect_untrusted(const char *path, uid_t owner, const char *want)
{
    char err[512] = "";
    CU_ASSERT_EQUAL(file_trust_check(path, owner, err, sizeof err), -1);
    CU_ASSERT_STRING_EQUAL(err, want);
    if (strcmp(err, want) != 0)
        fprintf(stderr, "\n    expected: %s\n    actual:   %s\n", want, err);
}

static void test_strict_modes(void)
{
    char path[256], link[256], err[512] = "", want[700];
    uid_t me = geteuid();
    /* Not us and not root: whom a file of ours must not be trusted for. */
    uid_t other = me == 0 ? 65534 : me + 1;
    make_dir();
    in_dir(path, sizeof path, "group-index");

    CU_ASSERT_EQUAL(file_trust_check(path, me, err, sizeof err), 0); /* missing */
    CU_ASSERT_EQUAL(atomic_file_write(path, 0644, "1 a\n", 4, err, sizeof err), 0);
    CU_ASSERT_EQUAL(file_trust_check(path, me, err, sizeof err), 0);
    in_dir(link, sizeof link, "no/such/file");
    CU_ASSERT_EQUAL(file_trust_check(link, me, err, sizeof err), 0);

    /* Group or other write permission on the directory, then the file. */
    static const struct {
        int on_dir;
        mode_t mode;
        const char *by;
    } modes[] = {
        {1, 0775, "its group"}, {1, 01777, "anyone"},
        {0, 0664, "its group"}, {0, 0646, "anyone"},
    };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const char *target = modes[i].on_dir ? dir : path;
        CU_ASSERT_EQUAL(chmod(target, modes[i].mode), 0);
        snprintf(want, sizeof want, "%s %s: writable by %s (mode %04o): only "
                 "its owner may write it", modes[i].on_dir ? "directory" : "file",
                 target, modes[i].by, (unsigned)modes[i].mode);
        expect_untrusted(path, me, want);
        CU_ASSERT_EQUAL(chmod(target, modes[i].on_dir ? 0755 : 0644), 0);
    }

    if (me == 0) {
        /* Owned by someone else: the file, then the directory. */
        CU_ASSERT_EQUAL(chown(path, other, (gid_t)-1), 0);
        snprintf(want, sizeof want, "file %s: owned by uid %ld: must be owned "
                 "by root or uid 108", path, (long)other);
        expect_untrusted(path, 108, want);
        CU_ASSERT_EQUAL(file_trust_check(path, other, err, sizeof err), 0);
        CU_ASSERT_EQUAL(chown(path, 0, (gid_t)-1), 0);
        CU_ASSERT_EQUAL(chown(dir, other, (gid_t)-1), 0);
        snprintf(want, sizeof want, "directory %s: owned by uid %ld: must be "
                 "owned by root or uid 108", dir, (long)other);
        expect_untrusted(path, 108, want);
        CU_ASSERT_EQUAL(chown(dir, 0, (gid_t)-1), 0);
    } else {
        /* Our own files, checked for another daemon user. */
        snprintf(want, sizeof want, "directory %s: owned by uid %ld: must be "
                 "owned by root or uid %ld", dir, (long)me, (long)other);
        expect_untrusted(path, other, want);
    }

    in_dir(link, sizeof link, "link");
    CU_ASSERT_EQUAL(symlink(path, link), 0);
    snprintf(want, sizeof want, "file %s: is a symbolic link", link);
    expect_untrusted(link, me, want);
    CU_ASSERT_EQUAL(unlink(link), 0);
    CU_ASSERT_EQUAL(mkfifo(link, 0600), 0);
    snprintf(want, sizeof want, "file %s: not a regular file", link);
    expect_untrusted(link, me, want);
    remove_dir();
}

UT_MAIN("atomic_file",
        {"write and replace", test_write_and_replace},
        {"links and non-files refused", test_links_and_non_files_refused},
        {"directory of a path, directory sync", test_dir_of_and_sync},
        {"StrictModes", test_strict_modes})
