# RFC 1939 section 5: DELE marks, the message is then inaccessible (-ERR),
# RSET unmarks; QUIT commits only what is still marked.
#! hostname=ms.example
S: +OK POP3 server ready
C: USER alice
S: +OK send PASS
C: PASS pw
A: QUERY AUTH_USERPASS user=alice password=****
Q: OK
A: QUERY LOCK_MAILDROP user=alice
Q: OK msgs=5:u1,7:u2,11:u3
A: STATE TRANSACTION
S: +OK alice's maildrop has 3 messages (23 octets)
C: DELE 2
S: +OK message 2 deleted
C: RETR 2
S: -ERR message 2 already deleted
C: TOP 2 0
S: -ERR message 2 already deleted
C: LIST 2
S: -ERR message 2 already deleted
C: DELE 2
S: -ERR message 2 already deleted
C: STAT
S: +OK 2 16
C: LIST
S: +OK 2 messages (16 octets)
S: 1 5
S: 3 11
S: .
C: RSET
S: +OK maildrop has 3 messages (23 octets)
C: RETR 2
A: QUERY MESSAGE user=alice msg=2 uid=u2 top=-1
Q: OK message=X: y\r\n\r\nhi\r\n
S: +OK 7 octets
S: X: y
S: 
S: hi
S: .
C: DELE 3
S: +OK message 3 deleted
C: DELE 1
S: +OK message 1 deleted
C: NOOP
S: +OK
C: QUIT
A: STATE UPDATE
A: QUERY UPDATE user=alice deleted=1:u1,3:u3
Q: OK
S: +OK ms.example POP3 server signing off (1 message left)
A: CLOSE
