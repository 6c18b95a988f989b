# RFC 2449 CAPA and RFC 2595 section 4 STLS: plaintext pipelined after
# STLS is discarded (and counted), never read after the handshake; after
# TLS, CAPA drops STLS and USER is allowed.
#! stls
#! needtls
#! implementation=mhs-pop3
#! discarded=30
S: +OK POP3 server ready
C: CAPA
S: +OK Capability list follows
S: TOP
S: UIDL
S: PIPELINING
S: RESP-CODES
S: STLS
S: IMPLEMENTATION mhs-pop3
S: .
C: USER eve
S: -ERR USER not allowed before STLS
C: STLS
S: +OK Begin TLS negotiation
A: STLS
C: USER injected
C: PASS injected
--- tls
C: STLS
S: -ERR command not permitted when TLS active
C: CAPA
S: +OK Capability list follows
S: TOP
S: UIDL
S: USER
S: PIPELINING
S: RESP-CODES
S: IMPLEMENTATION mhs-pop3
S: .
C: USER bob
S: +OK send PASS
C: QUIT
S: +OK localhost POP3 server signing off
A: CLOSE
