"""Benchmark of the agents' queue export (issues 19 and 20). Not a test: run it on demand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anef_exports_bench \\
        .venv/bin/python bench/exports.py --count 50000

It creates the database afresh (it refuses any name not ending with `_bench`), migrates it,
loads the reference data, files `--count` dossiers in Seine-Saint-Denis (people with a profile,
a third of them renewals of a card held), then builds the whole queue's export through the
real service (`applications.exports.services.queue_export_build`: the queue's selector read
with `.iterator(chunk_size=…)`, openpyxl in `write_only` mode) in a child process, once per
format, and prints:

- the time of the build (`time.perf_counter`), the rows and the file's size;
- the child's resident memory: at its start (inherited from this process by `fork`) and at its
  peak (`VmHWM`, the same figure as `resource.getrusage(RUSAGE_SELF).ru_maxrss` in the child);
  the target is on the peak, the export's own cost is peak − start;
- in a second child, the same build under `tracemalloc`: the peak of the memory Python
  allocated during the build (slower, so not timed; `--no-tracemalloc` skips it);
- the machine's load average before and after (a loaded machine makes times longer).

Targets (issue 20): 50,000 dossiers in under 60 s, under 300 MB.
"""

import argparse
import json
import os
import sys
import time
import tracemalloc
from datetime import date, timedelta

from attestations_sweep import database_prepare, django_setup, refuse_unless_bench_database

TARGET_SECONDS = 60.0
TARGET_MEGABYTES = 300.0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000, help="dossiers (default 50,000)")
    parser.add_argument("--batch-size", type=int, default=5_000)
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the second, traced build per format"
    )
    return parser.parse_args(argv)


def population_fill(count: int, batch_size: int):
    """`count` filed dossiers in Seine-Saint-Denis with their people; the agent who exports."""
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import ApplicantProfile, User
    from applications.enums import ApplicationStatus
    from applications.models import Application, ResidencePermit
    from reference.enums import CardType, ProcedureKind
    from reference.models import Ground, Prefecture

    prefecture = Prefecture.objects.get(departement_code="93")
    grounds = list(Ground.objects.filter(active=True, is_procedure=False, renewable=True)[:6])
    statuses = [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.CORRECTION_REQUESTED,
        ApplicationStatus.COMPLETE,
    ]
    now = timezone.now()
    today = timezone.localdate()
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        users = User.objects.bulk_create(
            User(
                email=f"bench{start + i}@anef.example",
                email_key=f"bench{start + i}@anef.example",  # save() sets it; bulk_create not
                first_name="Amina" if i % 2 else "=Karim",  # a formula start, neutralised
                last_name=f"Diallo{start + i}",
                role=Role.APPLICANT,
            )
            for i in range(size)
        )
        ApplicantProfile.objects.bulk_create(
            ApplicantProfile(
                user=user,
                birth_date=date(1990, 1, 1),
                nationality="malienne",
                foreigner_number=f"{start + i:010d}",
                address_line="1 rue de la République",
                postal_code="93200",
                city="Saint-Denis",
            )
            for i, user in enumerate(users)
        )
        permits = ResidencePermit.objects.bulk_create(
            ResidencePermit(
                holder=user,
                number=f"P{start + i:09d}",
                card_type=CardType.TEMPORARY,
                ground=grounds[i % len(grounds)],
                valid_from=today - timedelta(days=300),
                valid_until=today + timedelta(days=60 + i % 90),
            )
            for i, user in enumerate(users)
            if i % 3 == 0
        )
        permit_of = {permit.holder_id: permit for permit in permits}
        Application.objects.bulk_create(
            Application(
                applicant=user,
                ground=grounds[i % len(grounds)],
                kind=ProcedureKind.RENEWAL
                if user.pk in permit_of
                else ProcedureKind.FIRST_APPLICATION,
                renews_permit=permit_of.get(user.pk),
                prefecture=prefecture,
                status=statuses[i % len(statuses)],
                filed_at=now - timedelta(days=i % 120),
            )
            for i, user in enumerate(users)
        )
        print(f"  {start + size:,} dossiers", flush=True)
    return User.objects.create_user(
        email="agent.bench@anef.example",
        password=None,
        role=Role.PREFECTURE_AGENT,
        prefecture=prefecture,
    )


