"""`/api/v1/attachments/`: tus uploads (tus_views) and downloads by sha256 (downloads)."""

from django.urls import URLPattern, path, re_path

from fieldsync.attachments import tus_views
from fieldsync.attachments.downloads import AttachmentDownloadView

urlpatterns: list[URLPattern] = [
    path("", tus_views.UploadCreateView.as_view(), name="attachments-uploads"),
    path("uploads/<uuid:upload_id>/", tus_views.UploadView.as_view(), name="attachments-upload"),
    re_path(
        r"^(?P<sha256>[0-9a-fA-F]{64})/$",
        AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
]
