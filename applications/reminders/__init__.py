"""Renewal reminders that prevent gaps (issue 16): `rules` (pure), `selectors` (reads),
`services` (the daily sending), `panels` (the banner on the dashboard)."""
