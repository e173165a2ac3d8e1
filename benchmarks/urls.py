from django.urls import include, path

from benchmarks.naive import router
from config.urls import urlpatterns as project_urls

urlpatterns = [*project_urls, path("naive/", include(router.urls))]

handler400 = "fieldsync.api.errors.bad_request"
handler403 = "fieldsync.api.errors.permission_denied"
handler404 = "fieldsync.api.errors.page_not_found"
handler500 = "fieldsync.api.errors.server_error"
