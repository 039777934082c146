/*
 * exit_status.h - the sysexits(3) status a command exits with for a
 * libmtamon result, shared by every mtamon program.
 */
#ifndef MTAMON_EXIT_STATUS_H
#define MTAMON_EXIT_STATUS_H

#include "mtamon.h"

/**
 * EX_OK for MTAMON_OK; EX_NOINPUT for a missing (or deleted) segment,
 * EX_DATAERR for a foreign, corrupt or newer one, EX_UNAVAILABLE when
 * full, EX_CANTCREAT when it exists, EX_NOPERM, EX_TEMPFAIL when busy,
 * EX_USAGE for an invalid argument, EX_OSERR for other system errors.
 */
int exit_status_for(mtamon_result code);

/**
 * What a sysexits(3) @p status means, for a daemon's last log line:
 * "stopped" for EX_OK, "configuration error" for EX_CONFIG, ...;
 * "error" for a status sysexits does not name.
 */
const char *exit_status_name(int status);

#endif /* MTAMON_EXIT_STATUS_H */
