/* SPDX-License-Identifier: MIT
 * pcap_writer: a packet capture of a SimNet (DESIGN 3, trace sinks). A wire
 * observer turns every stream into synthesized Ethernet II / IPv4 (RFC 791)
 * / TCP (RFC 9293) frames written with libpcap (LINKTYPE_ETHERNET), so that
 * Wireshark and tshark dissect SMTP, POP3 and HTTP: three-way handshake,
 * data with absolute sequence and acknowledgement numbers, FIN, RST,
 * checksums, and pure ACKs synthesized when data or a FIN arrives.
 * Deliberately not written: DNS (the simulator resolves names without
 * streams, so no query is on the wire), retransmissions, window updates.
 */
#ifndef SIM_PCAP_WRITER_H
#define SIM_PCAP_WRITER_H

#include <glib.h>

#include "sim/net.h"

typedef struct SimPcap SimPcap;

/* Largest TCP payload per frame (RFC 9293 3.7.1, Ethernet MSS); a longer
 * segment becomes several frames. */
#define SIM_PCAP_MSS 1460
/* Receive window advertised in every segment (scaled by 2^SIM_PCAP_WSCALE,
 * RFC 7323 2.2), wide enough that no transfer fills it. */
#define SIM_PCAP_WINDOW 65535
#define SIM_PCAP_WSCALE 7

/* Starts a capture of net into path (created or truncated). Frames are
 * stamped with the time their segment leaves its host (a capture "on the
 * link"), epoch + virtual time; they are written in time order, ties in
 * the order the segments were sent.
 * Returns (transfer none) the writer, owned by net: it is finished when
 * the net is freed, or earlier by sim_pcap_finish(). NULL with error set
 * (G_FILE_ERROR) when the file cannot be opened. */
SimPcap *sim_pcap_open(SimNet *net, const char *path, GError **error);

/* Unix seconds of virtual time 0 (default 0). Call before the first
 * segment is written. */
void sim_pcap_set_epoch(SimPcap *pc, gint64 unix_seconds);

/* Writes every buffered frame and closes the file; later wire events are
 * ignored. FALSE with error set (G_FILE_ERROR) if a write failed.
 * Idempotent: a second call returns TRUE. */
gboolean sim_pcap_finish(SimPcap *pc, GError **error);

/* Frames written so far (buffered frames not counted). */
guint64 sim_pcap_n_frames(const SimPcap *pc);

/* --- frame synthesis, exposed for tests --- */

/* TCP flag bits (RFC 9293 3.1). */
enum {
    SIM_PCAP_TCP_FIN = 0x01,
    SIM_PCAP_TCP_SYN = 0x02,
    SIM_PCAP_TCP_RST = 0x04,
    SIM_PCAP_TCP_PSH = 0x08,
    SIM_PCAP_TCP_ACK = 0x10,
};

/* Internet checksum (RFC 1071) of len bytes, starting from partial sum
 * sum (0 for a fresh one); returns the final complemented value in host
 * order. */
guint16 sim_pcap_checksum(const guint8 *data, gsize len, guint32 sum);

#endif
