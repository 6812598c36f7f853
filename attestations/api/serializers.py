"""Serializers of the public verification API. They read what `attestations.verification`
computed; no rule lives here.

Statuses, kinds and rights are plain strings documented in `help_text` (not enums): the
schema's enum names come from property names, and `status`, `kind` already name the dossiers'.
"""

from rest_framework import serializers


class LegalTextSerializer(serializers.Serializer):
    fr = serializers.CharField(required=False, help_text="The legal sentence, in French.")
    en = serializers.CharField(required=False, help_text="The legal sentence, in English.")


class RightsSerializer(serializers.Serializer):
    may_stay = serializers.BooleanField(help_text="Proves a right to stay in France.")
    work = serializers.CharField(
        help_text="Right to work: `full`, `limited` (see `work_limitation`) or `none`."
    )
    work_limitation = serializers.CharField(
        help_text="The limits on work, as stated on the attestation (empty unless `limited`)."
    )
    work_text = serializers.CharField(help_text="The right to work, in plain words.")
    benefits_and_housing = serializers.BooleanField(
        help_text="Gives access to social benefits and housing, as a récépissé does."
    )
    legal_text = serializers.CharField(
        help_text="The legal sentence carried by the attestation, in the request's language."
    )
    legal_texts = LegalTextSerializer(help_text="The legal sentence in each language.")


class NewerAttestationSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`api` or `adf`.")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(source="last_day", allow_null=True)
    status = serializers.CharField(help_text="Same values as the attestation's `status`.")


class VerificationHeadlineSerializer(serializers.Serializer):
    """The yes/no a checker needs first, for the day asked."""

    valid_today = serializers.BooleanField(
        help_text="The attestation is valid on the day asked for (today by default)."
    )
    may_stay = serializers.BooleanField(
        help_text="This attestation proves a right to stay in France on that day (false when "
        "it is not valid that day: see `covered_today_by`)."
    )
    may_work = serializers.CharField(
        help_text="What this attestation proves about work on that day: `yes`, `limited` (see "
        "`work_limitation`) or `no` (also when it is not valid that day)."
    )
    work_limitation = serializers.CharField(
        allow_blank=True,
        help_text="The limits on work in plain words, as stated on the attestation (empty "
        "unless `may_work` is `limited`).",
    )
    work_limitation_lang = serializers.CharField(
        allow_blank=True,
        help_text="The language `work_limitation` is written in (`fr`, `en`…; empty when there "
        "is no limitation).",
    )


class VerificationCoverSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="`permit`: the residence card the attestation continues; `attestation`: the "
        "previous attestation of the same chain."
    )
    valid_until = serializers.DateField(help_text="The last day it covers the person.")
    takes_over_on = serializers.DateField(help_text="The attestation's first day of validity.")
    text = serializers.CharField(help_text="The same, in plain words.")


class VerificationReplacementSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(
        allow_null=True, help_text="Its last day of validity; null: no end date."
    )
    status = serializers.CharField(help_text="Same values as the attestation's `status`.")


class VerificationSerializer(serializers.Serializer):
    """The facts a verifier may see, the same as on the verification page."""

    headline = VerificationHeadlineSerializer(
        help_text="The answer in short: valid today, may stay, may work."
    )
    number = serializers.CharField()
    kind = serializers.CharField(
        help_text="`deposit_receipt`, `api` (extended instruction), `adf` (favourable decision "
        "pending the card) or `technical_impossibility`."
    )
    kind_label = serializers.CharField()
    status = serializers.CharField(
        help_text="On the day asked for: `valid`, `not_yet_valid`, `expired` (its printed "
        "validity is over), `superseded` (replaced by a newer attestation, see `newer`), "
        "`card_handed_over` (the card it waited for was handed over), `ended` (no longer valid "
        "since `ended_on`; why is the holder's business) or `too_old` (past the period during "
        "which it is checked online: ask the issuing prefecture)."
    )
    status_text = serializers.CharField(help_text="The status in plain words, with its dates.")
    proves_rights_today = serializers.BooleanField(
        help_text="Valid today and stating a right to stay."
    )
    holder_name = serializers.CharField(help_text="LAST NAME First name, as printed.")
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(
        source="last_day", allow_null=True, help_text="Last day of validity; null: no end date."
    )
    ended_on = serializers.DateField(
        allow_null=True, help_text="First day it no longer proved anything, once ended."
    )
    issued_on = serializers.DateField()
    issuing_prefecture = serializers.CharField()
    rights = RightsSerializer()
    newer = NewerAttestationSerializer(
        allow_null=True, help_text="The attestation that replaces this one, if any."
    )
    covered_today_by = VerificationCoverSerializer(
        allow_null=True,
        help_text="When the attestation is not valid yet: what covers the person on the day "
        "asked for (the residence card it continues, or the previous attestation), if anything.",
    )
    replaced_by = VerificationReplacementSerializer(
        allow_null=True,
        help_text="When `status` is `superseded`: the newer attestation's validity. Why an "
        "attestation ended is never given.",
    )


class TokenInputSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=4000,
        trim_whitespace=True,
        help_text="The signed code of a QR code (`ANEF1.…`), or the whole scanned URL.",
    )


class TokenPayloadSerializer(serializers.Serializer):
    """What the signed code itself says, as it was signed."""

    number = serializers.CharField()
    kind = serializers.CharField()
    holder_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    may_stay = serializers.BooleanField()
    work = serializers.CharField()
    work_limitation = serializers.CharField(allow_blank=True)
    issued_on = serializers.DateField(allow_null=True)


class TokenVerificationSerializer(serializers.Serializer):
    authentic = serializers.BooleanField(help_text="Always true: an altered code is a 400.")
    key_id = serializers.CharField(help_text="The key that signed it (see /verify/keys.json).")
    payload = TokenPayloadSerializer()
    attestation = VerificationSerializer(
        allow_null=True,
        help_text="The attestation's status today (it may have ended or been replaced since "
        "the code was signed); null if unknown here.",
    )
