# RFC 5321 3.1: after a 554 greeting only QUIT is served (503 otherwise).
A: QUERY CONNECT
Q: 554 5.7.1 mx.example Service unavailable; client host listed
S: 554 mx.example Service unavailable; client host listed
C: EHLO c.example
S: 503 5.5.1 Error: no service
C: QUIT
S: 221 2.0.0 Bye
A: CLOSE
