# RFC 1939 section 10: the example POP3 session, APOP mrose/tanstaaf
# (section 7 vector: digest c4c9334bac560ecc979e58001b3e22fb).
#! hostname=dewey
#! timestamp=<1896.697170952@dbc.mtview.ca.us>
S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
A: QUERY AUTH_APOP user=mrose digest=c4c9334bac560ecc979e58001b3e22fb
Q: OK secret=tanstaaf
A: QUERY LOCK_MAILDROP user=mrose
Q: OK msgs=120:whqtswO00WBw418f9t5JxYwZ,200:QhdPYR:00WBw1Ph7x7
A: STATE TRANSACTION
S: +OK mrose's maildrop has 2 messages (320 octets)
C: STAT
S: +OK 2 320
C: LIST
S: +OK 2 messages (320 octets)
S: 1 120
S: 2 200
S: .
C: RETR 1
A: QUERY MESSAGE user=mrose msg=1 uid=whqtswO00WBw418f9t5JxYwZ top=-1
Q: OK message=Subject: one\r\n\r\n.a line starting with a dot\r\n..two dots\r\nend\r\n
S: +OK 120 octets
S: Subject: one
S: 
S: ..a line starting with a dot
S: ...two dots
S: end
S: .
C: DELE 1
S: +OK message 1 deleted
C: RETR 2
A: QUERY MESSAGE user=mrose msg=2 uid=QhdPYR:00WBw1Ph7x7 top=-1
Q: OK message=Subject: two\r\n\r\nno final line end
S: +OK 200 octets
S: Subject: two
S: 
S: no final line end
S: .
C: DELE 2
S: +OK message 2 deleted
C: QUIT
A: STATE UPDATE
A: QUERY UPDATE user=mrose deleted=1:whqtswO00WBw418f9t5JxYwZ,2:QhdPYR:00WBw1Ph7x7
Q: OK
S: +OK dewey POP3 server signing off (maildrop empty)
A: CLOSE
