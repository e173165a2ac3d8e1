from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from fieldsync.admin import attachment_file_view
from fieldsync.admin_login import admin_login
from figures.admin import dashboard_view

urlpatterns = [
    path("admin/login/", admin_login),  # throttled; the rest of the admin as usual
    # A photo or document, with the same checks as the API's download (personal-data permission).
    path(
        "admin/attachments/<str:sha256>/",
        admin.site.admin_view(attachment_file_view),
        name="admin-attachment",
    ),
    path("admin/dashboard/", admin.site.admin_view(dashboard_view), name="figures-dashboard"),
    # Where the dashboard used to be: bookmarks keep working.
    path(
        "admin/accidents/accident/dashboard/",
        RedirectView.as_view(pattern_name="figures-dashboard", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the admin's switcher
    path("api/v1/", include("fieldsync.api.urls")),
    path("api/v1/", include("fieldsync.api.schema")),
    path("api/v1/attachments/", include("fieldsync.attachments.urls")),
    path("api/v1/", include("accidents.api.urls")),
    path("api/v1/", include("victims.api.urls")),
    path("api/v1/statistics/", include("figures.api.urls")),
    path("api/v1/", include("exchange.urls")),  # exports/<records>.<csv|xlsx>
    path("openrosa/", include("odk.urls")),  # ODK Collect and KoboCollect
]

handler400 = "fieldsync.api.errors.bad_request"
handler403 = "fieldsync.api.errors.permission_denied"
handler404 = "fieldsync.api.errors.page_not_found"
handler500 = "fieldsync.api.errors.server_error"
