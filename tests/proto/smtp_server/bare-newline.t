# RFC 5321 2.3.8 / 4.1.1.4, Postfix smtpd_forbid_bare_newline: a command
# line ended by a bare LF or CR is never executed.
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
R: NOOP\n
S: 500 5.5.2 Error: bare <LF> received
R: NOOP\rQUIT\r\n
S: 500 5.5.2 Error: bare <CR> received
S: 221 2.0.0 Bye
A: CLOSE
