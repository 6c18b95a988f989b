# RFC 1939 section 6: a session that ends without QUIT does not enter
# UPDATE: nothing marked is removed. QUIT in AUTHORIZATION does not either.
S: +OK POP3 server ready
C: USER u
C: PASS p
C: DELE 1
C: DELE 1
EOF
S: +OK send PASS
A: QUERY AUTH_USERPASS user=u password=****
Q: OK
A: QUERY LOCK_MAILDROP user=u
Q: OK msgs=3:x
A: STATE TRANSACTION
S: +OK u's maildrop has 1 message (3 octets)
S: +OK message 1 deleted
S: -ERR message 1 already deleted
A: CLOSE
