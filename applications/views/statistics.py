"""The prefecture's figures (issue 20): what was filed, completed and decided each week, the
backlog by age, the times per ground. Agents and their supervisor see their own prefecture
(whatever the address asks); administrators choose any. Counts and days only."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.permissions import can_see_prefecture_statistics, can_use_back_office, requires
from applications.processing_times import PROCESSING_MIN_DECISIONS
from applications.statistics import AgeBucket, PrefectureStatistics, prefecture_statistics
from applications.views.charts import bar_chart
from reference.models import Prefecture


def _age_label(bucket: AgeBucket) -> str:
    if bucket.until_days is None:
        return _("%(days)s days or more") % {"days": bucket.from_days}
    return _("%(start)s to %(end)s days") % {
        "start": bucket.from_days,
        "end": bucket.until_days - 1,
    }


def _charts(figures: PrefectureStatistics) -> dict:
    weeks = [date_format(week.starts_on, "d/m") for week in figures.weeks]
    flows = bar_chart(
        chart_id="chart-weeks",
        title=_("Applications filed, completed and decided per week"),
        description=_(
            "The last 12 weeks, from the week of %(first)s to the current one; the figures "
            "are in the table below."
        )
        % {"first": weeks[0]},
        categories=weeks,
        series=[
            (_("Filed"), [week.filed for week in figures.weeks]),
            (_("Complete"), [week.completed for week in figures.weeks]),
            (_("Decided"), [week.decided for week in figures.weeks]),
        ],
    )
    backlog = bar_chart(
        chart_id="chart-backlog",
        title=_("Applications awaiting a decision, by time since filing"),
        description=_("%(count)s applications in all; the figures are in the table below.")
        % {"count": figures.backlog_total},
        categories=[_age_label(bucket) for bucket in figures.backlog],
        series=[(_("Applications"), [bucket.count for bucket in figures.backlog])],
    )
    return {"flows_chart": flows, "backlog_chart": backlog}


def _prefecture_for(request: HttpRequest) -> tuple[Prefecture, list[Prefecture] | None]:
    """An agent's own prefecture (the address cannot change it); for an administrator, the one
    chosen in the address (the first one otherwise) and the list to choose from."""
    if can_use_back_office(request.user):
        return request.user.prefecture, None
    prefectures = list(Prefecture.objects.order_by("departement_code"))
    if not prefectures:
        raise Http404
    code = request.GET.get("prefecture", "")
    chosen = next((p for p in prefectures if p.departement_code == code), prefectures[0])
    return chosen, prefectures


@requires(can_see_prefecture_statistics)
@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    prefecture, prefectures = _prefecture_for(request)
    figures = prefecture_statistics(prefecture)
    return render(
        request,
        "applications/backoffice/statistics.html",
        {
            "figures": figures,
            "prefecture": prefecture,
            "prefectures": prefectures,
            "minimum": PROCESSING_MIN_DECISIONS,
            "backlog_rows": [(_age_label(bucket), bucket.count) for bucket in figures.backlog],
            **_charts(figures),
        },
    )
