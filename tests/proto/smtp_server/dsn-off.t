# Without DSN offered (RFC 3461 4: parameters of an extension not
# advertised are refused, RFC 5321 4.1.1.11): 555 for NOTIFY, ORCPT, RET, ENVID.
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
C: MAIL FROM:<alice@client.example> RET=FULL
S: 555 5.5.4 Unsupported option: RET
C: MAIL FROM:<alice@client.example> ENVID=x
S: 555 5.5.4 Unsupported option: ENVID
C: MAIL FROM:<alice@client.example>
A: QUERY MAIL <alice@client.example>
Q: -
S: 250 2.1.0 Ok
C: RCPT TO:<bob@mx.example> NOTIFY=SUCCESS
S: 555 5.5.4 Unsupported option: NOTIFY
C: RCPT TO:<bob@mx.example> ORCPT=rfc822;bob@mx.example
S: 555 5.5.4 Unsupported option: ORCPT
C: QUIT
S: 221 2.0.0 Bye
A: CLOSE
