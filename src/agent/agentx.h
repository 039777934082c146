/*
 * agentx.h - mtamond as a Net-SNMP AgentX subagent: setting up the agent
 * library, the connection to the master and the main loop.
 *
 * The agent library never reads or writes a Net-SNMP configuration or
 * persistent file (a system /etc/snmp is never read, /var/lib/snmp never
 * written), and its messages go through log_msg().  The connection to the
 * master is Net-SNMP's own: when the master is not there yet, or goes
 * away, the library retries every ping interval and, on reconnecting,
 * registers the MIB subtrees again.  This module only reports the state
 * changes, each once: "AgentX master not reachable at SOCKET; retrying
 * every N s" and "connected to AgentX master at SOCKET".
 */
#ifndef MTAMON_AGENTX_H
#define MTAMON_AGENTX_H

#include "mtamon_config.h"
#include "view.h"

/**
 * Set up the agent library as a subagent of the master at
 * conf->agentx_socket (Net-SNMP's default when empty) with the ping
 * interval, timeout and retries of @p conf, register the MIB modules
 * serving views from @p vc, and make the first attempt to connect (a
 * missing master is not an error).  Call once.  Returns 0, or EX_SOFTWARE
 * after logging what failed.
 */
int agentx_start(const struct config *conf, view_cache *vc);

/**
 * The socket mtamond connects to, as it is shown in messages:
 * conf->agentx_socket or Net-SNMP's default (/var/agentx/master).
 */
const char *agentx_socket_name(const struct config *conf);

/** Where the session with the master stands (agentx_link()). */
enum agentx_link {
    AGENTX_LINK_WAITING,   /**< never connected yet; retrying */
    AGENTX_LINK_UP,        /**< session open, the subtrees registered */
    AGENTX_LINK_REFUSED,   /**< session open, a registration refused */
    AGENTX_LINK_LOST,      /**< was connected, lost it; retrying */
};

/**
 * The state of the session with the master.  Net-SNMP registers the
 * subtrees in the same call that opens the session, so between two turns
 * of agentx_run() (and after agentx_start()) AGENTX_LINK_UP means that
 * the master answers for them.
 */
enum agentx_link agentx_link(void);

/**
 * Serve requests until signals_stop_requested() (signals.h) is set.  The
 * other signals are handled between requests: SIGHUP is logged (a restart
 * is needed to read the configuration again), SIGUSR1 logs a status line
 * (agentx_log_status()), any other is logged and ignored.  Wakes up at
 * once on a signal, except while Net-SNMP waits synchronously for
 * the master (opening the session, a ping): that wait ends after the
 * configured timeout x (retries + 1) at most, and giving up a master that
 * stopped answering takes three such waits (ping, close, new open).
 * @p turn (NULL for none) is called with @p arg before the first wait and
 * after every turn of the loop (a request, a timer, a signal handled):
 * where a state change is noticed and reported.
 */
void agentx_run(void (*turn)(void *arg), void *arg);

/**
 * Log one line at notice level: the master's socket and whether it is
 * connected (and how many sessions were opened), the segment, its state
 * and generation, the rows of each table, the age of the view last
 * served, and how many varbinds were asked.
 */
void agentx_log_status(void);

struct snmp_session;

/**
 * The session with the master while connected (AgentX Open done), else
 * NULL: where a notification is sent.
 */
struct snmp_session *agentx_master_session(void);

/**
 * Close the session with the master (waiting half a second at most for
 * its answer, so a stalled master does not delay the stop) and shut the
 * agent library down.
 */
void agentx_stop(void);

#endif /* MTAMON_AGENTX_H */
