# RFC 4954 sequencing: unknown mechanism 504, "*" cancels with 501, bad base64
# 501 5.5.2, initial response for a server-first mechanism 501 5.7.0, "="
# for an empty initial response, 503 after success and inside a transaction.
! auth PLAIN LOGIN CRAM-MD5 EXTERNAL
! max_errors 50
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
C: AUTH PLAIN
S: 503 5.5.1 Error: send HELO/EHLO first
C: EHLO c.example
A: QUERY EHLO c.example
Q: -
S: 250-mx.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-AUTH PLAIN LOGIN CRAM-MD5 EXTERNAL
S: 250-ENHANCEDSTATUSCODES
S: 250 8BITMIME
C: AUTH FOOBAR
S: 504 5.5.4 Unrecognized authentication type
C: AUTH CRAM-MD5 dGVzdA==
S: 501 5.7.0 Error: initial response not allowed
C: AUTH PLAIN @@@@
S: 501 5.5.2 Error: invalid base64 data
C: AUTH CRAM-MD5
A: QUERY AUTH CRAM-MD5
Q: 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
S: 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
C: *
S: 501 5.7.0 Authentication aborted
C: AUTH PLAIN
A: QUERY AUTH PLAIN
Q: 334 
S: 334 
C: =AAA
S: 501 5.5.2 Error: invalid base64 data
C: AUTH LOGIN
A: QUERY AUTH LOGIN
Q: 334 VXNlcm5hbWU6
S: 334 VXNlcm5hbWU6
C: dGVzdA==
A: QUERY AUTH_CONTINUE dGVzdA==
Q: 334 UGFzc3dvcmQ6
S: 334 UGFzc3dvcmQ6
C: d3Jvbmc=
A: QUERY AUTH_CONTINUE d3Jvbmc=
Q: 535 5.7.8 Authentication credentials invalid
S: 535 5.7.8 Authentication credentials invalid
C: MAIL FROM:<a@c.example> AUTH=e+3Dmc2@example.com
A: QUERY MAIL <a@c.example> AUTH=e+3Dmc2@example.com
Q: -
S: 250 2.1.0 Ok
C: AUTH PLAIN AHRlc3QAdGVzdA==
S: 503 5.5.1 Error: MAIL transaction in progress
C: RSET
S: 250 2.0.0 Ok
C: AUTH EXTERNAL =
A: QUERY AUTH EXTERNAL =
Q: -
S: 235 2.7.0 Authentication successful
C: AUTH PLAIN AHRlc3QAdGVzdA==
S: 503 5.5.1 Error: already authenticated
C: QUIT
S: 221 2.0.0 Bye
A: CLOSE
