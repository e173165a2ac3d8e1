"""Records name files by sha256; downloads follow the records' scope and privacy
(contract: attachments.md). The files here are stored as a finished upload leaves them."""

from __future__ import annotations

import csv
import io

from PIL import Image

from fieldsync.models import AttachmentRef
from tests.helpers.attachments import pdf_bytes, photo_bytes, reference, stored
from tests.helpers.partner_api import World
from tests.helpers.sync import accident

SITE = photo_bytes(1)
ORDNANCE = photo_bytes(2)
FACE = photo_bytes(3)
CONSENT = pdf_bytes("Consent of the guardian")
REFERRAL = pdf_bytes("Referral to COPE")


def edit(tablet, record: dict, base_version: int | None = None, **fields) -> dict:
    """`record` sent again with `fields` changed: by the tablet that created it (as a lost
    acknowledgement, no base version), or by another device editing `base_version`."""
    (result,) = tablet.push_ok([{**record, "base_version": base_version, "data": fields}])
    assert result["status"] in ("applied", "merged"), result
    return result


def files_everywhere(world: World) -> dict[str, str]:
    """Accident A's photos, V's photo and consent form, COPE's referral letter: all stored."""
    halo = world.tablets["surveyor_a"]
    for content, kind in ((SITE, "image/jpeg"), (FACE, "image/jpeg"), (CONSENT, "application/pdf")):
        stored(content, kind)
    stored(REFERRAL, "application/pdf")
    edit(halo, world.accident_a, photos=[reference(SITE, "site.jpg")])
    edit(
        halo,
        world.victim_v,
        photos=[reference(FACE, "somchai.jpg")],
        consent_document=[reference(CONSENT, "consent.pdf", "application/pdf")],
    )
    edit(
        world.tablets["partner"],
        world.assistance_cope,
        base_version=1,
        documents=[reference(REFERRAL, "referral.pdf", "application/pdf")],
    )
    return {
        "site": reference(SITE, "")["sha256"],
        "face": reference(FACE, "")["sha256"],
        "consent": reference(CONSENT, "")["sha256"],
        "referral": reference(REFERRAL, "")["sha256"],
    }


def statuses(world: World, sha256: str) -> dict[str, int]:
    return {role: api.get(f"attachments/{sha256}/").status_code for role, api in world.api.items()}


def test_a_push_names_files_not_received_yet_and_says_which(world: World) -> None:
    halo = world.tablets["surveyor_a"]
    stored(SITE)
    photos = [reference(SITE, "site.jpg"), reference(ORDNANCE, "BLU-26.jpg")]

    response = halo.push([{**world.accident_a, "base_version": None, "data": {"photos": photos}}])

    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["applied"]
    assert body["attachments_missing"] == [photos[1]["sha256"]]
    record = world.api["nra"].get(f"accidents/{world.accident_a['id']}/").json()
    assert record["photos"] == photos
    assert record["attachments_missing"] == [photos[1]["sha256"]]
    changes, _ = world.tablets["nra"].pull_all()
    (pulled,) = [c for c in changes if c["id"] == world.accident_a["id"]]
    assert pulled["data"]["photos"] == photos
    # once the file arrives, the same answer says nothing is missing
    stored(ORDNANCE)
    again = halo.push([{**world.accident_a, "base_version": None, "data": {"photos": photos}}])
    assert again.json()["attachments_missing"] == []


def test_references_are_checked_and_kept_canonical(world: World) -> None:
    halo = world.tablets["surveyor_a"]
    good = reference(SITE, "site.jpg")
    upper = {**good, "sha256": good["sha256"].upper(), "local_path": "/sdcard/DCIM/1.jpg"}

    results = halo.push_ok(
        [
            {**world.accident_a, "base_version": None, "data": {"photos": [upper]}},
            accident(photos=[good, good, {"sha256": "abc", "name": "", "content_type": "x"}]),
        ]
    )

    assert results[0]["status"] == "applied"
    assert results[1]["status"] == "rejected"
    assert results[1]["errors"] == {
        "photos": [
            "Item 2: this file is listed more than once.",
            "Item 3: Must be a SHA-256 as 64 hexadecimal characters.",
        ]
    }
    record = world.api["nra"].get(f"accidents/{world.accident_a['id']}/").json()
    assert record["photos"] == [good]  # lowercase, the device's own keys dropped


