"""OpenRosa: Collect's "Server URL" is /openrosa/ (Basic auth) or /openrosa/key/<token>/."""

from django.urls import include, path
from django.views.generic import RedirectView

from odk.openrosa import urls as openrosa_urls

urlpatterns = [
    path("", RedirectView.as_view(url="formList"), name="odk-root"),
    path("", include(openrosa_urls)),
    path("key/<str:token>/", RedirectView.as_view(url="formList"), name="odk-key-root"),
    path("key/<str:token>/", include(openrosa_urls)),
]
