# The server closes in the middle of a message: no MESSAGE, DONE failed.
#! user=u
#! password=p
C: +OK hi
C: +OK
C: +OK 1 message
C: +OK
C: 1 x
C: .
C: +OK
C: partial
EOF
A: REPLY +OK hi
S: USER u
A: REPLY +OK
S: PASS p
A: REPLY +OK 1 message
S: UIDL
A: REPLY +OK
S: RETR 1
A: REPLY +OK
A: DONE failed retrieved=0 deleted=0 reason=connection closed by server
A: CLOSE
