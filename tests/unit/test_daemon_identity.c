/*
 * test_daemon_identity.c - daemon_identity_may() (src/common/
 * daemon_identity.c): the kernel's one-class rule (owner, else group,
 * else others), supplementary groups, root; daemon_identity_creds() and
 * daemon_identity_lookup() for a user every Debian has (nobody) and for
 * names that do not exist.
 */
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "unit_util.h"

#include "daemon_identity.h"

/* A file of owner 100, group 200 and @p mode. */
static struct stat file_of(mode_t mode)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_uid = 100;
    st.st_gid = 200;
    st.st_mode = S_IFREG | mode;
    return st;
}

static struct daemon_identity_creds creds(uid_t uid, gid_t gid)
{
    struct daemon_identity_creds c;
    memset(&c, 0, sizeof c);
    c.uid = uid;
    c.gid = gid;
    return c;
}

static void test_one_class(void)
{
    struct daemon_identity_creds owner = creds(100, 999);
    struct daemon_identity_creds member = creds(101, 200);
    struct daemon_identity_creds other = creds(102, 999);
    struct stat st = file_of(0640);
    CU_ASSERT_TRUE(daemon_identity_may(&owner, &st, R_OK | W_OK));
    CU_ASSERT_TRUE(daemon_identity_may(&member, &st, R_OK));
    CU_ASSERT_FALSE(daemon_identity_may(&member, &st, W_OK));
    CU_ASSERT_FALSE(daemon_identity_may(&other, &st, R_OK));
    /* Mode 0604: others may read, the group may not, and a member of
     * the group is judged by the group's bits only. */
    st = file_of(0604);
    CU_ASSERT_TRUE(daemon_identity_may(&other, &st, R_OK));
    CU_ASSERT_FALSE(daemon_identity_may(&member, &st, R_OK));
    /* Mode 0066: the owner, judged by its own bits, may not. */
    st = file_of(0066);
    CU_ASSERT_FALSE(daemon_identity_may(&owner, &st, R_OK));
    CU_ASSERT_TRUE(daemon_identity_may(&member, &st, R_OK | W_OK));
}

static void test_supplementary_group(void)
{
    struct daemon_identity_creds c = creds(101, 999);
    struct stat st = file_of(0660);
    CU_ASSERT_FALSE(daemon_identity_may(&c, &st, R_OK));
    c.groups[0] = 5;
    c.groups[1] = 200;
    c.n_groups = 2;
    CU_ASSERT_TRUE(daemon_identity_may(&c, &st, R_OK | W_OK));
}

static void test_directory_search(void)
{
    struct daemon_identity_creds other = creds(102, 999);
    struct stat dir = file_of(0755);
    dir.st_mode = S_IFDIR | 0755;
    CU_ASSERT_TRUE(daemon_identity_may(&other, &dir, X_OK));
    CU_ASSERT_FALSE(daemon_identity_may(&other, &dir, W_OK | X_OK));
    dir.st_mode = S_IFDIR | 0750;
    CU_ASSERT_FALSE(daemon_identity_may(&other, &dir, X_OK));
}

static void test_root(void)
{
    struct daemon_identity_creds root = creds(0, 0);
    struct stat st = file_of(0000);
    CU_ASSERT_TRUE(daemon_identity_may(&root, &st, R_OK | W_OK));
    CU_ASSERT_FALSE(daemon_identity_may(&root, &st, X_OK));   /* no x bit */
    st.st_mode = S_IFREG | 0001;
    CU_ASSERT_TRUE(daemon_identity_may(&root, &st, X_OK));
    st.st_mode = S_IFDIR;   /* mode 0000 */
    CU_ASSERT_TRUE(daemon_identity_may(&root, &st, X_OK));
}

static void test_lookup(void)
{
    struct daemon_identity id;
    char err[256];
    CU_ASSERT_EQUAL(daemon_identity_lookup("", "", &id, err, sizeof err), 0);
    CU_ASSERT_EQUAL(id.change, 0);
    CU_ASSERT_EQUAL(daemon_identity_lookup("mtamon-no-such-user", "", &id, err,
                                           sizeof err), EX_NOUSER);
    CU_ASSERT_STRING_EQUAL(err, "unknown user 'mtamon-no-such-user'");
    const struct passwd *pw = getpwnam("nobody");
    if (!pw)
        return;   /* a system without nobody: nothing more to check */
    CU_ASSERT_EQUAL(daemon_identity_lookup("nobody", "mtamon-no-such-group", &id,
                                           err, sizeof err), EX_NOUSER);
    CU_ASSERT_STRING_EQUAL(err, "unknown group 'mtamon-no-such-group'");
    CU_ASSERT_EQUAL(daemon_identity_lookup("nobody", "", &id, err, sizeof err), 0);
    CU_ASSERT_EQUAL(id.uid, pw->pw_uid);
    CU_ASSERT_EQUAL(id.gid, pw->pw_gid);
    CU_ASSERT_EQUAL(id.change, geteuid() == 0);
    struct daemon_identity_creds c;
    CU_ASSERT_EQUAL(daemon_identity_creds(&id, &c, err, sizeof err), 0);
    if (id.change) {
        /* What initgroups() gives: the gid asked for among the groups. */
        CU_ASSERT_EQUAL(c.uid, pw->pw_uid);
        CU_ASSERT_STRING_EQUAL(c.name, "nobody");
        int found = 0;
        for (int i = 0; i < c.n_groups; i++)
            found |= c.groups[i] == pw->pw_gid;
        CU_ASSERT_TRUE(found);
    } else {
        CU_ASSERT_EQUAL(c.uid, geteuid());
        CU_ASSERT_EQUAL(c.gid, getegid());
    }
}

UT_MAIN("daemon_identity",
        {"owner, else group, else others", test_one_class},
        {"a supplementary group counts", test_supplementary_group},
        {"directories: search and write", test_directory_search},
        {"root", test_root},
        {"lookup and the switched credentials", test_lookup})
