# A status line that is neither +OK nor -ERR ends the session at once.
#! user=u
#! password=p
C: * OK IMAP4rev1 ready
A: DONE failed retrieved=0 deleted=0 reason=bad status line: * OK IMAP4rev1 ready
A: CLOSE
