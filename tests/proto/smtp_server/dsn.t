# RFC 3461 DSN: the DSN keyword in EHLO (4); RET and ENVID on MAIL (4.3,
# 4.4), NOTIFY and ORCPT on RCPT (4.1, 4.2), each at most once, NEVER alone;
# the values reach the node with the envelope at DATA, ENVID and ORCPT
# xtext-decoded ("+2B" is "+", "+3D" is "=").
! dsn
! max_errors 50
A: QUERY CONNECT
Q: -
S: 220 mx.example ESMTP mhs
C: EHLO client.example
A: QUERY EHLO client.example
Q: -
S: 250-mx.example
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-ENHANCEDSTATUSCODES
S: 250-8BITMIME
S: 250 DSN
C: MAIL FROM:<alice@client.example> RET=SOUP
S: 501 5.5.4 Bad RET parameter
C: MAIL FROM:<alice@client.example> RET=FULL RET=HDRS
S: 501 5.5.4 Bad RET parameter
C: MAIL FROM:<alice@client.example> ENVID=bad+ZZ
S: 501 5.5.4 Bad ENVID parameter
C: MAIL FROM:<alice@client.example> RET=hdrs ENVID=QQ+2B314159
A: QUERY MAIL <alice@client.example> RET=hdrs ENVID=QQ+2B314159
Q: -
S: 250 2.1.0 Ok
C: RCPT TO:<bob@mx.example> NOTIFY=NEVER,SUCCESS
S: 501 5.5.4 Bad NOTIFY parameter
C: RCPT TO:<bob@mx.example> NOTIFY=SUCCESS,SUCCESS
S: 501 5.5.4 Bad NOTIFY parameter
C: RCPT TO:<bob@mx.example> NOTIFY=
S: 501 5.5.4 Syntax error in parameters
C: RCPT TO:<bob@mx.example> ORCPT=rfc822
S: 501 5.5.4 Bad ORCPT parameter
C: RCPT TO:<bob@mx.example> FOO=1
S: 555 5.5.4 Unsupported option: FOO
C: RCPT TO:<bob@mx.example> NOTIFY=delay,Success ORCPT=rfc822;Bob+3Dx@old.example
A: QUERY RCPT <bob@mx.example> NOTIFY=delay,Success ORCPT=rfc822;Bob+3Dx@old.example
Q: -
S: 250 2.1.5 Ok
C: RCPT TO:<carol@mx.example> NOTIFY=NEVER
A: QUERY RCPT <carol@mx.example> NOTIFY=NEVER
Q: -
S: 250 2.1.5 Ok
C: RCPT TO:<dave@mx.example>
A: QUERY RCPT <dave@mx.example>
Q: -
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: hi
C: 
C: x
C: .
A: QUERY DATA from=<alice@client.example> to=<bob@mx.example>,<carol@mx.example>,<dave@mx.example> ret=HDRS envid=QQ+314159 dsn=SUCCESS,DELAY/rfc822;Bob=x@old.example|NEVER/|/ size=18 msg="Subject: hi\r\n\r\nx\r\n"
Q: 250 2.0.0 Ok: queued as A1
S: 250 2.0.0 Ok: queued as A1
C: MAIL FROM:<alice@client.example>
A: QUERY MAIL <alice@client.example>
Q: -
S: 250 2.1.0 Ok
C: RCPT TO:<bob@mx.example>
A: QUERY RCPT <bob@mx.example>
Q: -
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: .
A: QUERY DATA from=<alice@client.example> to=<bob@mx.example> size=0 msg=""
Q: -
S: 250 2.0.0 Ok: queued
C: QUIT
S: 221 2.0.0 Bye
A: CLOSE
