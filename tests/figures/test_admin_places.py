"""The figure lists name provinces and districts in the reader's language (the tables keep
codes), in the list's own query."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from accidents.models import AccidentFigure
from victims.models import AssistanceFigure, CasualtyFigure, ServiceType

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


@pytest.mark.parametrize(
    ("grouping", "key", "english", "lao"),
    [
        ("pillar", "medical_care", "Medical care", None),
        ("status", "in_progress", "In progress", None),
        ("need", "assessed", "Need assessed", None),
        ("need", "cancelled", "Cancelled", None),
        ("sex_age", "female:child", "Female, Child (under 18)", None),
        ("service_type", "prosthesis", "Prosthesis", "ອະໄວຍະວະທຽມ"),  # its Lao name, entered
        ("provider", "HI", "Humanity & Inclusion", "Humanity &amp; Inclusion"),  # none entered
        ("provider", "GONE", "GONE", "GONE"),
        ("total", "", "-", "-"),
    ],
)
def test_assistance_figures_show_their_keys_as_labels(
    seeded, staff_browser, grouping, key, english, lao
):
    ServiceType.objects.filter(code="prosthesis").update(name_lo="ອະໄວຍະວະທຽມ")
    AssistanceFigure.objects.create(
        accident_year=2025,
        province="LA-XI",
        verified=True,
        year=2026,
        grouping=grouping,
        key=key,
        persons=3,
        services=4,
    )

    html = staff_browser.get("/admin/victims/assistancefigure/").content.decode()
    staff_browser.cookies["django_language"] = "lo"
    lao_html = staff_browser.get("/admin/victims/assistancefigure/").content.decode()

    assert f'<td class="field-key_label">{escape(english)}</td>' in html
    cell = re.search(r'<td class="field-key_label">([^<]*)</td>', lao_html)[1]
    if lao is not None:
        assert cell == lao
    else:  # translated: Lao script, not the English label nor the raw key
        assert cell not in (escape(english), key)
        assert re.search("[\u0e80-\u0eff]", cell)
