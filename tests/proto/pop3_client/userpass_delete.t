# keep=FALSE with USER/PASS (no APOP asked even if offered): UIDL refused,
# LIST used instead; RETR then DELE each message; unstuffing.
#! user=bob
#! password=pw
C: +OK ready <1.2@h>
A: REPLY +OK ready <1.2@h>
S: USER bob
C: +OK send PASS
A: REPLY +OK send PASS
S: PASS pw
C: +OK bob's maildrop has 2 messages (30 octets)
A: REPLY +OK bob's maildrop has 2 messages (30 octets)
S: UIDL
C: -ERR unknown command
A: REPLY -ERR unknown command
S: LIST
C: +OK 2 messages (30 octets)
C: 1 10
C: 2 20
C: .
A: REPLY +OK 2 messages (30 octets)
S: RETR 1
C: +OK 10 octets
C: a
C: .
A: REPLY +OK 10 octets
A: MESSAGE 1 uid=- 3 octets
B: a\r\n
S: DELE 1
C: +OK message 1 deleted
A: REPLY +OK message 1 deleted
S: RETR 2
C: +OK 20 octets
C: ...
C: .
A: REPLY +OK 20 octets
A: MESSAGE 2 uid=- 4 octets
B: ..\r\n
S: DELE 2
C: +OK message 2 deleted
A: REPLY +OK message 2 deleted
S: QUIT
C: +OK bye
A: REPLY +OK bye
A: DONE ok retrieved=2 deleted=2
A: CLOSE
