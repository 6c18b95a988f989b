# A refused APOP: QUIT, then DONE with the reason.
#! user=bob
#! password=bad
#! apop
C: +OK ready <1.2@h>
A: REPLY +OK ready <1.2@h>
S: APOP bob 777ae3293add747ad688c26b49851f50
C: -ERR [AUTH] authentication failed
A: REPLY -ERR [AUTH] authentication failed
S: QUIT
C: +OK bye
A: REPLY +OK bye
A: DONE failed retrieved=0 deleted=0 reason=authentication failed: [AUTH] authentication failed
A: CLOSE
