from rest_framework.routers import SimpleRouter

from victims.api import views

router = SimpleRouter()
router.register("victims", views.VictimViewSet, basename="victim")
router.register("assistance", views.AssistanceViewSet, basename="assistance")
router.register("service-types", views.ServiceTypeViewSet, basename="service-type")

urlpatterns = router.urls
