"""Exports of the agent's queue (issue 20): the rows the agent sees, with the filters they chose,
as a CSV or XLSX file built by a Celery task and kept 24 hours for them alone.

- `models`: `QueueExport`, the request, its progress and its file;
- `cells`: what a cell may hold (formula injection neutralised);
- `writers`: the CSV and streamed (write-only) XLSX writers;
- `services`: asking for an export, building it (idempotent), deleting the expired ones; each
  export is logged in the audit log as an access to personal data.
"""
