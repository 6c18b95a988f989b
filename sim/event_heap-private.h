/* SPDX-License-Identifier: MIT
 * event_heap-private: test access to the event queue's sequence numbers.
 * An entry holds a 32-bit insertion sequence; when it runs out the pending
 * entries are renumbered in order. Tests use these to reach that edge
 * without scheduling 2^32 events.
 */
#ifndef SIM_EVENT_HEAP_PRIVATE_H
#define SIM_EVENT_HEAP_PRIVATE_H

#include "sim/event_heap.h"

/* Drops cancelled entries and renumbers the pending ones 0..n-1 in
 * (time, sequence) order; the next push gets sequence n. */
void sim_event_heap_renumber(SimEventHeap *h);
/* Moves the next sequence number forward to seq (<= 2^32; at 2^32 the next
 * push renumbers first). */
void sim_event_heap_set_next_seq(SimEventHeap *h, guint64 seq);

#endif
