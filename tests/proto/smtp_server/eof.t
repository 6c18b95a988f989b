# The peer closes in the middle of DATA: CLOSE, no reply, no message.
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
C: HELO c.example
A: QUERY HELO c.example
Q: -
S: 250 mx.example
C: MAIL FROM:<a@c.example>
A: QUERY MAIL <a@c.example>
Q: -
S: 250 2.1.0 Ok
C: RCPT TO:<r@mx.example>
A: QUERY RCPT <r@mx.example>
Q: -
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: partial
E:
A: CLOSE
