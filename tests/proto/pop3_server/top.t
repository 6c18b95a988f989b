# RFC 1939 section 7: TOP msg n sends the header, the blank line and n
# body lines, byte-stuffed.
S: +OK POP3 server ready
C: USER u
S: +OK send PASS
C: PASS p
A: QUERY AUTH_USERPASS user=u password=****
Q: OK
A: QUERY LOCK_MAILDROP user=u
Q: OK msgs=40:a
A: STATE TRANSACTION
S: +OK u's maildrop has 1 message (40 octets)
C: TOP 1 0
A: QUERY MESSAGE user=u msg=1 uid=a top=0
Q: OK message=From: x\r\nTo: y\r\n\r\n.one\r\ntwo\r\nthree\r\n
S: +OK top of message follows
S: From: x
S: To: y
S: 
S: .
C: TOP 1 2
A: QUERY MESSAGE user=u msg=1 uid=a top=2
Q: OK message=From: x\r\nTo: y\r\n\r\n.one\r\ntwo\r\nthree\r\n
S: +OK top of message follows
S: From: x
S: To: y
S: 
S: ..one
S: two
S: .
C: TOP 1 99
A: QUERY MESSAGE user=u msg=1 uid=a top=99
Q: OK message=From: x\r\nTo: y\r\n\r\n.one\r\ntwo\r\nthree\r\n
S: +OK top of message follows
S: From: x
S: To: y
S: 
S: ..one
S: two
S: three
S: .
C: TOP 1
S: -ERR TOP needs a message number and a line count
C: TOP 1 -1
S: -ERR TOP needs a message number and a line count
C: TOP 2 1
S: -ERR no such message, only 1 message in maildrop
C: RETR 1
A: QUERY MESSAGE user=u msg=1 uid=a top=-1
Q: SYS_TEMP
S: -ERR [SYS/TEMP] message unavailable
C: QUIT
A: STATE UPDATE
A: QUERY UPDATE user=u deleted=
Q: OK
S: +OK localhost POP3 server signing off (1 message left)
A: CLOSE
