"""Which rows one page of the agent queue shows, without sorting the whole prefecture (issue 20).

With 50,000 open dossiers, `queue.values_list("pk", "applicant_id")[offset:offset + 20]` made
PostgreSQL join every dossier to its permit and sort all of them (on disk past 4 MB of
`work_mem`) to skip `offset` rows: 67 ms for page 2,250, and as much for any page past the
first ones (`bench/README.md`, "Benchmark: the queue of a large prefecture"). The listing reads
only the dossier ids and applicant ids (the row columns, subqueries included, are read
afterwards for the page's ids: `applications.views.queue_rows`), and cuts the queue's order in
two parts each cheap to read:

- the **head**: the dossiers that name a permit (every renewal, and the changes of status of a
  card held), in the queue's order (renewals, then the permit's end date, the filing, the id):
  a sort of those rows only, with the permit's join;
- the **tail**: the dossiers without a permit (first applications), which all come after the
  head (not renewals, and a permit's end date NULL sorts last) in the order (filed_at, id):
  read along the index `application_queue_filed` (prefecture, filed_at, id; open dossiers),
  like the whole queue in the order « oldest first » (`order=filed`), which is all tail.

A page past the middle of its part is read from the part's end in the reversed order (a
top-N sort, or the index read backwards) and turned round, so no page reads more than half a
part. The one page across the two parts takes the head's last rows and the tail's first ones
(two small subqueries) in the queue's order. One count query (the total and the head's size)
and one query for the page, whatever the page: the query count stays constant.
"""

from functools import cached_property

from django.db.models import Count, Q, QuerySet

# The dossier's columns the listing reads: its id, and its person's (the row's generation).
LISTED = ("pk", "applicant_id")


class QueueListing:
    """The queue's rows as (dossier id, applicant id), as a `Paginator`'s object list: its
    `count()`, and a slice read by `__getitem__` in one query."""

    ordered = True  # the paginator's check: the queue's order is total (it ends with the id)

    def __init__(self, queue: QuerySet, *, split: bool):
        """`queue`: `backoffice_queue(...)`, ordered. `split`: its order puts the dossiers that
        name a permit first and the others after them by (filed_at, pk) (the default order);
        False: the queue is read as one part in its own order (`order=filed`)."""
        self.queue = queue
        self.split = split

    @cached_property
    def _sizes(self) -> tuple[int, int]:
        """(total, head's size), in one query; no head when the order is not split."""
        counted = self.queue.aggregate(
            total=Count("pk"), held=Count("pk", filter=Q(renews_permit__isnull=False))
        )
        return counted["total"], counted["held"] if self.split else 0

    def count(self) -> int:
        return self._sizes[0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[tuple[int, int]]:
        total, held = self._sizes
        start, stop = index.start or 0, min(index.stop, total)
        if start >= stop:
            return []
        if not self.split:
            return _part_slice(self.queue, start, stop, total)
        head = self.queue.filter(renews_permit__isnull=False)
        tail = self.queue.filter(renews_permit__isnull=True).order_by("filed_at", "pk")
        if stop <= held:
            return _part_slice(head, start, stop, held)
        if start >= held:
            return _part_slice(tail, start - held, stop - held, total - held)
        # The page across the two parts: the head's last rows (its first ones reversed) and
        # the tail's first ones, chosen by two small subqueries, in the queue's order.
        head_last = head.reverse().values("pk")[: held - start]
        tail_first = tail.values("pk")[: stop - held]
        chosen = self.queue.filter(Q(pk__in=head_last) | Q(pk__in=tail_first))
        return list(chosen.values_list(*LISTED))


def _part_slice(part: QuerySet, start: int, stop: int, size: int) -> list[tuple[int, int]]:
    """Rows `start:stop` of an ordered part of `size` rows; from its end, reversed, when that
    skips fewer rows (an order that ends with the id is exactly reversed by `reverse()`)."""
    if start > size - stop:
        return list(part.reverse().values_list(*LISTED)[size - stop : size - start])[::-1]
    return list(part.values_list(*LISTED)[start:stop])
