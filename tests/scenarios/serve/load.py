# SPDX-License-Identifier: MIT
# Load client for mhs serve: CONNS concurrent SMTP sessions (threads), each
# logging in and submitting MSGS messages to bob@example.com. Prints
# "sent N seconds S errors E" and the first errors; exit 1 on any error.
import smtplib
import sys
import threading
import time

port, conns, per = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
errors = []
start = threading.Barrier(conns)


def worker(k):
    try:
        start.wait(timeout=60)
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
            s.login("alice@example.com", "alice-secret")
            for i in range(per):
                s.sendmail("alice@example.com", ["bob@example.com"],
                           f"Subject: load {k}-{i}\r\n\r\nmessage {i} of session {k}\r\n")
    except Exception as e:  # every failure counts: no message may be lost
        errors.append(f"session {k}: {e!r}")


threads = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
t0 = time.monotonic()
for t in threads:
    t.start()
for t in threads:
    t.join()
dt = time.monotonic() - t0
print(f"sent {conns * per} seconds {dt:.3f} errors {len(errors)}")
for e in errors[:5]:
    print(e)
sys.exit(1 if errors else 0)
