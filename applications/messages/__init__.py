"""The message thread of a dossier between the prefecture's agents and the person (issue 20).

A message is a conversation, not a formal act: a correction request (with its deadline and its
effect on the dossier's status) stays the prefecture's formal way to ask for a piece or a fix.

- `models`: messages, their attachments (through the one upload pipeline, anef/uploads.py);
- `rules`: pure checks of a message's text and which side a message comes from;
- `services`: posting a message (row lock, timeline event, audit entry and the e-mail to the
  other side written to the outbox, one transaction) and marking a thread read;
- `selectors`: a dossier's thread, unread counts for each side, attachments scoped to who asks.

Who may read or write a thread: the person, a helper under a mandate in force covering the
dossier, and the agents of the dossier's prefecture. Contact-centre staff never see a message's
text nor its attachments (their pages never read this package); anyone else is not found (404).
"""
