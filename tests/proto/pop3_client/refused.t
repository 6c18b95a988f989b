# A -ERR greeting ends the session (RFC 1939 section 4).
#! user=u
#! password=p
C: -ERR [SYS/TEMP] too busy
A: REPLY -ERR [SYS/TEMP] too busy
A: DONE failed retrieved=0 deleted=0 reason=greeting refused: [SYS/TEMP] too busy
A: CLOSE
