from django.utils import timezone
from rest_framework import serializers

from substitution.models import Appointment, Slot


class SlotSerializer(serializers.ModelSerializer):
    desk = serializers.CharField(source="desk.name", read_only=True)
    desk_kind = serializers.CharField(source="desk.kind", read_only=True)
    location = serializers.CharField(source="desk.location", read_only=True)
    prefecture = serializers.CharField(source="desk.prefecture.name", read_only=True)

    class Meta:
        model = Slot
        fields = ["id", "starts_at", "ends_at", "desk", "desk_kind", "location", "prefecture"]


class AppointmentSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference", read_only=True)
    slot = SlotSerializer(read_only=True)
    can_cancel = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = ["id", "case", "status", "booked_at", "slot", "can_cancel"]

    def get_can_cancel(self, appointment: Appointment) -> bool:
        return appointment.status == "booked" and appointment.slot.starts_at > timezone.now()


class BookSerializer(serializers.Serializer):
    case = serializers.CharField(help_text="Reference of your substitution case.")
    slot = serializers.IntegerField(help_text="Id of a free slot (see the slots endpoint).")


class SubstitutionErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField()
