# AUTH_APOP answered with a verdict alone (the node checked the digest
# itself); QUIT in AUTHORIZATION signs off without UPDATE.
#! timestamp=<1.1@h>
#! hostname=h
S: +OK POP3 server ready <1.1@h>
C: APOP carol 0123456789ABCDEF0123456789abcdef
A: QUERY AUTH_APOP user=carol digest=0123456789ABCDEF0123456789abcdef
Q: OK
A: QUERY LOCK_MAILDROP user=carol
Q: SYS_PERM text=damaged
S: -ERR [SYS/PERM] damaged
C: APOP carol 0123456789ABCDEF0123456789abcdef
A: QUERY AUTH_APOP user=carol digest=0123456789ABCDEF0123456789abcdef
Q: DENY
S: -ERR [AUTH] authentication failed
C: NOOP
S: -ERR command not valid in this state
C: QUIT
S: +OK h POP3 server signing off
A: CLOSE
