# RFC 2920: the whole group arrives in one write; replies come in order and
# each query blocks the commands behind it until answered.
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
C: EHLO c.example
A: QUERY EHLO c.example
Q: 250 ok
S: 250-mx.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-ENHANCEDSTATUSCODES
S: 250 8BITMIME
C: MAIL FROM:<>
C: RCPT TO:<a@mx.example>
C: RCPT TO:<b@mx.example>
C: RCPT TO:<Postmaster>
C: DATA
A: QUERY MAIL <>
Q: -
S: 250 2.1.0 Ok
A: QUERY RCPT <a@mx.example>
Q: 550 5.1.1 <a@mx.example>: unknown user
S: 550 5.1.1 <a@mx.example>: unknown user
A: QUERY RCPT <b@mx.example>
Q: -
S: 250 2.1.5 Ok
A: QUERY RCPT <Postmaster>
Q: -
S: 250 2.1.5 Ok
S: 354 End data with <CR><LF>.<CR><LF>
C: x
C: .
C: NOOP
C: RSET
C: QUIT
A: QUERY DATA from=<> to=<b@mx.example>,<Postmaster> size=3 msg="x\r\n"
Q: -
S: 250 2.0.0 Ok: queued
S: 250 2.0.0 Ok
S: 250 2.0.0 Ok
S: 221 2.0.0 Bye
A: CLOSE
