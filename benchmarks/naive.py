"""The naive build: what a team writes first with DRF, one ModelViewSet POST per record."""

from __future__ import annotations

from rest_framework import authentication, permissions, routers, serializers, viewsets

from accidents.models import Accident
from victims.models import Assistance, Victim


class AccidentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField()

    class Meta:
        model = Accident
        exclude = ["reference", "created_by_device"]

    def create(self, validated_data):  # type: ignore[no-untyped-def]
        count = Accident.objects.count()  # the first thing anyone writes for a reference
        validated_data["reference"] = f"N-{validated_data['province'].pk}-{count + 1:07d}"
        return super().create(validated_data)


class VictimSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField()

    class Meta:
        model = Victim
        exclude = ["created_by_device"]


class AssistanceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField()

    class Meta:
        model = Assistance
        exclude = ["created_by_device"]


class AccidentViewSet(viewsets.ModelViewSet):
    authentication_classes = [authentication.BasicAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    queryset = Accident.objects.all()
    serializer_class = AccidentSerializer


class VictimViewSet(viewsets.ModelViewSet):
    authentication_classes = [authentication.BasicAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    queryset = Victim.objects.all()
    serializer_class = VictimSerializer


class AssistanceViewSet(viewsets.ModelViewSet):
    authentication_classes = [authentication.BasicAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    queryset = Assistance.objects.all()
    serializer_class = AssistanceSerializer


router = routers.SimpleRouter()
router.register("accidents", AccidentViewSet)
router.register("victims", VictimViewSet)
router.register("assistance", AssistanceViewSet)
