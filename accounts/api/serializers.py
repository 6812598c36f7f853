from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from accounts.permissions import (
    can_use_admin,
    can_use_back_office,
    can_use_portal,
    can_use_support_console,
)


class PrefectureSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    departement_code = serializers.CharField()


class AbilitiesSerializer(serializers.Serializer):
    portal = serializers.BooleanField()
    back_office = serializers.BooleanField()
    support_console = serializers.BooleanField()
    admin = serializers.BooleanField()


class MeSerializer(serializers.ModelSerializer):
    prefecture = PrefectureSummarySerializer(allow_null=True, read_only=True)
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "role", "prefecture", "abilities"]
        read_only_fields = fields

    @extend_schema_field(AbilitiesSerializer)
    def get_abilities(self, user: User) -> dict:
        return AbilitiesSerializer(
            {
                "portal": can_use_portal(user),
                "back_office": can_use_back_office(user),
                "support_console": can_use_support_console(user),
                "admin": can_use_admin(user),
            }
        ).data
