"""`/api/v1/attachments/`: tus uploads (tus_views) and downloads by sha256 (downloads)."""

urlpatterns: list = []
