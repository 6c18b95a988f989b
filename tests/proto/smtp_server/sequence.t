# RFC 5321 4.1.4 sequencing and 4.2 syntax replies.
! max_errors 50
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
C: MAIL FROM:<a@b.example>
S: 503 5.5.1 Error: send HELO/EHLO first
C: HELO
S: 501 5.5.4 Syntax: HELO hostname
C: HELO bad..name
S: 501 5.5.4 Syntax: HELO hostname
C: HELO c.example
A: QUERY HELO c.example
Q: -
S: 250 mx.example
C: RCPT TO:<a@mx.example>
S: 503 5.5.1 Error: need MAIL command
C: DATA
S: 503 5.5.1 Error: need MAIL command
C: MAIL FROM:<a@b.example> SIZE=10
S: 555 5.5.4 Unsupported option: SIZE
C: MAIL FROM:a@b.example
S: 501 5.1.7 Bad sender address syntax
C: MAIL FROM:<@relay.example:a@b.example>
S: 501 5.1.7 Error: source routes are not accepted
C: MAIL TO:<a@b.example>
S: 501 5.5.4 Syntax: MAIL FROM:<address>
C: mail from: <a@b.example>
A: QUERY MAIL <a@b.example>
Q: -
S: 250 2.1.0 Ok
C: MAIL FROM:<c@b.example>
S: 503 5.5.1 Error: nested MAIL command
C: DATA
S: 503 5.5.1 Error: need RCPT command
C: RCPT TO:<>
S: 501 5.1.3 Bad recipient address syntax
C: RCPT TO:<x@mx.example> NOTIFY=NEVER
S: 555 5.5.4 Unsupported option: NOTIFY
C: RCPT TO:<"quoted local"@[192.0.2.1]>
A: QUERY RCPT <"quoted local"@[192.0.2.1]>
Q: -
S: 250 2.1.5 Ok
C: DATA now
S: 501 5.5.4 Syntax: DATA
C: RSET
S: 250 2.0.0 Ok
C: DATA
S: 503 5.5.1 Error: need MAIL command
C: VRFY bob
S: 252 2.0.0 Cannot VRFY user, but will accept message
C: EXPN list
S: 502 5.5.1 Error: command not implemented
C: HELP
S: 214 2.0.0 See RFC 5321
C: NOOP anything
S: 250 2.0.0 Ok
C: FOO bar
S: 500 5.5.2 Error: command not recognized
C: QUIT now
S: 501 5.5.4 Syntax: QUIT
C: STARTTLS
S: 502 5.5.1 Error: command not implemented
C: AUTH PLAIN
S: 503 5.5.1 Error: authentication not enabled
C: QUIT
S: 221 2.0.0 Bye
A: CLOSE
