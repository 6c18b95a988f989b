# Too many errors: 421 and close (Postfix smtpd_hard_error_limit); a node's
# 421 answer closes too (RFC 5321 3.8); EOF closes silently.
! max_errors 3
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
C: BAD1
S: 500 5.5.2 Error: command not recognized
C: BAD2
S: 500 5.5.2 Error: command not recognized
C: BAD3
C: NOOP
S: 421 4.7.0 mx.example Error: too many errors
A: CLOSE
