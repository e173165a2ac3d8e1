"""The files of a simulated field day: surveyors photograph the site and the ordnance, scan the
signed consent form of a casualty (and sometimes photograph them), attach a referral letter to
some assistance, and a team's shared camera puts one photo on two tablets. Every file is made
from the tablet's own seeded generator, so one seed replays the same bytes."""

from __future__ import annotations

import hashlib
from typing import Any

from simulation.field_day.report import FieldDayReport
from simulation.field_day.tablets import SimulatedTablet
from simulation.files import document_pdf, photo_jpeg

JPEG = "image/jpeg"
PDF = "application/pdf"


class FieldCamera:
    """Takes the photos and scans the documents; what it did goes into `report`."""

    def __init__(self, *, report: FieldDayReport) -> None:
        self.report = report

    def accident(self, tablet: SimulatedTablet, accident_id: str) -> None:
        """Some sites are photographed: the site, and often the ordnance item."""
        camera = tablet.camera
        if camera.random() >= 0.4:
            return
        shots = ["site"] + (["ordnance"] if camera.random() < 0.6 else [])
        for shot in shots:
            data = photo_jpeg(camera.getrandbits(48))
            self._attach(tablet, "accident", accident_id, "photos", data, f"{shot}.jpg", JPEG)
            tablet.photos.append(data)

    def victim(self, tablet: SimulatedTablet, victim_id: str, victim: dict[str, Any]) -> None:
        """A casualty who consented: the signed form, scanned; sometimes a photo, now and then
        one already taken at the site (the same file, named by two records)."""
        if victim.get("consent", "none") == "none":
            return
        camera = tablet.camera
        form = document_pdf(
            "Consent to record personal data",
            [
                f"Record: {victim_id}",
                f"Consent: {victim['consent']}",
                f"Name: {victim.get('full_name', '')}",
                f"Guardian: {victim.get('guardian_name', '')}",
                f"Organisation: {tablet.plan.organisation}",
                "Signed in the presence of the surveyor.",
            ],
        )
        self._attach(tablet, "victim", victim_id, "consent_document", form, "consent.pdf", PDF)
        draw = camera.random()
        if draw < 0.1 and tablet.photos:
            data = tablet.photos[-1]
            self._attach(tablet, "victim", victim_id, "photos", data, "at-the-site.jpg", JPEG)
        elif draw < 0.3:
            data = photo_jpeg(camera.getrandbits(48))
            self._attach(tablet, "victim", victim_id, "photos", data, "injury.jpg", JPEG)

    def assistance(
        self, tablet: SimulatedTablet, assistance_id: str, record: dict[str, Any]
    ) -> None:
        """Some referrals carry the referral letter."""
        if record.get("status") != "referred" or tablet.camera.random() >= 0.2:
            return
        letter = document_pdf(
            "Referral letter",
            [
                f"Assistance: {assistance_id}",
                f"Service: {record.get('pillar')} / {record.get('service_type') or '-'}",
                f"Referred to: {record.get('provider_organisation')}",
                f"From: {tablet.plan.organisation}",
            ],
        )
        self._attach(tablet, "assistance", assistance_id, "documents", letter, "referral.pdf", PDF)

    def team_camera(self, first: SimulatedTablet, second: SimulatedTablet) -> None:
        """Two surveyors of one team share a camera: a photo on the first tablet is also put on
        the second, in one of its own accidents (the server receives it once)."""
        if not first.photos:
            return
        own = [key for key in second.created if key[0] == "accident"]
        for model, record_id in reversed(own):
            if second.client.get(model, record_id) is not None:
                data = first.photos[-1]
                self._attach(second, model, record_id, "photos", data, "team-camera.jpg", JPEG)
                return

    def _attach(
        self,
        tablet: SimulatedTablet,
        model: str,
        record_id: str,
        field: str,
        data: bytes,
        name: str,
        content_type: str,
    ) -> None:
        sha256 = hashlib.sha256(data).hexdigest()
        named = (tablet.client.get(model, record_id) or {}).get(field) or []
        if any(item["sha256"] == sha256 for item in named):
            return
        new = tablet.client.store.file(sha256) is None
        tablet.client.attach(model, record_id, field, data, name=name, content_type=content_type)
        self.report.files_named += 1
        if new:
            self.report.files_taken += 1
            self.report.file_bytes_taken += len(data)
