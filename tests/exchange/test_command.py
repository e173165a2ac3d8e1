"""`manage.py import_records`: a report without --confirm, the import with it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accidents.models import Accident
from exchange.models import ImportFile, ImportStatus
from fieldsync.models import RecordVersion
from tests.helpers.exchange import SAMPLES
from victims.models import Assistance, Victim

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_records", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_without_confirm_the_file_is_only_checked(officer) -> None:
    output = run(str(SAMPLES / "records.xlsx"), "--as", "nra-officer")

    assert output.splitlines() == [
        "accidents: 4 rows of accident",
        "victims: 6 rows of victim",
        "assistance: 4 rows of assistance",
        "accident: 4 new, 0 changed, 0 unchanged, 0 rejected",
        "victim: 6 new, 0 changed, 0 unchanged, 0 rejected",
        "assistance: 4 new, 0 changed, 0 unchanged, 0 rejected",
        f"No rejected rows: run again with --confirm to import (import file "
        f"#{ImportFile.objects.get().pk} also waits in the admin).",
    ]
    assert Accident.objects.count() == 0
    assert ImportFile.objects.get().status == ImportStatus.VALID


def test_with_confirm_the_whole_file_is_imported_once(seeded) -> None:
    first = run(str(SAMPLES / "records.xlsx"), "--confirm")
    versions = RecordVersion.objects.count()
    again = run(str(SAMPLES / "records.xlsx"), "--confirm")

    assert first.splitlines()[-1].startswith("Imported (14 applied): import file #")
    assert "This file was imported before: importing it again changes nothing." in again
    assert (Accident.objects.count(), Victim.objects.count(), Assistance.objects.count()) == (
        4,
        6,
        4,
    )
    assert RecordVersion.objects.count() == versions
    assert set(RecordVersion.objects.values_list("user__username", "source")) == {
        ("records-import", "import")
    }


def test_rejected_rows_are_printed_and_written_and_nothing_is_imported(
    officer, tmp_path: Path
) -> None:
    source = tmp_path / "victims-2008.csv"
    source.write_text(
        "legacy_id,victim_type,accident_legacy_id,outcome,sex,consent\n"
        "V-1,direct,A-404,injured,male,none\n"
        "V-2,direct,,killed,martian,none\n"
    )
    rejected = tmp_path / "rejected.csv"

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_records",
            str(source),
            "--confirm",
            "--as",
            "nra-officer",
            "--rejected-rows",
            str(rejected),
            stdout=(out := io.StringIO()),
            stderr=io.StringIO(),
        )

    assert out.getvalue().splitlines()[-3:] == [
        "victims-2008.csv row 2 (V-1): accident_legacy_id: No accident has the legacy id "
        "'A-404', in this file or imported before.",
        "victims-2008.csv row 3 (V-2): accident_legacy_id: This field is required for a direct "
        "victim.",
        'victims-2008.csv row 3 (V-2): sex: "martian" is not a valid choice.',
    ]
    assert list(csv.reader(rejected.open())) == [
        ["sheet", "row", "legacy_id", "column", "messages"],
        [
            "victims-2008.csv",
            "2",
            "V-1",
            "accident_legacy_id",
            "No accident has the legacy id 'A-404', in this file or imported before.",
        ],
        [
            "victims-2008.csv",
            "3",
            "V-2",
            "accident_legacy_id",
            "This field is required for a direct victim.",
        ],
        ["victims-2008.csv", "3", "V-2", "sex", '"martian" is not a valid choice.'],
    ]
    assert Victim.objects.count() == 0


def test_the_account_must_be_nra_staff(officer, make_user) -> None:
    make_user("surveyor-halo")

    with pytest.raises(CommandError, match="'surveyor-halo' is not an NRA staff account"):
        run(str(SAMPLES / "accidents.csv"), "--as", "surveyor-halo")


def test_the_rejected_rows_file_writes_formulas_as_text(officer, tmp_path: Path) -> None:
    # given a file whose rejected row's legacy id a spreadsheet would run as a formula
    source = tmp_path / "victims.csv"
    source.write_text(
        "legacy_id,victim_type,accident_legacy_id,outcome,sex,consent\n"
        '"=HYPERLINK(""http://evil.example/"",""x"")",direct,A-404,injured,male,none\n'
    )
    rejected = tmp_path / "rejected.csv"

    # when the command writes its rejected rows
    with pytest.raises(CommandError, match="Nothing was imported"):
        run(str(source), "--as", "nra-officer", "--rejected-rows", str(rejected))

    # then the legacy id is text behind an apostrophe
    rows = list(csv.reader(rejected.open()))
    assert [row[2] for row in rows] == [
        "legacy_id",
        '\'=HYPERLINK("http://evil.example/","x")',
    ]
    assert Victim.objects.count() == 0
