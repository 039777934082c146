/*
 * alarm_state.h - mtamond's alarm state file (alarm_options.state_file,
 * default /var/lib/mtamon/alarms.json): the alarm engine's rows and
 * totals as the JSON document of alarm_file.h, for `mtamon alarms`.
 * Written whole through atomic_file_write() (a reader sees the old file
 * or the new one), mode 0644: it holds nothing secret, and the command
 * is for whoever may read the configuration.
 */
#ifndef MTAMON_ALARM_STATE_H
#define MTAMON_ALARM_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "alarm.h"
#include "mtamon_config.h"

/**
 * Replace @p path with the state of @p e, the engine of @p conf's
 * alarms: every configured alarm in configuration order with its
 * settings and its rows (in mtamonAlarmTable's order), the notification
 * totals, @p pending notifications waiting for the master, this host's
 * name, and @p wall_ms (ms since the epoch) as the time written.
 * Returns 0, or -1 with a one-line message naming @p path in @p err
 * (@p errlen bytes): atomic_file_write()'s, or "PATH: out of memory".
 */
int alarm_state_write(const char *path, const alarm_engine *e, const struct config *conf,
                      int64_t wall_ms, unsigned pending, char *err, size_t errlen);

#endif /* MTAMON_ALARM_STATE_H */
