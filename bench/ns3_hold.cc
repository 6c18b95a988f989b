/* SPDX-License-Identifier: MIT
 * ns3_hold: the hold benchmark of bench_events.c (pop the earliest event,
 * schedule one at now + a random delay of 0-999 ns, PENDING events
 * pending, EVENTS events in all, the same xorshift64* sequence) run by
 * ns-3's own simulator with each of its schedulers. Prints one line a
 * scheduler, "ns3 NAME: EVENTS_PER_S events/s", and "ns3 fastest: ..."
 * Built and run by bench/ns3.sh (Debian libns3-dev); not part of the build.
 * Usage: ns3_hold [PENDING [EVENTS]] (defaults 1000, 10000000).
 */
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ns3/core-module.h"

using namespace ns3;

static uint64_t bench_state;
static uint64_t bench_remaining;

static inline uint64_t
bench_rand()
{
    bench_state ^= bench_state >> 12;
    bench_state ^= bench_state << 25;
    bench_state ^= bench_state >> 27;
    return bench_state * UINT64_C(2685821657736338717);
}

static void
bench_hold()
{
    if (--bench_remaining == 0) {
        Simulator::Stop();
        return;
    }
    Simulator::Schedule(NanoSeconds(bench_rand() % 1000u), &bench_hold);
}

static double
bench_run(const std::string &type, unsigned pending, uint64_t events)
{
    ObjectFactory f;
    f.SetTypeId(type);
    Simulator::SetScheduler(f);
    bench_state = 88172645463325252u;
    bench_remaining = events;
    for (unsigned i = 0; i < pending; i++)
        Simulator::Schedule(NanoSeconds(bench_rand() % 1000u), &bench_hold);
    auto t0 = std::chrono::steady_clock::now();
    Simulator::Run();
    auto t1 = std::chrono::steady_clock::now();
    Simulator::Destroy();
    return (double)events / std::chrono::duration<double>(t1 - t0).count();
}

int
main(int argc, char **argv)
{
    unsigned pending = argc > 1 ? (unsigned)strtoul(argv[1], nullptr, 10) : 1000;
    uint64_t events = argc > 2 ? strtoull(argv[2], nullptr, 10) : 10000000u;
    const char *types[] = {"ns3::MapScheduler", "ns3::HeapScheduler", "ns3::CalendarScheduler",
                           "ns3::PriorityQueueScheduler"};
    double best = 0;
    std::string best_name;
    for (const char *t : types) {
        double r = bench_run(t, pending, events);
        printf("ns3 %s: %.0f events/s\n", t + 5, r);
        if (r > best) {
            best = r;
            best_name = t + 5;
        }
    }
    printf("ns3 fastest: %.0f events/s (%s)\n", best, best_name.c_str());
    return 0;
}