def _status_kilobytes(field: str) -> int:
    """`VmRSS` (now) or `VmHWM` (peak) of this process, in kB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def export_once(agent_id: int, file_format: str, *, trace: bool = False) -> dict:
    """Build the whole queue's export of the agent, as the task does, in this process; its
    figures (the file is deleted afterwards)."""
    from django.utils import timezone

    from accounts.models import User
    from applications.exports.models import QueueExport
    from applications.exports.services import queue_export_build

    agent = User.objects.get(pk=agent_id)
    # The row `queue_export_request` writes, without its on-commit message: the build is timed
    # here, not in a worker.
    export = QueueExport.objects.create(
        requested_by=agent,
        prefecture_id=agent.prefecture_id,
        file_format=file_format,
        filters={},
        language="fr",
        expires_at=timezone.now() + timedelta(hours=24),
    )
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    built = queue_export_build(export.pk)
    seconds = time.perf_counter() - start
    python_peak = None
    if trace:
        _current, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    if built is None or built.status != "done":
        raise RuntimeError(f"The {file_format} export was not built ({built and built.status}).")
    figures = {
        "seconds": seconds,
        "rows": built.row_count,
        "bytes": built.file.size,
        "python_peak": python_peak,
    }
    built.file.delete(save=False)
    built.delete()
    return figures


def export_in_child(agent_id: int, file_format: str, *, trace: bool = False) -> dict:
    """Fork, build the export in the child (`export_once`), and return its figures with the
    child's resident memory at its start and at its peak (kB)."""
    from django.db import connections

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the export alone
        os.close(read)
        code = 1
        try:
            rss_start = _status_kilobytes("VmRSS")
            figures = export_once(agent_id, file_format, trace=trace)
            figures.update(rss_start_kb=rss_start, rss_peak_kb=_status_kilobytes("VmHWM"))
            os.write(write, json.dumps(figures).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        report = pipe.read()
    _pid, status = os.waitpid(pid, 0)
    if status != 0 or not report:
        raise RuntimeError(f"The {file_format} export failed in the child (status {status}).")
    return json.loads(report)


def report_line(file_format: str, timed: dict, traced: dict | None, load: tuple) -> str:
    megabytes = timed["rss_peak_kb"] / 1024
    ok = timed["seconds"] < TARGET_SECONDS and megabytes < TARGET_MEGABYTES
    python_peak = (
        f"{traced['python_peak'] / 2**20:.1f} MB" if traced and traced["python_peak"] else "—"
    )
    return (
        f"{file_format}: {timed['rows']:,} rows in {timed['seconds']:.1f} s "
        f"({timed['rows'] / timed['seconds']:,.0f} rows/s), file {timed['bytes'] / 1e6:.1f} MB; "
        f"child RSS {timed['rss_start_kb'] / 1024:.0f} MB at start, {megabytes:.0f} MB at peak "
        f"(export's own: {(timed['rss_peak_kb'] - timed['rss_start_kb']) / 1024:.0f} MB); "
        f"Python peak under tracemalloc {python_peak} — target < {TARGET_SECONDS:.0f} s and "
        f"< {TARGET_MEGABYTES:.0f} MB: {'met' if ok else 'NOT met'}; load average "
        f"{load[0]:.2f} before, {load[1]:.2f} after ({os.cpu_count()} CPUs)"
    )


def measure(agent_id: int, formats: list[str], *, trace: bool = True) -> list[str]:
    lines = []
    for file_format in formats:
        before = os.getloadavg()[0]
        timed = export_in_child(agent_id, file_format)
        after = os.getloadavg()[0]
        traced = export_in_child(agent_id, file_format, trace=True) if trace else None
        lines.append(report_line(file_format, timed, traced, (before, after)))
        print(lines[-1], flush=True)
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    django_setup()
    settings_dict = refuse_unless_bench_database("the export benchmark", "anef_exports_bench")
    database_prepare(settings_dict)
    print(f"Filling {args.count:,} dossiers (set-up, not a result)…", flush=True)
    agent = population_fill(args.count, args.batch_size)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    measure(agent.pk, args.formats.split(","), trace=not args.no_tracemalloc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
