/*
 * exit_status.c - libmtamon results as sysexits(3) statuses.
 */
#include <sysexits.h>

#include "exit_status.h"

int exit_status_for(mtamon_result code)
{
    switch (code) {
    case MTAMON_OK: return EX_OK;
    case MTAMON_ERR_INVALID: return EX_USAGE;
    case MTAMON_ERR_NOENT: return EX_NOINPUT;
    case MTAMON_ERR_STALE: return EX_NOINPUT; /* deleted while being read */
    case MTAMON_ERR_EXISTS: return EX_CANTCREAT;
    case MTAMON_ERR_FOREIGN:
    case MTAMON_ERR_VERSION:
    case MTAMON_ERR_CORRUPT: return EX_DATAERR;
    case MTAMON_ERR_FULL: return EX_UNAVAILABLE;
    case MTAMON_ERR_PERM: return EX_NOPERM;
    case MTAMON_ERR_BUSY: return EX_TEMPFAIL;
    case MTAMON_ERR_SYSTEM: return EX_OSERR;
    }
    return EX_SOFTWARE;
}

const char *exit_status_name(int status)
{
    switch (status) {
    case EX_OK: return "stopped";
    case EX_USAGE: return "usage error";
    case EX_DATAERR: return "data format error";
    case EX_NOINPUT: return "input missing";
    case EX_NOUSER: return "unknown user or group";
    case EX_UNAVAILABLE: return "service unavailable";
    case EX_SOFTWARE: return "internal error";
    case EX_OSERR: return "system error";
    case EX_CANTCREAT: return "cannot create";
    case EX_IOERR: return "input/output error";
    case EX_TEMPFAIL: return "temporary failure (already running?)";
    case EX_NOPERM: return "permission denied";
    case EX_CONFIG: return "configuration error";
    }
    return "error";
}
