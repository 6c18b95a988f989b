# RFC 1939 section 6: a -ERR to QUIT means the deletions were not all
# committed: deleted=0 in the summary.
#! user=u
#! password=p
C: +OK hi
A: REPLY +OK hi
S: USER u
C: +OK
A: REPLY +OK
S: PASS p
C: +OK 1 message
A: REPLY +OK 1 message
S: UIDL
C: +OK
C: 1 x
C: .
A: REPLY +OK
S: RETR 1
C: +OK
C: .
A: REPLY +OK
A: MESSAGE 1 uid=x 0 octets
B: 
S: DELE 1
C: +OK
A: REPLY +OK
S: QUIT
C: -ERR [SYS/TEMP] some deleted messages not removed
A: REPLY -ERR [SYS/TEMP] some deleted messages not removed
A: DONE failed retrieved=1 deleted=0 reason=QUIT failed: [SYS/TEMP] some deleted messages not removed
A: CLOSE
