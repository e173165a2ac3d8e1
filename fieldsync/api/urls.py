from django.urls import path
from rest_framework.routers import SimpleRouter

from fieldsync.api import reference, views, watermelon

router = SimpleRouter()
router.register("organisations", reference.OrganisationViewSet, basename="organisation")

urlpatterns = [
    path("health/", views.HealthView.as_view(), name="health"),
    path("auth/device/", views.DeviceEnrolView.as_view(), name="device-enrol"),
    path("sync/info/", views.SyncInfoView.as_view(), name="sync-info"),
    path("sync/push/", views.SyncPushView.as_view(), name="sync-push"),
    path("sync/pull/", views.SyncPullView.as_view(), name="sync-pull"),
    path("sync/watermelon/", watermelon.WatermelonSyncView.as_view(), name="sync-watermelon"),
    path(
        "sync/watermelon/schema/",
        watermelon.WatermelonSchemaView.as_view(),
        name="sync-watermelon-schema",
    ),
    *router.urls,
]
