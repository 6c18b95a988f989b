# A pipelined QUIT followed by the peer's close still commits (UPDATE).
S: +OK POP3 server ready
C: USER u
C: PASS p
C: DELE 1
C: QUIT
EOF
S: +OK send PASS
A: QUERY AUTH_USERPASS user=u password=****
Q: OK
A: QUERY LOCK_MAILDROP user=u
Q: OK msgs=3:x
A: STATE TRANSACTION
S: +OK u's maildrop has 1 message (3 octets)
S: +OK message 1 deleted
A: STATE UPDATE
A: QUERY UPDATE user=u deleted=1:x
Q: OK
S: +OK localhost POP3 server signing off (maildrop empty)
A: CLOSE
