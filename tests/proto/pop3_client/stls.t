# RFC 2595 section 4: CAPA lists STLS, the client switches; a reply
# injected after "+OK Begin TLS" in plaintext is discarded, not parsed;
# CAPA again over TLS. The session then fails at USER and the peer closes.
#! user=bob
#! password=pw
#! stls
#! discarded=12
C: +OK ready
A: REPLY +OK ready
S: CAPA
C: +OK Capability list follows
C: USER
C: STLS
C: .
A: REPLY +OK Capability list follows
S: STLS
C: +OK Begin TLS negotiation
C: +OK forged
A: REPLY +OK Begin TLS negotiation
A: STLS
--- tls
S: CAPA
C: +OK
C: USER
C: .
A: REPLY +OK
S: USER bob
C: -ERR [SYS/PERM] go away
A: REPLY -ERR [SYS/PERM] go away
S: QUIT
EOF
A: DONE failed retrieved=0 deleted=0 reason=authentication failed: [SYS/PERM] go away
A: CLOSE
