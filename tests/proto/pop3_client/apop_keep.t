# keep=TRUE with APOP (RFC 1939 section 7 vector): the message whose UIDL
# is already seen is not retrieved, nothing is deleted. "C:" lines are fed
# to the client (server replies), "S:" lines are what the client sends.
#! user=mrose
#! password=tanstaaf
#! apop
#! keep
#! seen=whqtswO00WBw418f9t5JxYwZ
C: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
A: REPLY +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
S: APOP mrose c4c9334bac560ecc979e58001b3e22fb
C: +OK mrose's maildrop has 2 messages (320 octets)
A: REPLY +OK mrose's maildrop has 2 messages (320 octets)
S: UIDL
C: +OK
C: 1 whqtswO00WBw418f9t5JxYwZ
C: 2 QhdPYR:00WBw1Ph7x7
C: .
A: REPLY +OK
S: RETR 2
C: +OK 200 octets
C: Subject: two
C: 
C: ..stuffed
C: .
A: REPLY +OK 200 octets
A: MESSAGE 2 uid=QhdPYR:00WBw1Ph7x7 26 octets
B: Subject: two\r\n\r\n.stuffed\r\n
S: QUIT
C: +OK dewey POP3 server signing off
A: REPLY +OK dewey POP3 server signing off
A: DONE ok retrieved=1 deleted=0
A: CLOSE
