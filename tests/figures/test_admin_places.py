"""The figure lists name provinces and districts in the reader's language (the tables keep
codes), in the list's own query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accidents.models import AccidentFigure
from victims.models import CasualtyFigure

pytestmark = pytest.mark.django_db


def figure(district: str, **fields) -> CasualtyFigure:
    return CasualtyFigure.objects.create(
        year=2026,
        month=3,
        province=fields.pop("province", "LA-XI"),
        district=district,
        device_category="cluster_submunition",
        activity="farming",
        classification="civilian",
        civilian_status="civilian",
        sex="male",
        age_group="adult",
        outcome="injured",
        verified=True,
        count=1,
        **fields,
    )


@pytest.mark.parametrize(
    ("language", "names"),
    [("en", ["Xiengkhouang", "Pek", "Kham"]), ("lo", ["ຊຽງຂວາງ", "ແປກ", "ຄຳ"])],
)
def test_casualty_figures_name_their_places(seeded, staff_browser, language, names):
    for district in ("0901", "0902", "0903"):
        figure(district)
    figure("9999", province="LA-ZZ")  # codes the reference data does not know stay as they are
    staff_browser.cookies["django_language"] = language

    with CaptureQueriesContext(connection) as queries:
        html = staff_browser.get("/admin/victims/casualtyfigure/").content.decode()
    figure_queries = len(queries)
    for district in ("0904", "0905"):
        figure(district)
    with CaptureQueriesContext(connection) as queries:
        staff_browser.get("/admin/victims/casualtyfigure/")
    more = len(queries)

    province, pek, kham = names
    assert f'<td class="field-province_name">{province}</td>' in html
    assert f'<td class="field-district_name">{pek}</td>' in html
    assert f'<td class="field-district_name">{kham}</td>' in html
    assert '<td class="field-district_name">9999</td>' in html
    assert '<td class="field-province_name">LA-ZZ</td>' in html
    assert more == figure_queries  # no query per row


def test_accident_figures_name_their_places(seeded, staff_browser):
    AccidentFigure.objects.create(
        year=2026,
        month=3,
        province="LA-HO",
        district="0701",
        device_category="cluster_submunition",
        activity="farming",
        classification="civilian",
        verified=True,
        count=2,
    )

    html = staff_browser.get("/admin/accidents/accidentfigure/").content.decode()

    assert '<td class="field-province_name">Houaphanh</td>' in html
    assert '<td class="field-district_name">Xamneua</td>' in html
