"""`/api/v1/attachments/`: tus uploads (tus_views) and downloads by sha256 (downloads)."""

from django.urls import re_path

from fieldsync.attachments.downloads import AttachmentDownloadView

urlpatterns = [
    re_path(
        r"^(?P<sha256>[0-9a-fA-F]{64})/$",
        AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
]
