from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.enums import ConsentMethod, MandateDuration, MandateStatus
from accounts.models import Mandate, User
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


class MandateUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()


_STATUS_HELP = "Derived from today's date: " + ", ".join(
    f"`{value}`" for value in MandateStatus.values
)


class MandateSerializer(serializers.Serializer):
    """A mandate as the person or the helper sees it; `status` is derived from today."""

    id = serializers.IntegerField()
    # While the mandate waits for the person, the helper sees only what they typed (issue 15).
    person = MandateUserSerializer(source="person_as_declared")
    helper = MandateUserSerializer()
    all_grounds = serializers.BooleanField()
    grounds = serializers.SerializerMethodField()
    duration = serializers.ChoiceField(choices=MandateDuration.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    consent_method = serializers.ChoiceField(choices=ConsentMethod.choices)
    consented_at = serializers.DateTimeField(allow_null=True)
    organisation_name = serializers.CharField()
    organisation_email = serializers.EmailField(allow_blank=True)
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_grounds(self, mandate: Mandate) -> list[str]:
        return [ground.code for ground in mandate.grounds.all()]

    @extend_schema_field(serializers.CharField(help_text=_STATUS_HELP))
    def get_status(self, mandate: Mandate) -> str:
        return str(mandate.status_on(timezone.localdate()).value)

    def get_status_label(self, mandate: Mandate) -> str:
        return str(mandate.status_on(timezone.localdate()).label)


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Staff tokens expire; others are valid until replaced."
    )
