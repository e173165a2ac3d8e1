"""`/api/v1/attachments/`: tus uploads (tus_views) and downloads by sha256 (downloads)."""

from django.urls import path

urlpatterns: list = []
