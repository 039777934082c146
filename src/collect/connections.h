/*
 * connections.h - TCP connections on watched local ports (connections:
 * in mtamon.yaml), per port and state and per remote address, from the
 * kernel's socket tables (PROC/net/tcp and PROC/net/tcp6) - what the
 * seed's administrators read with netstat to spot an SMTP flood.  No SNMP
 * here.
 */
#ifndef MTAMON_CONNECTIONS_H
#define MTAMON_CONNECTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "mtamon_config.h"

/** TCP states, numbered as the kernel numbers them (and MTAMON-MIB). */
enum connections_state {
    CONN_ESTABLISHED = 1, CONN_SYN_SENT, CONN_SYN_RECV, CONN_FIN_WAIT1,
    CONN_FIN_WAIT2, CONN_TIME_WAIT, CONN_CLOSE, CONN_CLOSE_WAIT,
    CONN_LAST_ACK, CONN_LISTEN, CONN_CLOSING,
    CONN_STATE_MAX = CONN_CLOSING
};

/** Longest error text kept. */
#define CONNECTIONS_ERROR_MAX 256

/** A remote address and how many connections it holds to one port. */
struct connections_remote {
    int family;              /**< AF_INET or AF_INET6 */
    uint8_t addr[16];        /**< 4 or 16 bytes, network order; an
                                  IPv4-mapped IPv6 address is AF_INET */
    uint32_t count;          /**< connections in any state but LISTEN */
};

/**
 * Most distinct remote addresses told apart per port in one read (a flood
 * of many sources).  Above it every connection is still counted in
 * by_state, and remotes already seen keep counting, but a remote first
 * seen beyond the cap is neither counted in n_remotes nor ranked: its
 * connections are added to `unranked` instead.  Memory per port is
 * proportional to its distinct remotes, at most about 6 MB at the cap,
 * and only during a read.
 */
#define CONNECTIONS_REMOTES_MAX 131072

/** One watched local port. */
struct connections_port {
    uint16_t port;
    uint32_t by_state[CONN_STATE_MAX + 1];  /**< [state]; [0] unused */
    uint32_t n_remotes;      /**< distinct remote addresses (not LISTEN),
                                  at most CONNECTIONS_REMOTES_MAX */
    /** Connections (not LISTEN) of remotes beyond CONNECTIONS_REMOTES_MAX,
     * counted in by_state but in no remote's count; 0 unless flooded. */
    uint32_t unranked;
    /** The config's `top` remotes with the most connections, most first
     * (ties: lower address first: IPv4 before IPv6, then bytewise); n_top
     * of them. */
    struct connections_remote *top;
    size_t n_top;
};

/** One read of the socket tables. */
struct connections_stats {
    int ok;                  /**< 1 when read, 0 when not (see error) */
    char error[CONNECTIONS_ERROR_MAX];
    struct connections_port *ports;   /**< the config's ports, sorted */
    size_t n_ports;
    int64_t read_ms;         /**< when (wall clock) */
};

/** One socket: a line of PROC/net/tcp or PROC/net/tcp6. */
struct connections_socket {
    uint16_t local_port;
    enum connections_state state;
    int family;              /**< the remote's: AF_INET or AF_INET6 (an
                                  IPv4-mapped address of tcp6 is AF_INET) */
    uint8_t remote[16];      /**< network order, 4 or 16 bytes used */
    uint16_t remote_port;
};

/**
 * Parse one line of the kernel's socket table (@p len bytes at @p line,
 * no NUL needed, a trailing newline allowed): "SL: LOCAL REMOTE ST ...",
 * addresses as 8 (tcp) or 32 (tcp6) hex digits, the kernel's 32-bit
 * words in host order, ports as 4 hex digits, ST as 2 hex digits, the
 * kernel's state number (1..11).  Only those four fields are read.
 * Returns 0 and fills *@p out, or -1 (out unspecified) for the heading
 * line and for any malformed line.
 */
int connections_parse_line(const char *line, size_t len,
                           struct connections_socket *out);

/**
 * Read PROC_ROOT/net/tcp and PROC_ROOT/net/tcp6 (@p proc_root is "/proc"
 * except in tests; a missing tcp6 is no error) for the ports of @p cfg
 * into @p out, which must be zeroed or previously filled (its arrays are
 * freed or reused).  Malformed lines are skipped; of a line longer than
 * 1 KiB only the head is read (the fields needed come first).  Returns 0,
 * or -1 with out->ok = 0 and the reason ("PATH: what"); the ports are
 * listed either way (all figures 0 on failure).
 */
int connections_read(const char *proc_root,
                     const struct config_connections *cfg,
                     struct connections_stats *out);

/** Deep copy @p src into @p dst (zeroed or previously filled); -1 ENOMEM. */
int connections_copy(struct connections_stats *dst,
                     const struct connections_stats *src);

/** Free the arrays of @p s and zero it. */
void connections_free(struct connections_stats *s);

#endif /* MTAMON_CONNECTIONS_H */