def test_downloads_follow_the_records_scope_and_personal_data(world: World) -> None:
    files = files_everywhere(world)

    assert statuses(world, files["site"]) == {
        "surveyor_a": 200,
        "surveyor_b": 404,
        "partner": 404,  # COPE sees the casualty it assists, not the accident report
        "nra": 200,
        "nra_personal": 200,
        "anonymous": 401,
    }
    # a victim's photo and consent form are personal: the owning surveyors and permitted staff
    for name in ("face", "consent"):
        assert statuses(world, files[name]) == {
            "surveyor_a": 200,
            "surveyor_b": 404,
            "partner": 404,
            "nra": 404,
            "nra_personal": 200,
            "anonymous": 401,
        }, name
    assert statuses(world, files["referral"]) == {
        "surveyor_a": 200,
        "surveyor_b": 404,
        "partner": 200,
        "nra": 200,
        "nra_personal": 200,
        "anonymous": 401,
    }
    response = world.api["partner"].get(f"attachments/{files['referral']}/")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == REFERRAL
    assert response["Cache-Control"] == "private, max-age=3600"
    refused = world.api["partner"].get(f"attachments/{files['face']}/")
    assert refused.json() == {
        "code": "not_found",
        "detail": "No such file, or not one you may see.",
    }


def test_a_file_leaves_with_the_last_record_naming_it(world: World) -> None:
    files = files_everywhere(world)
    halo = world.tablets["surveyor_a"]

    edit(halo, world.accident_a, photos=[])

    assert AttachmentRef.objects.filter(sha256=files["site"]).count() == 0
    assert world.api["surveyor_a"].get(f"attachments/{files['site']}/").status_code == 404
    assert world.api["nra_personal"].get(f"attachments/{files['site']}/").status_code == 200


def test_thumbnails_are_small_jpegs_of_images_only(world: World) -> None:
    files = files_everywhere(world)
    api = world.api["nra_personal"]

    thumbnail = api.get(f"attachments/{files['site']}/", {"thumbnail": "1"})
    document = api.get(f"attachments/{files['consent']}/", {"thumbnail": "1"})

    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(b"".join(thumbnail.streaming_content)))
    assert (image.format, image.size) == ("JPEG", (320, 240))
    assert document.status_code == 404
    assert document.json()["code"] == "no_thumbnail"
    assert api.get(f"attachments/{files['site']}/", {"thumbnail": "yes"}).status_code == 400
    cached = api.get(
        f"attachments/{files['site']}/", {"thumbnail": "1"}, **{"If-None-Match": thumbnail["ETag"]}
    )
    assert cached.status_code == 304


def test_a_file_named_but_not_received_answers_not_received(world: World) -> None:
    halo = world.tablets["surveyor_a"]
    edit(halo, world.accident_a, photos=[reference(ORDNANCE, "BLU-26.jpg")])
    sha256 = reference(ORDNANCE, "")["sha256"]

    mine = world.api["surveyor_a"].get(f"attachments/{sha256}/")
    other = world.api["surveyor_b"].get(f"attachments/{sha256}/")

    assert (mine.status_code, mine.json()["code"]) == (404, "not_received")
    assert (other.status_code, other.json()["code"]) == (404, "not_found")


def test_exports_name_the_files_and_those_not_received(world: World) -> None:
    stored(SITE)
    edit(
        world.tablets["surveyor_a"],
        world.accident_a,
        photos=[reference(SITE, "site.jpg"), reference(ORDNANCE, "BLU-26.jpg")],
    )
    nra = world.api["nra"]

    response = nra.get("exports/accidents.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    (row,) = [r for r in rows if r["id"] == world.accident_a["id"]]
    site, ordnance = reference(SITE, "")["sha256"], reference(ORDNANCE, "")["sha256"]
    assert row["photos"] == f"site.jpg ({site}); BLU-26.jpg ({ordnance}, not received)"
    victims = nra.get("exports/victims.csv")
    header = b"".join(victims.streaming_content).decode().splitlines()[0].split(",")
    assert "photos" not in header and "consent_document" not in header  # personal
