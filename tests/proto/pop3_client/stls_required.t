# require_stls and a server without CAPA: the client quits unauthenticated.
#! user=bob
#! password=pw
#! require_stls
C: +OK ready
A: REPLY +OK ready
S: CAPA
C: -ERR unknown command
A: REPLY -ERR unknown command
S: QUIT
C: +OK bye
A: REPLY +OK bye
A: DONE failed retrieved=0 deleted=0 reason=STLS not offered
A: CLOSE
