# A plain ESMTP transaction (RFC 5321 3.3, 4.1.1), default answers.
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
S: 250 8BITMIME
C: MAIL FROM:<alice@client.example> SIZE=120 BODY=8BITMIME
A: QUERY MAIL <alice@client.example> SIZE=120 BODY=8BITMIME
Q: -
S: 250 2.1.0 Ok
C: RCPT TO:<bob@mx.example>
A: QUERY RCPT <bob@mx.example>
Q: -
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Subject: hi
C: 
C: ..leading dot
C: .x
C: .
A: QUERY DATA from=<alice@client.example> to=<bob@mx.example> size=32 msg="Subject: hi\r\n\r\n.leading dot\r\nx\r\n"
Q: 250 2.0.0 Ok: queued as A1
S: 250 2.0.0 Ok: queued as A1
C: QUIT
S: 221 2.0.0 Bye
A: CLOSE
