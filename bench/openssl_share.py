#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The share of a run's instructions spent inside OpenSSL, from callgrind.

Usage: bench/openssl_share.py [--top N] CALLGRIND.OUT [LARGER.OUT]
       bench/openssl_share.py --perf PERF.SCRIPT

Reads a callgrind file (bench/profile.sh writes one) and splits its
instructions between OpenSSL (libssl and libcrypto, with everything they
call in the C library and the loader) and the rest (the simulator, GLib,
and the C library calls the simulator makes itself). Inside OpenSSL is the
inclusive cost of every call made from outside OpenSSL into it, less the
inclusive cost of the calls OpenSSL makes back into the program (callbacks:
the session and key log hooks). A C library function (pthread_once, qsort)
reached from both sides is split by the share of its callers' cost that
came from OpenSSL.

With two files (the same scenario at two sizes, e.g. 200 and 1000
messages), the figures are for the difference: the marginal cost of the
extra messages, without start-up (the CA, the certificates, the world).

Prints the total, the instructions inside OpenSSL, the share outside it
(the issue's "at most 30 % of CPU outside OpenSSL" asks for <= 0.30), the
self cost of each object (as perf report --sort dso would split it), and
the top functions outside OpenSSL by self cost.

--perf reads the output of `perf script -F ip,sym,dso` of a run recorded
with `perf record -e cpu-clock --call-graph dwarf` instead: CPU samples,
not instructions. A sample is inside OpenSSL when the nearest frame of its
stack outside the C library and the loader is in libssl or libcrypto.
"""
import re
import sys
from collections import defaultdict

OPENSSL = re.compile(r"/lib(ssl|crypto)\.so")
NEUTRAL = re.compile(r"/(libc|libm|ld-linux[^/]*)\.so|^\?\?\?$|vdso|\[kernel")
SUBPOS = re.compile(r"^[+\-*0-9]")


def kind(obj):
    if OPENSSL.search(obj):
        return "ssl"
    if NEUTRAL.search(obj) or obj == "":
        return "neutral"
    return "out"


class Profile:
    def __init__(self, path):
        self.total = 0
        self.self_cost = defaultdict(int)  # (ob, fn) -> Ir
        self.arcs = defaultdict(int)  # ((ob, fn), (ob, fn)) -> inclusive Ir
        self._parse(path)

    def _parse(self, path):
        names = {"ob": {}, "fl": {}, "fn": {}}
        ob = fn = cob = cfn = ""
        in_call = False

        def name(table, value):
            m = re.match(r"^\((\d+)\)(?: (.*))?$", value)
            if not m:
                return value
            if m.group(2) is not None:
                names[table][m.group(1)] = m.group(2)
            return names[table].get(m.group(1), "?")

        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line or line.startswith("#"):
                    continue
                if SUBPOS.match(line):
                    parts = line.split()
                    cost = int(parts[1]) if len(parts) > 1 else 0
                    if in_call:
                        self.arcs[((ob, fn), (cob, cfn))] += cost
                        in_call = False
                        cob = ob  # cob= is written only for calls into another object
                    else:
                        self.self_cost[(ob, fn)] += cost
                    continue
                key, _, value = line.partition("=")
                if key == "ob":
                    ob = name("ob", value)
                elif key in ("fl", "fi", "fe", "cfi", "cfl"):
                    name("fl", value)
                elif key == "fn":
                    fn = name("fn", value)
                    cob = ob
                elif key == "cob":
                    cob = name("ob", value)
                elif key == "cfn":
                    cfn = name("fn", value)
                elif key == "calls":
                    in_call = True
                elif line.startswith("totals:") or line.startswith("summary:"):
                    self.total = max(self.total, int(line.split()[1]))


def openssl_fraction(prof):
    """For each neutral function, the fraction of its inclusive cost that was
    reached from OpenSSL (directly or through other neutral functions)."""
    into = defaultdict(list)
    for (caller, callee), cost in prof.arcs.items():
        if kind(callee[0]) == "neutral" and caller != callee:
            into[callee].append((caller, cost))
    frac = defaultdict(float)
    for _ in range(8):  # call chains inside the C library are short
        for callee, callers in into.items():
            tot = sum(c for _, c in callers)
            if tot == 0:
                continue
            acc = 0.0
            for caller, cost in callers:
                k = kind(caller[0])
                acc += cost * (1.0 if k == "ssl" else frac[caller] if k == "neutral" else 0.0)
            frac[callee] = acc / tot
    return frac


def inside_openssl(prof):
    frac = openssl_fraction(prof)
    inside = 0.0
    for (caller, callee), cost in prof.arcs.items():
        ck, ek = kind(caller[0]), kind(callee[0])
        if ek == "ssl" and ck != "ssl":
            inside += cost * (1.0 - (frac[caller] if ck == "neutral" else 0.0))
        elif ek == "out" and ck == "ssl":
            inside -= cost  # a callback into the program
        elif ek == "out" and ck == "neutral":
            inside -= cost * frac[caller]
    return inside


def by_object(prof):
    objs = defaultdict(int)
    for (ob, _), cost in prof.self_cost.items():
        objs[ob.rsplit("/", 1)[-1] or "???"] += cost
    return objs


def outside_functions(prof):
    frac = openssl_fraction(prof)
    rows = defaultdict(float)
    for (ob, fn), cost in prof.self_cost.items():
        k = kind(ob)
        if k == "out":
            rows[(ob, fn)] += cost
        elif k == "neutral":
            rows[(ob, fn)] += cost * (1.0 - frac[(ob, fn)])
    return rows


def perf_share(path):
    """(samples, inside OpenSSL, leaf dso -> samples) from perf script output."""
    samples = inside = 0
    leaves = defaultdict(int)
    frames = []

    def close():
        nonlocal samples, inside
        if not frames:
            return
        samples += 1
        leaves[frames[0].rsplit("/", 1)[-1]] += 1
        for dso in frames:
            k = kind(dso)
            if k != "neutral":
                inside += k == "ssl"
                break
        frames.clear()

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                close()
            elif line[0] in " \t":
                m = re.search(r"\(([^()]*)\)\s*$", line)
                dso = m.group(1) if m else ""
                if dso != "inlined":  # the enclosing frame follows with its dso
                    frames.append(dso)
    close()
    return samples, inside, leaves


def main_perf(path):
    samples, inside, leaves = perf_share(path)
    if samples == 0:
        sys.stderr.write(f"openssl_share: no samples in {path}\n")
        return 1
    print(f"samples: {samples}")
    print(f"inside OpenSSL (libssl, libcrypto and what they call): {inside}"
          f"  ({inside / samples:.3f})")
    print(f"outside OpenSSL: {samples - inside}  share {1 - inside / samples:.3f}"
          f"  (target <= 0.30)")
    print("samples by object of the innermost frame:")
    for dso, n in sorted(leaves.items(), key=lambda kv: -kv[1]):
        if n / samples >= 0.001:
            print(f"  {n / samples:7.3f}  {dso}")
    return 0


def main(argv):
    top = 15
    args = argv[1:]
    if len(args) == 2 and args[0] == "--perf":
        return main_perf(args[1])
    if len(args) >= 2 and args[0] == "--top":
        top = int(args[1])
        args = args[2:]
    if len(args) not in (1, 2) or args[0] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    profs = [Profile(p) for p in args]
    sign = [1.0] if len(profs) == 1 else [-1.0, 1.0]
    total = sum(s * p.total for s, p in zip(sign, profs))
    inside = sum(s * inside_openssl(p) for s, p in zip(sign, profs))
    objs = defaultdict(float)
    rows = defaultdict(float)
    for s, p in zip(sign, profs):
        for k, v in by_object(p).items():
            objs[k] += s * v
        for k, v in outside_functions(p).items():
            rows[k] += s * v
    what = "difference of the two runs" if len(profs) == 2 else "whole run"
    print(f"instructions ({what}): {total:,.0f}")
    print(f"inside OpenSSL (libssl, libcrypto and what they call): {inside:,.0f}"
          f"  ({inside / total:.3f})")
    print(f"outside OpenSSL: {total - inside:,.0f}  share {1 - inside / total:.3f}"
          f"  (target <= 0.30)")
    print("self cost by object:")
    for ob, cost in sorted(objs.items(), key=lambda kv: -kv[1]):
        if cost / total >= 0.001:
            print(f"  {cost / total:7.3f}  {ob}")
    print(f"top {top} functions outside OpenSSL by self cost (C library calls made "
          "from OpenSSL left out):")
    for (ob, fn), cost in sorted(rows.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {cost / total:7.3f}  {fn}  [{ob.rsplit('/', 1)[-1]}]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
