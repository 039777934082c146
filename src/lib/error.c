/*
 * error.c - status texts and the error-filling helper.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib_internal.h"

const char *mtamon_strerror(mtamon_result code)
{
    switch (code) {
    case MTAMON_OK: return "success";
    case MTAMON_ERR_INVALID: return "invalid argument";
    case MTAMON_ERR_NOENT: return "segment not found";
    case MTAMON_ERR_EXISTS: return "segment already exists";
    case MTAMON_ERR_FOREIGN: return "not an mtamon segment";
    case MTAMON_ERR_VERSION: return "segment layout too new";
    case MTAMON_ERR_CORRUPT: return "segment corrupt";
    case MTAMON_ERR_FULL: return "no free slot";
    case MTAMON_ERR_PERM: return "permission denied";
    case MTAMON_ERR_BUSY: return "segment busy";
    case MTAMON_ERR_SYSTEM: return "system error";
    case MTAMON_ERR_STALE: return "segment deleted or re-created";
    }
    return "unknown error";
}

mtamon_result mtamon__set_error(struct mtamon_error *err, mtamon_result code,
                                const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

mtamon_result mtamon__segment_errno(struct mtamon_error *err, int e,
                                    const char *verb, const char *name)
{
    if (e == ENOENT)
        return mtamon__set_error(err, MTAMON_ERR_NOENT,
                                 "segment %s does not exist", name);
    return mtamon__set_error(err, mtamon__errno_status(e),
                             "cannot %s segment %s: %s", verb, name,
                             strerror(e));
}
