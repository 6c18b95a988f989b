# RFC 1939 section 7 UIDL examples; USER/PASS login; CMD records with the
# PASS argument masked.
#! cmd
S: +OK POP3 server ready
C: USER bob
A: CMD USER bob
S: +OK send PASS
C: PASS secret with spaces
A: CMD PASS ****
A: QUERY AUTH_USERPASS user=bob password=****
Q: OK
A: QUERY LOCK_MAILDROP user=bob
Q: OK msgs=10:whqtswO00WBw418f9t5JxYwZ,20:QhdPYR:00WBw1Ph7x7
A: STATE TRANSACTION
S: +OK bob's maildrop has 2 messages (30 octets)
C: UIDL
A: CMD UIDL
S: +OK
S: 1 whqtswO00WBw418f9t5JxYwZ
S: 2 QhdPYR:00WBw1Ph7x7
S: .
C: UIDL 2
A: CMD UIDL 2
S: +OK 2 QhdPYR:00WBw1Ph7x7
C: UIDL 3
A: CMD UIDL 3
S: -ERR no such message, only 2 messages in maildrop
C: DELE 1
A: CMD DELE 1
S: +OK message 1 deleted
C: UIDL
A: CMD UIDL
S: +OK
S: 2 QhdPYR:00WBw1Ph7x7
S: .
C: uidl 1
A: CMD uidl 1
S: -ERR message 1 already deleted
C: QUIT
A: CMD QUIT
A: STATE UPDATE
A: QUERY UPDATE user=bob deleted=1:whqtswO00WBw418f9t5JxYwZ
Q: OK
S: +OK localhost POP3 server signing off (1 message left)
A: CLOSE
