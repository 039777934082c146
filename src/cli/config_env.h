/*
 * config_env.h - does this machine give mtamond what a configuration asks
 * for at start?  The environment half of `mtamon check-config` (the
 * file's syntax and meaning are config_load()'s).
 *
 * The checks follow mtamond's start-up (src/agent/main.c) with the same
 * functions where it has them: daemon_identity_lookup() for daemon.user
 * and daemon.group, file_trust_check() for the group-index file,
 * segment_trust_check() and libmtamon's reader for the segment.  What
 * mtamond does as whom is mirrored too: the pidfile is written by the
 * user that starts it, everything after by daemon.user when it starts as
 * root (else by the starting user: the checks are made for the user
 * running check-config).
 *
 * Errors are what stops mtamond or takes from it what it must have (a
 * user or group that does not exist, a pidfile it cannot create, a
 * group-index file it refuses or cannot write, so that mtaGroupIndex
 * would not survive a restart); warnings what may legitimately appear
 * later (the counter segment, the AgentX master's socket) but leaves the
 * MTA down or mtamond unconnected until it does.
 */
#ifndef MTAMON_CONFIG_ENV_H
#define MTAMON_CONFIG_ENV_H

#include "mtamon_config.h"

enum config_env_severity {
    CONFIG_ENV_ERROR,
    CONFIG_ENV_WARNING,
};

/**
 * Receives one finding: @p key is the configuration key it is about
 * ("daemon.user", "segment.name"...), @p what a sentence without the
 * file's name.
 */
typedef void config_env_report_fn(void *ctx, enum config_env_severity severity,
                                  const char *key, const char *what);

/**
 * Check the environment @p conf needs, calling @p report for each
 * finding, in the order mtamond meets them.  Reads only: creates,
 * changes and locks nothing (a running mtamond's pidfile is not a
 * finding).
 */
void config_env_check(const struct config *conf, config_env_report_fn *report,
                      void *ctx);

#endif /* MTAMON_CONFIG_ENV_H */
