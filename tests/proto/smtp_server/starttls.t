# RFC 3207: STARTTLS with pipelined plaintext (CVE-2011-0411): the injected
# bytes are discarded and counted, state is reset (EHLO again), STARTTLS is
# no longer advertised, a second STARTTLS is refused, arguments give 501.
! starttls
! auth PLAIN
! auth_requires_tls
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
C: EHLO c.example
A: QUERY EHLO c.example
Q: -
S: 250-mx.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-STARTTLS
S: 250-ENHANCEDSTATUSCODES
S: 250 8BITMIME
C: AUTH PLAIN AHRlc3QAdGVzdA==
S: 538 5.7.11 Encryption required for requested authentication mechanism
C: STARTTLS now
S: 501 5.5.4 Syntax: STARTTLS (no parameters allowed)
C: MAIL FROM:<early@c.example>
A: QUERY MAIL <early@c.example>
Q: -
S: 250 2.1.0 Ok
C: STARTTLS
C: MAIL FROM:<attacker@example.org>
C: RCPT TO:<victim@mx.example>
S: 220 2.0.0 Ready to start TLS
A: STARTTLS
R: late
T: 67
C: MAIL FROM:<a@c.example>
S: 503 5.5.1 Error: send HELO/EHLO first
C: EHLO c.example
A: QUERY EHLO c.example
Q: -
S: 250-mx.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-AUTH PLAIN
S: 250-ENHANCEDSTATUSCODES
S: 250 8BITMIME
C: STARTTLS
S: 554 5.5.1 Error: TLS already active
C: RCPT TO:<victim@mx.example>
S: 503 5.5.1 Error: need MAIL command
C: QUIT
S: 221 2.0.0 Bye
A: CLOSE
