from django.urls import path

from odk.openrosa import views

# Included twice by odk.urls: at /openrosa/ (Basic) and /openrosa/key/<token>/ (token URL).
urlpatterns = [
    path("formList", views.form_list),
    path("forms/<str:form_id>/form.xml", views.form_xml),
    path("forms/<str:form_id>/manifest", views.form_manifest),
    path("forms/<str:form_id>/media/<str:name>", views.form_media),
    path("submission", views.submission),
]
