"""Document review piece by piece (issue 20, instruction workbench).

An agent of the dossier's prefecture accepts or rejects each file given for a checklist piece,
a rejection with a reason from a list (and a free text); the files rejected since the last
correction request become one formal correction request (`applications.services.
correction_request_create`, the one that exists), sent by one button. The person and their
helper read each piece's state on their checklist, the reason in their own language.

- `rules`: pure decisions (which verdict may follow which, a piece's state from its files);
- `models`: `DocumentReview`, the current verdict on one file (its history: the agent-side
  timeline and the audit log);
- `services`: reviewing a file, asking for the rejected pieces (one transaction each);
- `selectors`: the back office's review panel and the portal's piece states.
"""
