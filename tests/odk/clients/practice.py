"""Two small XLSForms shaped like the served ones (docs/odk.md), converted with pyxform: they
exercise each engine feature the real forms use (a repeat with a `once(uuid())` id, a relevance,
constraints, a choice filter, an image, a `select_one_from_file` CSV, English and Lao labels)
without depending on the generated forms."""

from __future__ import annotations

from pathlib import Path

from pyxform.xls2xform import convert

ACCIDENT = """
| survey |
| | type | name | label::English (en) | label::Lao (lo) | required | relevant | constraint | choice_filter | calculation |
| | date | occurred_on | Date of the accident | ວັນທີເກີດອຸບັດຕິເຫດ | yes | | . <= today() and . >= date('1964-01-01') | | |
| | select_one province | province | Province | ແຂວງ | yes | | | | |
| | select_one district | district | District | ເມືອງ | yes | | | province=${province} | |
| | begin_group | place | Place | ສະຖານທີ່ | | | | | |
| | text | village | Village | ບ້ານ | | | string-length(.) <= 200 | | |
| | end_group | | | | | | | | |
| | image | accident_photo | Photo of the site | ຮູບສະຖານທີ່ | | | | | |
| | begin_repeat | victim | Victim | ຜູ້ເຄາະຮ້າຍ | | | | | |
| | calculate | victim_id | | | | | | | once(uuid()) |
| | select_one sex | sex | Sex | ເພດ | yes | | | | |
| | integer | age_years | Age in years | ອາຍຸ | | | . >= 0 and . <= 110 | | |
| | select_one yes_no | referral | Referred for assistance? | ສົ່ງຕໍ່? | | | | | |
| | text | provider_organisation | Provider organisation | ອົງການ | | ${referral} = 'yes' | | | |
| | end_repeat | | | | | | | | |
| choices |
| | list_name | name | label::English (en) | label::Lao (lo) | province |
| | province | LA-XI | Xiangkhouang | ຊຽງຂວາງ | |
| | province | LA-HO | Houaphan | ຫົວພັນ | |
| | district | 0901 | Pek | ແປກ | LA-XI |
| | district | 0902 | Kham | ຄຳ | LA-XI |
| | district | 0801 | Xam Neua | ຊຳເໜືອ | LA-HO |
| | sex | male | Male | ຊາຍ | |
| | sex | female | Female | ຍິງ | |
| | yes_no | yes | Yes | ແມ່ນ | |
| | yes_no | no | No | ບໍ່ | |
| settings |
| | form_id | version | default_language |
| | practice_accident | 2026120501 | English (en) |
"""  # noqa: E501

ASSISTANCE = """
| survey |
| | type | name | label::English (en) | label::Lao (lo) | required | constraint | calculation |
| | select_one_from_file victims.csv | victim | Victim | ຜູ້ເຄາະຮ້າຍ | yes | | |
| | calculate | victim_accident | | | | | instance('victims')/root/item[name=${victim}]/accident |
| | select_one pillar | pillar | Pillar | ເສົາຄ້ຳ | yes | | |
| | date | started_on | Started on | ວັນທີເລີ່ມ | | | |
| | date | completed_on | Completed on | ວັນທີສຳເລັດ | | . >= ${started_on} | |
| | text | notes | Notes | ໝາຍເຫດ | | | |
| choices |
| | list_name | name | label::English (en) | label::Lao (lo) |
| | pillar | medical_care | Medical care | ການປິ່ນປົວ |
| | pillar | physical_rehabilitation | Physical rehabilitation | ການຟື້ນຟູໜ້າທີ່ການ |
| settings |
| | form_id | version | default_language |
| | practice_assistance | 2026120501 | English (en) |
"""

VICTIMS_CSV = (
    "name,label,accident\n"
    "7d0c8a52-1a61-4d6e-9f5a-0a6c2b1e4f10,ACC-2026-0001 · 12 · male · Ban Nameuang,"
    "3b1f7a9e-5c2d-4e8f-a1b6-9d0e7c4f2a11\n"
    "c2e4b6a8-0f1d-4c3b-8a5e-7f9d1b3c5e22,ACC-2026-0001 · 34 · female · Ban Nameuang,"
    "3b1f7a9e-5c2d-4e8f-a1b6-9d0e7c4f2a11\n"
)


def practice_form(form: str, into: Path) -> Path:
    """`practice_accident` or `practice_assistance` as XForm XML in `into` (with victims.csv
    beside the latter's form, as its media)."""
    xlsform = {"practice_accident": ACCIDENT, "practice_assistance": ASSISTANCE}[form]
    path = into / f"{form}.xml"
    path.write_text(convert(xlsform=xlsform, file_type=".md").xform, encoding="utf-8")
    if form == "practice_assistance":
        (into / "victims.csv").write_text(VICTIMS_CSV, encoding="utf-8")
    return path
