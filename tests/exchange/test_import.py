"""Imports: the sample files, every kind of rejected row, Lao labels, all-or-nothing, re-imports."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accidents.models import Accident, District
from exchange import imports
from exchange.imports import (
    ImportRejected,
    RowError,
    import_file_apply,
    import_file_check,
    import_file_store,
    import_plan_apply,
    record_id,
)
from exchange.models import ImportFile, ImportStatus
from fieldsync.models import Change, InboxRecord, RecordVersion, Role, SyncBatch
from fieldsync.registry import registry
from tests.helpers.exchange import SAMPLES, csv_bytes, plan_of, xlsx_bytes
from victims.models import Assistance, Victim

pytestmark = pytest.mark.django_db

ACCIDENT_HEADER = "legacy_id,occurred_on,province,district,classification,device_category,activity"
VICTIM_HEADER = (
    "legacy_id,victim_type,accident_legacy_id,related_victim_legacy_id,relationship,outcome,"
    "sex,age_years,full_name,date_of_birth,consent"
)


def wire(model: str, legacy_id: str) -> dict[str, Any]:
    adapter = registry[model]
    return adapter.to_wire(adapter.model.objects.get(pk=record_id(model, legacy_id)))


def import_samples(user: Any) -> ImportFile:
    content = (SAMPLES / "records.xlsx").read_bytes()
    import_file = import_file_store(content=content, file_name="records.xlsx", kind=None, user=user)
    return import_file_apply(import_file=import_file, user=user)


# -- the sample files ----------------------------------------------------------------------------
def test_the_sample_csv_files_import_one_after_the_other_with_lao_labels_read_as_codes(
    officer,
) -> None:
    reports = {}
    for name in ("accidents.csv", "victims.csv", "assistance.csv"):
        plan = plan_of((SAMPLES / name).read_bytes(), officer, name)
        reports[name] = plan.report
        reports[name].outcomes = import_plan_apply(plan=plan, user=officer)

    assert {name: report.counts for name, report in reports.items()} == {
        "accidents.csv": {
            "accident": {"rows": 4, "new": 4, "changed": 0, "unchanged": 0, "rejected": 0}
        },
        "victims.csv": {
            "victim": {"rows": 6, "new": 6, "changed": 0, "unchanged": 0, "rejected": 0}
        },
        "assistance.csv": {
            "assistance": {"rows": 4, "new": 4, "changed": 0, "unchanged": 0, "rejected": 0}
        },
    }
    assert [report.outcomes for report in reports.values()] == [
        {"applied": 4},
        {"applied": 6},
        {"applied": 4},
    ]
    lao = wire("accident", "NRA-2019-0031")  # written in Lao: ຕອນເຊົ້າ, ຫົວພັນ, ລະເບີດຝັງດິນ...
    assert {
        field: lao[field]
        for field in (
            "time_of_day",
            "province",
            "district",
            "classification",
            "device_category",
            "activity",
            "ordnance_moved_before",
            "prior_risk_education",
            "reporting_organisation",
        )
    } == {
        "time_of_day": "morning",
        "province": "LA-HO",
        "district": "0701",
        "classification": "demining",
        "device_category": "landmine",
        "activity": "clearance_operation",
        "ordnance_moved_before": "yes",
        "prior_risk_education": "yes",
        "reporting_organisation": "HALO",
    }
    recalled = wire("accident", "NS-1973-0001")  # "1973": known by its year only
    assert (recalled["occurred_on"], recalled["date_precision"]) == ("1973-01-01", "year")
    assert (recalled["province"], recalled["district"]) == ("LA-XI", "0901")  # by name
    by_month = wire("accident", "NS-1996-0412")
    assert (by_month["occurred_on"], by_month["date_precision"]) == ("1996-04-01", "month")
    assert (by_month["activity"], by_month["ordnance_type"]) == ("scrap_metal", "BLU-26")
    day_first = wire("accident", "NRA-2005-0112")
    assert (day_first["occurred_on"], day_first["province"]) == ("2005-03-14", "LA-XI")
    killed = wire("victim", "NRA-2005-0112-1")  # ເສຍຊີວິດ, ຊາຍ
    assert (killed["outcome"], killed["sex"], killed["age_group"]) == ("killed", "male", "adult")
    family = wire("victim", "NRA-2005-0112-2")
    assert {k: family[k] for k in ("related_victim", "relationship", "sex", "consent")} == {
        "related_victim": record_id("victim", "NRA-2005-0112-1"),
        "relationship": "spouse",
        "sex": "female",
        "consent": "self",
    }
    assert (family["phone"], family["date_of_birth"]) == ("+856 20 5555 0101", "1966-02-11")
    girl = wire("victim", "NS-1973-0001-2")
    assert (girl["injuries"], girl["age_estimated"]) == (["burns", "multiple_fragments"], True)
    deminer = wire("victim", "NRA-2019-0031-1")
    assert deminer["injuries"] == ["amputation_leg_left", "hand_fingers"]
    assert (deminer["civilian_status"], deminer["consent"]) == ("deminer", "self")
    prosthesis = wire("assistance", "A-0001")
    assert {k: prosthesis[k] for k in ("victim", "provider_organisation", "cost_lak")} == {
        "victim": record_id("victim", "NS-1996-0412-1"),
        "provider_organisation": "COPE",
        "cost_lak": "4500000.00",
    }
    assert wire("assistance", "A-0002")["provider_organisation"] == "WE"  # by its name
    assert wire("assistance", "A-0004")["provider_organisation"] == "NRC"


def test_the_xlsx_sample_holds_the_same_records_as_the_three_csv_files(officer) -> None:
    from_csv = [
        (row.model, row.id, row.data)
        for name in ("accidents.csv", "victims.csv", "assistance.csv")
        for row in plan_of((SAMPLES / name).read_bytes(), officer, name).rows
    ]

    plan = plan_of((SAMPLES / "records.xlsx").read_bytes(), officer, "records.xlsx")

    assert [(row.model, row.id, row.data) for row in plan.rows] == from_csv
    assert plan.report.sheets == [
        {"sheet": "accidents", "model": "accident", "rows": 4},
        {"sheet": "victims", "model": "victim", "rows": 6},
        {"sheet": "assistance", "model": "assistance", "rows": 4},
    ]
    assert (plan.report.ok, plan.report.errors, plan.report.file_errors) == (True, [], [])


def test_an_import_is_recorded_like_any_write_of_the_engine(officer) -> None:
    import_file = import_samples(officer)

    assert import_file.status == ImportStatus.APPLIED
    assert import_file.applied_by == officer
    assert bytes(import_file.content) == b""  # the records hold the (personal) data now
    versions = RecordVersion.objects.filter(record_id=record_id("victim", "NRA-2019-0031-1"))
    assert list(versions.values_list("version", "op", "source", "user__username")) == [
        (1, "create", "import", "nra-officer")
    ]
    assert SyncBatch.objects.get().device.name == "server: import"
    accident = Accident.objects.get(pk=record_id("accident", "NRA-2019-0031"))
    assert accident.reference.startswith(f"LA-HO-{timezone.localdate().year}-")


# -- rejected rows -------------------------------------------------------------------------------
def test_every_kind_of_rejected_row_is_reported_by_column_and_nothing_is_written(officer) -> None:
    today = timezone.localdate()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    content = xlsx_bytes(
        {
            "accidents": [
                ACCIDENT_HEADER.split(","),
                ["A-1", "2010-05-01", "LA-XI", "Pek", "civilian", "landmine", "farming"],
                ["A-2", "2010-05-01", "LA-XI", "Nowhere", "civilian", "landmine", "farming"],
                ["A-3", "2010-05-01", "LA-SV", "0901", "civilian", "landmine", "farming"],
                ["A-4", tomorrow, "LA-XI", "0901", "civilian", "landmine", "farming"],
                ["A-5", "2010-05-01", "LA-XI", "0901", "civilian", "landmine", "juggling"],
                [
                    "A-6",
                    "2010-05-01",
                    "Xiengkhouang",
                    "Xaysetha",
                    "civilian",
                    "landmine",
                    "farming",
                ],
                [None, "2010-05-01", "LA-XI", "0901", "civilian", "landmine", "farming"],
                ["A-1", "2011-05-01", "LA-XI", "0901", "civilian", "landmine", "farming"],
            ],
            "victims": [
                VICTIM_HEADER.split(","),
                ["V-1", "direct", "A-1", None, None, "injured", "male", 12, None, None, "none"],
                ["V-2", "indirect", None, "V-1", None, None, "female", 40, None, None, "none"],
                ["V-3", "direct", "A-1", None, None, "killed", "male", 30, "Som", None, "none"],
                ["V-4", "direct", "A-404", None, None, "injured", "male", 30, None, None, "none"],
                ["V-5", "direct", "A-3", None, None, "injured", "male", 30, None, None, "none"],
                ["V-6", "direct", "A-1", None, None, "injured", "male", 130, None, None, "none"],
                ["V-7", "direct", "A-1", None, None, "hurt", "male", 8, None, None, "none"],
                [
                    "V-8",
                    "direct",
                    "A-1",
                    None,
                    None,
                    "injured",
                    "male",
                    8,
                    "X",
                    "31/02/1990",
                    "self",
                ],
                ["V-9", "indirect", None, "V-2", "parent", None, "female", 60, None, None, "none"],
            ],
            "assistance": [
                [
                    "legacy_id",
                    "victim_legacy_id",
                    "pillar",
                    "service_type",
                    "provider_organisation",
                    "status",
                ],
                ["S-1", "V-1", "medical_care", "prosthesis", "COPE", "referred"],
                ["S-2", "V-1", "medical_care", "surgery", "COPE", "completed"],
                ["S-3", "V-1", "medical_care", "surgery", "Nobody", "referred"],
                ["S-4", "V-1", "medical_care", "surgery", "COPE", "referred"],
            ],
        }
    )

    changes = Change.objects.count()  # the reference data's

    import_file = import_file_store(content=content, file_name="bad.xlsx", kind=None, user=officer)
    plan = import_file_check(import_file=import_file)

    def error(sheet: str, row: int, legacy_id: str, column: str, *messages: str) -> RowError:
        return RowError(sheet, row, legacy_id, column, list(messages))

    assert plan.report.errors == [
        error("accidents", 3, "A-2", "district", "Unknown district code 'Nowhere'."),
        error("accidents", 4, "A-3", "district", "District 0901 is not in province LA-SV."),
        error("accidents", 5, "A-4", "occurred_on", "The accident date cannot be in the future."),
        error("accidents", 6, "A-5", "activity", '"juggling" is not a valid choice.'),
        error(
            "accidents",
            7,
            "A-6",
            "district",
            "District name 'Xaysetha' is used in several provinces (0103 in LA-VT, 1701 in "
            "LA-AT): give the province or the district code.",
        ),
        error("accidents", 8, "", "legacy_id", "This field is required."),
        error("accidents", 9, "A-1", "legacy_id", "The legacy id 'A-1' is already used in row 2."),
        error(
            "assistance",
            2,
            "S-1",
            "service_type",
            "Service type prosthesis belongs to pillar physical_rehabilitation, not medical_care.",
        ),
        error(
            "assistance",
            3,
            "S-2",
            "completed_on",
            "This field is required when the status is completed.",
        ),
        error(
            "assistance", 4, "S-3", "provider_organisation", "Unknown organisation code 'Nobody'."
        ),
        error(
            "victims", 3, "V-2", "relationship", "This field is required for an indirect victim."
        ),
        error("victims", 4, "V-3", "full_name", "Must be empty without consent."),
        error(
            "victims",
            5,
            "V-4",
            "accident_legacy_id",
            "No accident has the legacy id 'A-404', in this file or imported before.",
        ),
        error(
            "victims",
            6,
            "V-5",
            "accident_legacy_id",
            "The accident 'A-3' (row 4 of accidents) is rejected.",
        ),
        error("victims", 7, "V-6", "age_years", "Ensure this value is less than or equal to 110."),
        error("victims", 8, "V-7", "outcome", '"hurt" is not a valid choice.'),
        error(
            "victims",
            9,
            "V-8",
            "date_of_birth",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
        ),
        error(
            "victims",
            10,
            "V-9",
            "related_victim_legacy_id",
            "The victim 'V-2' (row 3) is rejected.",
        ),
    ]
    assert plan.report.counts == {
        "accident": {"rows": 8, "new": 1, "changed": 0, "unchanged": 0, "rejected": 7},
        "victim": {"rows": 9, "new": 1, "changed": 0, "unchanged": 0, "rejected": 8},
        "assistance": {"rows": 4, "new": 1, "changed": 0, "unchanged": 0, "rejected": 3},
    }
    assert ImportFile.objects.get().status == ImportStatus.INVALID
    with pytest.raises(ValueError, match="without rejected rows"):
        import_plan_apply(plan=plan, user=officer)
    applied = import_file_apply(import_file=import_file, user=officer)
    assert applied.status == ImportStatus.INVALID
    assert Accident.objects.count() == Victim.objects.count() == Assistance.objects.count() == 0
    assert SyncBatch.objects.count() == InboxRecord.objects.count() == 0
    assert Change.objects.count() == changes


def test_a_district_name_used_in_two_provinces_is_read_in_the_rows_province(officer) -> None:
    content = csv_bytes(
        ACCIDENT_HEADER,
        "A-1,2010-05-01,Attapeu,Xaysetha,civilian,landmine,farming",
        "A-2,2010-05-01,ນະຄອນຫຼວງວຽງຈັນ,xaysetha,civilian,landmine,farming",
        "A-3,2010-05-01,17,1701,civilian,landmine,farming",
    )

    plan = plan_of(content, officer, "accidents.csv")

    assert [(r.data["province"], r.data["district"]) for r in plan.rows] == [
        ("LA-AT", "1701"),
        ("LA-VT", "0103"),
        ("LA-AT", "1701"),
    ]


def test_a_family_member_must_name_a_casualty(officer) -> None:
    content = xlsx_bytes(
        {
            "accidents": [
                ACCIDENT_HEADER.split(","),
                ["A-1", "2010-05-01", "LA-XI", "0901", "civilian", "landmine", "farming"],
            ],
            "victims": [
                VICTIM_HEADER.split(","),
                ["V-1", "direct", "A-1", None, None, "injured", "male", 12, None, None, "none"],
                ["V-2", "indirect", None, "V-1", "parent", None, "female", 40, None, None, "none"],
                ["V-3", "indirect", None, "V-2", "parent", None, "female", 60, None, None, "none"],
            ],
        }
    )

    plan = plan_of(content, officer, "family.xlsx")

    assert plan.report.errors == [
        RowError(
            "victims",
            4,
            "V-3",
            "related_victim_legacy_id",
            ["The related victim must be a direct victim."],
        )
    ]


@pytest.mark.parametrize(
    ("file_name", "content", "kind", "message"),
    [
        (
            "accidents.csv",
            csv_bytes("legacy_id,occurred_on,colour", "A-1,2010-05-01,red"),
            None,
            "accidents.csv: unknown column 'colour'.",
        ),
        (
            "accidents.csv",
            csv_bytes("occurred_on", "2010-05-01"),
            None,
            "accidents.csv: the column 'legacy_id' is missing.",
        ),
        (
            "records.csv",
            csv_bytes("legacy_id", "A-1"),
            None,
            "Say which records this CSV file holds (accidents, victims or assistance), or name "
            "the file after them (victims.csv).",
        ),
        (
            "accidents.csv",
            "legacy_id,village\nA-1,Ban Nâ\n".encode("latin-1"),
            None,
            "The file is not UTF-8 text: in Excel, save it as “CSV UTF-8 (comma delimited)”.",
        ),
        (
            "records.xlsx",
            b"PK\x03\x04 not really a workbook",
            None,
            "The file is not an Excel workbook (.xlsx) that can be read.",
        ),
        (
            "records.xlsx",
            xlsx_bytes({"Sheet1": [["legacy_id"], ["A-1"]]}),
            None,
            "No sheet is named accidents, victims or assistance: name the sheets after the "
            "records they hold, or say which records the file holds.",
        ),
        ("victims.csv", csv_bytes(VICTIM_HEADER), None, "The file holds no records."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_as_a_whole(
    officer, file_name: str, content: bytes, kind: str | None, message: str
) -> None:
    plan = plan_of(content, officer, file_name)

    assert message in plan.report.file_errors
    assert (plan.report.ok, plan.rows) == (False, [])


def test_the_columns_are_listed_when_one_is_unknown(officer) -> None:
    plan = plan_of(csv_bytes("Legacy ID,Colour", "A-1,red"), officer, "assistance.csv")

    assert plan.report.file_errors == [
        "assistance.csv: unknown column 'Colour'.",
        "assistance.csv: the columns of assistance are: legacy_id, victim_legacy_id, pillar, "
        "service_type, provider_organisation, status, started_on, completed_on, quantity, unit, "
        "cost_lak, notes.",
    ]


def test_a_csv_in_semicolons_with_excels_bom_and_a_named_kind_is_read(officer) -> None:
    content = (
        "\ufefflegacy_id;occurred_on;province;district;classification;device_category;activity\n"
    )
    content += "A-1;01/02/2003;LA-XI;901;Civilian;Landmine;Playing\n"

    plan = plan_of(content.encode(), officer, "export from access.txt", kind="accident")

    assert plan.report.errors == []
    assert plan.rows[0].data == {
        "occurred_on": "2003-02-01",
        "province": "LA-XI",
        "district": "0901",
        "classification": "civilian",
        "device_category": "landmine",
        "activity": "playing",
    }


def test_only_nra_staff_may_import(seeded, make_user) -> None:
    surveyor = make_user("surveyor-halo", role=Role.SURVEYOR, organisation="HALO")

    plan = plan_of((SAMPLES / "accidents.csv").read_bytes(), surveyor, "accidents.csv")

    assert plan.report.file_errors == ["Only NRA staff accounts may import records."]


# -- all or nothing ------------------------------------------------------------------------------
def test_a_record_the_engine_refuses_when_applying_rolls_the_whole_file_back(officer) -> None:
    plan = plan_of((SAMPLES / "accidents.csv").read_bytes(), officer, "accidents.csv")
    District.objects.filter(code="0902").delete()  # after the check: the engine refuses A-3
    changes = Change.objects.count()  # the reference data's

    with pytest.raises(ImportRejected) as rejected:
        import_plan_apply(plan=plan, user=officer)

    assert rejected.value.errors == [
        RowError("accidents.csv", 4, "NRA-2005-0112", "district", ["Unknown district code '0902'."])
    ]
    assert Accident.objects.count() == 0
    assert SyncBatch.objects.count() == InboxRecord.objects.count() == 0
    assert RecordVersion.objects.count() == 0
    assert Change.objects.count() == changes


def test_a_failed_import_file_keeps_its_file_and_says_why(officer, monkeypatch) -> None:
    # A check blind to missing parents: the engine then holds the victim, which aborts it all.
    monkeypatch.setattr(imports.RowChecker, "_check_parents", lambda self, row: None)
    content = xlsx_bytes(
        {
            "accidents": [
                ACCIDENT_HEADER.split(","),
                ["A-1", "2010-05-01", "LA-XI", "0901", "civilian", "landmine", "farming"],
            ],
            "victims": [
                VICTIM_HEADER.split(","),
                ["V-1", "direct", "A-404", None, None, "injured", "male", 12, None, None, "none"],
            ],
        }
    )
    import_file = import_file_store(content=content, file_name="x.xlsx", kind=None, user=officer)

    import_file = import_file_apply(import_file=import_file, user=officer)

    assert import_file.status == ImportStatus.FAILED
    assert import_file.report["errors"] == [
        {
            "sheet": "victims",
            "row": 2,
            "legacy_id": "V-1",
            "column": "",
            "messages": [f"Waits for the accident {record_id('accident', 'A-404')}."],
        }
    ]
    assert bytes(import_file.content) == content
    assert Accident.objects.count() == Victim.objects.count() == SyncBatch.objects.count() == 0


# -- importing again -----------------------------------------------------------------------------
def test_importing_the_same_file_again_changes_nothing(officer) -> None:
    first = import_samples(officer)
    counts = (
        RecordVersion.objects.count(),
        Change.objects.count(),
        max(Change.objects.values_list("seq", flat=True)),
        SyncBatch.objects.count(),
        InboxRecord.objects.count(),
    )

    again = import_samples(officer)

    assert again.status == ImportStatus.APPLIED
    assert again.report["already_imported"] is True
    assert again.report["counts"]["victim"] == {
        "rows": 6,
        "new": 0,
        "changed": 0,
        "unchanged": 6,
        "rejected": 0,
    }
    assert again.report["outcomes"] == first.report["outcomes"] == {"applied": 14}
    assert (
        RecordVersion.objects.count(),
        Change.objects.count(),
        max(Change.objects.values_list("seq", flat=True)),
        SyncBatch.objects.count(),
        InboxRecord.objects.count(),
    ) == counts


def test_a_corrected_file_changes_only_the_rows_that_differ(officer) -> None:
    import_samples(officer)
    versions = RecordVersion.objects.count()
    corrected = (
        (SAMPLES / "victims.csv").read_text().replace(",Injured,Female,9,", ",Injured,Female,10,")
    )
    import_file = import_file_store(
        content=corrected.encode(), file_name="victims.csv", kind=None, user=officer
    )

    plan = import_file_check(import_file=import_file)
    import_file = import_file_apply(import_file=import_file, user=officer)

    assert plan.report.counts["victim"] == {
        "rows": 6,
        "new": 0,
        "changed": 1,
        "unchanged": 5,
        "rejected": 0,
    }
    assert import_file.report["outcomes"] == {"applied": 1, "unchanged": 5}
    assert RecordVersion.objects.count() == versions + 1
    changed = RecordVersion.objects.get(record_id=record_id("victim", "NS-1973-0001-2"), version=2)
    assert changed.changes == {"age_years": [9, 10]}


def test_an_import_changes_no_record_another_account_imported(officer, make_user) -> None:
    import_samples(officer)
    colleague = make_user("nra-colleague", role=Role.NRA_STAFF, organisation="NRA")
    corrected = (
        (SAMPLES / "victims.csv").read_text().replace(",Injured,Female,9,", ",Injured,Female,10,")
    )

    same = plan_of((SAMPLES / "victims.csv").read_bytes(), colleague, "victims.csv")
    changed = plan_of(corrected.encode(), colleague, "victims.csv")

    assert same.report.ok and same.report.counts["victim"]["unchanged"] == 6
    assert changed.report.errors == [
        RowError(
            "victims.csv",
            3,
            "NS-1973-0001-2",
            "legacy_id",
            [
                "This record was imported by another account or created on a tablet: an import "
                "changes only the records its own account imported."
            ],
        )
    ]


def test_a_deleted_parent_or_record_is_not_brought_back(officer) -> None:
    import_samples(officer)
    Accident.objects.filter(pk=record_id("accident", "NS-1996-0412")).update(is_deleted=True)
    Victim.objects.filter(pk=record_id("victim", "NS-1996-0412-1")).update(is_deleted=True)
    victims = (SAMPLES / "victims.csv").read_text().splitlines()
    content = csv_bytes(
        victims[0], victims[3], victims[3].replace("NS-1996-0412-1", "NS-1996-0412-2")
    )

    plan = plan_of(content, officer, "victims.csv")

    assert [(e.row, e.column, e.messages) for e in plan.report.errors] == [
        (2, "legacy_id", ["This record was deleted; an import does not bring it back."]),
        (2, "accident_legacy_id", ["The accident 'NS-1996-0412' was deleted."]),
        (3, "accident_legacy_id", ["The accident 'NS-1996-0412' was deleted."]),
    ]


# -- what others see -----------------------------------------------------------------------------
def test_imported_records_reach_the_tablets_pull(officer, make_tablet) -> None:
    halo = make_tablet("surveyor-halo", Role.SURVEYOR, "HALO")
    nra = make_tablet("nra-viewer", Role.NRA_STAFF, "NRA")
    _, halo_cursor = halo.pull_all()

    import_samples(officer)
    changes, _ = halo.pull_all(halo_cursor)
    everything, _ = nra.pull_all()

    assert sorted((c["model"], c["id"]) for c in changes) == sorted(
        [
            ("accident", record_id("accident", "NRA-2019-0031")),
            ("victim", record_id("victim", "NRA-2019-0031-1")),
            ("assistance", record_id("assistance", "A-0003")),
            ("assistance", record_id("assistance", "A-0004")),
        ]
    )
    records = [c for c in everything if c["model"] in ("accident", "victim", "assistance")]
    assert len(records) == 14


def test_imported_casualties_are_in_the_figures(
    officer, django_capture_on_commit_callbacks
) -> None:
    from figures.selectors import FigureQuery, figures_summary

    with django_capture_on_commit_callbacks(execute=True):
        import_samples(officer)

    assert figures_summary(query=FigureQuery(year=1973)) | {} == {
        "accidents": 1,
        "casualties": 2,
        "killed": 1,
        "injured": 1,
        "unknown": 0,
        "children": 1,
        "adults": 1,
        "men": 1,
        "women": 0,
        "boys": 0,
        "girls": 1,
    }
    assert figures_summary(query=FigureQuery(year=2005))["casualties"] == 1  # not the spouse
    assert figures_summary(query=FigureQuery(year=2019, province="LA-HO"))["injured"] == 1


def test_an_accident_known_by_its_year_or_month_takes_that_precision(officer) -> None:
    content = csv_bytes(
        "legacy_id,occurred_on,date_precision,province,district,classification,"
        "device_category,activity",
        "A-1,1975,,LA-XI,0901,civilian,landmine,farming",
        "A-2,1975,year,LA-XI,0901,civilian,landmine,farming",
        "A-3,1975-06,,LA-XI,0901,civilian,landmine,farming",
        "A-4,15/06/1975,Year,LA-XI,0901,civilian,landmine,farming",
        "A-5,1975,day,LA-XI,0901,civilian,landmine,farming",
        "A-6,1975-06,ປີ,LA-XI,0901,civilian,landmine,farming",  # ປີ: year
    )

    plan = plan_of(content, officer, "accidents.csv")

    assert [(r.data["occurred_on"], r.data["date_precision"]) for r in plan.rows] == [
        ("1975-01-01", "year"),
        ("1975-01-01", "year"),
        ("1975-06-01", "month"),
        ("1975-06-15", "year"),
        ("1975-01-01", "day"),
        ("1975-06-01", "year"),
    ]
    assert [(e.legacy_id, e.column, e.messages) for e in plan.report.errors] == [
        ("A-5", "date_precision", ["The date gives the year only: the precision cannot be day."]),
    ]
