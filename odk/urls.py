"""OpenRosa: Collect's "Server URL" is /openrosa/ (Basic auth) or /openrosa/key/<token>/."""

from django.urls import include, path

from odk.openrosa import urls as openrosa_urls

urlpatterns = [
    path("", include(openrosa_urls)),
    path("key/<str:token>/", include(openrosa_urls)),
]
