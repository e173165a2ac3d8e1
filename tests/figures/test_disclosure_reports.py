"""Disclosure control of what is not the statistics API's own answers: the reports a partner
downloads, on demo data that follows Laos' published figures (2014-2016), and the cube's
exact values against the selectors NRA staff read (the same numbers before suppression)."""

from __future__ import annotations

from typing import Any

import pytest

from accidents.models import District, Province
from figures.disclosure.assistance import published_assistance
from figures.disclosure.cube import FIELDS, VICTIM_DIMENSIONS
from figures.disclosure.published import published
from figures.reports import DISCLOSURE_NOTE, REPORTS, ReportRequest
from figures.reports.guards import guard_report
from figures.selectors import DIMENSIONS, FigureQuery, figures_breakdown, figures_summary
from figures.slices import statistics_refresh
from simulation.demo import demo_data_generate
from tests.figures.reports import download, read_csv
from tests.helpers.disclosure import assert_not_recoverable, assert_shown_safely
from tests.helpers.sync import Tablet

pytestmark = pytest.mark.django_db
YEAR = 2016


@pytest.fixture
def demo(seeded: None) -> None:
    list(demo_data_generate(first_year=YEAR - 2, last_year=YEAR, seed=3))
    statistics_refresh()


def number(text: str) -> Any:
    return int(text) if text.isdigit() else text


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_partners_download_reports_with_no_small_count(
    demo: None, partner: Tablet, nra: Tablet, name: str
) -> None:
    shown = read_csv(download(partner, name, "csv", year=str(YEAR)).content)
    exact = read_csv(download(nra, name, "csv", year=str(YEAR)).content)

    # the partner's file says what was done; NRA staff's file is exact
    assert ["Note", DISCLOSURE_NOTE] in shown[0]
    assert ["Note", DISCLOSURE_NOTE] not in exact[0]
    hidden = 0
    for shown_row, exact_row in zip(shown[1][1:], exact[1][1:], strict=True):
        for seen, value in zip(shown_row, exact_row, strict=True):
            if not value.isdigit():
                assert seen == value  # labels unchanged
                continue
            assert_shown_safely(number(seen))
            if seen in ("<5", "x"):
                hidden += 1
                assert (seen == "<5") == (1 <= int(value) <= 4)
            else:
                assert seen == value  # a count shown is the exact count
    assert hidden


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_no_sum_a_report_holds_gives_a_hidden_count_away(demo: None, name: str) -> None:
    request = ReportRequest.for_year(YEAR)
    report = REPORTS[name](request=request)
    guard = guard_report(report, request)
    guard.protect()

    # every sum declared (within the table and with the API's cells) holds in the numbers
    assert guard.mismatches == []

    def shown(cell: tuple) -> Any:
        if cell[0] == "report":
            return report.rows[int(cell[1])][cell[2]]
        kind, year = cell[0].split(":")
        return api_shown(kind, int(year), (cell[1], *cell[2], cell[3]))

    def api_shown(kind: str, year: int, cell: tuple) -> Any:
        read = published if kind == "figures" else published_assistance
        return read(year, verified_only=False).shown(cell)

    for identity in guard.identities:
        assert_not_recoverable(shown(identity.total), [shown(p) for p in identity.parts])
    for cell, twins in guard.twins.items():
        parts = [api_shown(kind, year, api) for kind, year, api in twins]
        assert_not_recoverable(shown(cell), parts)
        if len(parts) == 1:  # a twin of one API cell reads as the API shows it
            assert shown(cell) == parts[0]


def test_the_cube_counts_what_the_selectors_count(demo: None) -> None:
    """Before suppression, every cell of the cube is the figure NRA staff read."""
    values = published(YEAR, verified_only=False).values
    provinces = list(Province.objects.values_list("code", flat=True)[:4])
    districts = list(
        District.objects.filter(province_id__in=provinces).values_list("code", "province_id")
    )
    areas = [("", {}), *((p, {"province": p}) for p in provinces)]
    areas += [(d, {"province": p, "district": d}) for d, p in districts[:12]]
    for area, where in areas:
        query = FigureQuery(year=YEAR, **where)
        summary = figures_summary(query=query)
        assert {f: values.get((area, "total", None, f), 0) for f in FIELDS} == summary
        for by in DIMENSIONS:
            for row in figures_breakdown(by=by, query=query):
                if by in ("province", "district"):
                    cell_area = where.get("district") or row["key"]
                    cell = (cell_area, "total", None)
                else:
                    cell = (area, by, row["key"])
                for field in FIELDS:
                    if field == "accidents" and by in VICTIM_DIMENSIONS:
                        continue
                    assert values.get((*cell, field), 0) == row[field], (
                        area,
                        by,
                        row["key"],
                        field,
                    )
