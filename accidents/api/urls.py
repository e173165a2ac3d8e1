from rest_framework.routers import SimpleRouter

from accidents.api import views

router = SimpleRouter()
router.register("accidents", views.AccidentViewSet, basename="accident")
router.register("provinces", views.ProvinceViewSet, basename="province")
router.register("districts", views.DistrictViewSet, basename="district")
router.register("ordnance-types", views.OrdnanceTypeViewSet, basename="ordnance-type")

urlpatterns = router.urls
