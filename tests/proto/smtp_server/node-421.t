# A node answering 421 (e.g. shutting down) closes the session; commands
# pipelined behind are never answered.
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
C: EHLO c.example
C: NOOP
A: QUERY EHLO c.example
Q: 421 4.3.2 mx.example Service shutting down
S: 421 4.3.2 mx.example Service shutting down
A: CLOSE
