# Authorization failures with RFC 2449 response codes: bad password
# ([AUTH]), bad APOP digest, maildrop locked ([IN-USE]); commands out of
# state; APOP then USER/PASS success.
#! timestamp=<42.7@ms.example>
S: +OK POP3 server ready <42.7@ms.example>
C: STAT
S: -ERR command not valid in this state
C: PASS early
S: -ERR send USER first
C: USER bob
S: +OK send PASS
C: PASS wrong
A: QUERY AUTH_USERPASS user=bob password=****
Q: DENY
S: -ERR [AUTH] authentication failed
C: PASS again
S: -ERR send USER first
C: APOP bob 00000000000000000000000000000000
A: QUERY AUTH_APOP user=bob digest=00000000000000000000000000000000
Q: OK secret=tanstaaf
S: -ERR [AUTH] authentication failed
C: APOP bob short
S: -ERR APOP needs a name and a digest
C: USER bob
S: +OK send PASS
C: PASS right
A: QUERY AUTH_USERPASS user=bob password=****
Q: OK
A: QUERY LOCK_MAILDROP user=bob
Q: IN_USE
S: -ERR [IN-USE] unable to lock maildrop
C: USER bob
S: +OK send PASS
C: PASS right
A: QUERY AUTH_USERPASS user=bob password=****
Q: OK
A: QUERY LOCK_MAILDROP user=bob
Q: OK
A: STATE TRANSACTION
S: +OK bob's maildrop has 0 messages (0 octets)
C: USER bob
S: -ERR command not valid in this state
C: RETR 1
S: -ERR no such message, only 0 messages in maildrop
C: RETR x
S: -ERR message number required
C: RETR 1x
S: -ERR invalid message number
C: LIST 1 2
S: -ERR invalid argument
C: STAT now
S: -ERR no argument expected
C: QUIT
A: STATE UPDATE
A: QUERY UPDATE user=bob deleted=
Q: OK
S: +OK localhost POP3 server signing off (maildrop empty)
A: CLOSE
