# RFC 3207 4 (Postfix smtpd_tls_security_level=encrypt): before TLS, MAIL
# and AUTH get 530 5.7.0; EHLO, NOOP, RSET, STARTTLS work. After the
# handshake MAIL is accepted.
! starttls
! auth PLAIN
! tls_required
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
S: 250-AUTH PLAIN
S: 250-ENHANCEDSTATUSCODES
S: 250 8BITMIME
C: MAIL FROM:<a@c.example>
S: 530 5.7.0 Must issue a STARTTLS command first
C: AUTH PLAIN AHRlc3QAdGVzdA==
S: 530 5.7.0 Must issue a STARTTLS command first
C: NOOP
S: 250 2.0.0 Ok
C: STARTTLS
S: 220 2.0.0 Ready to start TLS
A: STARTTLS
T: 0
C: EHLO c.example
A: QUERY EHLO c.example
Q: -
S: 250-mx.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-AUTH PLAIN
S: 250-ENHANCEDSTATUSCODES
S: 250 8BITMIME
C: MAIL FROM:<a@c.example>
A: QUERY MAIL <a@c.example>
Q: -
S: 250 2.1.0 Ok
C: QUIT
S: 221 2.0.0 Bye
A: CLOSE
