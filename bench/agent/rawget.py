#!/usr/bin/env python3
# rawget.py - the raw SNMP client of the agent benchmarks
# (bench/agent/get_during_scan, bench/agent/probe_get_latency): standard
# library only.
#
#   rawget.py HOST PORT OID N PAUSE_US value|exception OUT
#
# sends N SNMPv2c GETs of OID (community public) on one UDP socket, one at
# a time, PAUSE_US apart; writes each one's microseconds (send to answer)
# into OUT, one a line, and prints how many failed (no answer within 5 s,
# an error status, or a value other than the first; "exception": the
# value must be noSuchObject/Instance).
import socket, sys, time

def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b

def tlv(tag, body):
    return bytes([tag]) + enc_len(len(body)) + body

def enc_int(v):
    return tlv(0x02, v.to_bytes((v.bit_length() + 8) // 8 or 1, "big", signed=True))

def enc_oid(text):
    arcs = [int(a) for a in text.strip(".").split(".")]
    out = bytes([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, out)

def get_request(community, oid, reqid):
    vb = tlv(0x30, tlv(0x30, enc_oid(oid) + b"\x05\x00"))
    pdu = tlv(0xA0, enc_int(reqid) + enc_int(0) + enc_int(0) + vb)
    return tlv(0x30, enc_int(1) + tlv(0x04, community.encode()) + pdu)

def dec(buf, i):
    """(tag, body start, end) of the TLV at i."""
    tag, n = buf[i], buf[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[i:i + k], "big")
        i += k
    return tag, i, i + n

def parse_response(buf):
    """(request id, error status, value TLV bytes) of a GetResponse."""
    _, i, _ = dec(buf, 0)                  # message
    _, _, i = dec(buf, i)                  # version
    _, _, i = dec(buf, i)                  # community
    tag, i, _ = dec(buf, i)                # PDU
    if tag != 0xA2:
        raise ValueError("not a response: tag 0x%02x" % tag)
    _, s, e = dec(buf, i); reqid = int.from_bytes(buf[s:e], "big", signed=True); i = e
    _, s, e = dec(buf, i); status = int.from_bytes(buf[s:e], "big"); i = e
    _, _, i = dec(buf, i)                  # error index
    _, i, _ = dec(buf, i)                  # varbind list
    _, i, _ = dec(buf, i)                  # varbind
    _, _, i = dec(buf, i)                  # name
    _, _, e = dec(buf, i)                  # value
    return reqid, status, bytes(buf[i:e])

def main():
    host, port, oid, n, gap_us, expect, out = sys.argv[1:8]
    n, gap_us = int(n), int(gap_us)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((host, int(port)))
    s.settimeout(5)
    errors, first, lat = 0, None, []
    for k in range(n):
        reqid = k + 1
        pkt = get_request("public", oid, reqid)
        t0 = time.perf_counter_ns()
        s.send(pkt)
        value = None
        try:
            while True:
                rid, status, v = parse_response(s.recv(65536))
                if rid == reqid:
                    value = v if status == 0 else None
                    break
        except (socket.timeout, ValueError, IndexError):
            value = None
        t1 = time.perf_counter_ns()
        lat.append((t1 - t0) // 1000)
        if first is None and value is not None:
            first = value
        exc = value is not None and value[0] in (0x80, 0x81, 0x82)
        if value is None or value != first or exc != (expect == "exception"):
            errors += 1
        if gap_us:
            time.sleep(gap_us / 1e6)
    with open(out, "w") as f:
        f.write("".join("%d\n" % v for v in lat))
    print(errors)

main()
