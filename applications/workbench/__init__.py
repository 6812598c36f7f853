"""The instruction workbench of prefecture agents (issue 20, first slice).

- `models`: who a dossier is assigned to, who follows it, the agents' annotations, and the
  agent-side timeline of these (never shown to the applicant, their helper or the contact
  centre: those pages read `Application.events`, which this never writes to);
- `services`: assigning, following and annotating, each in one transaction with its
  agent-side event and its audit entry, bumping the prefecture's queue;
- `selectors`: the team's load, a dossier's annotations and workbench panel, the agent-side
  timeline merged with the dossier's.

Who may do what is decided here once (`rules`): agents of the dossier's prefecture only; a
supervisor (accounts.permissions.is_prefecture_supervisor) assigns to any agent of it.
"""
