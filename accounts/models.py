import unicodedata

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.enums import (
    ConsentMethod,
    ConsentProof,
    ContactChannels,
    MandateDuration,
    MandateEventKind,
    MandateStatus,
    Role,
)

foreigner_number_validator = RegexValidator(
    r"^\d{10}$", _("A foreigner number (AGDREF) has exactly 10 digits.")
)


def email_key(email: str) -> str:
    """What two e-mail addresses must share to be the same account (issue 15): Unicode
    normalisation (NFKC) then case folding, as Unicode TR 36 recommends for identifiers. The
    database's own case-insensitive lookup (`iexact`, UPPER on PostgreSQL) disagreed with
    Python's: `ırina@` and `irina@` were two accounts that one lookup matched. Every lookup of
    an account by e-mail compares this key, and the key is unique."""
    folded = unicodedata.normalize("NFKC", (email or "").strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


class UserManager(BaseUserManager):
    """E-mail is the login; there is no username."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email_key=email_key(username))

    def filter_by_email(self, email: str):
        """The account(s) of an e-mail address, compared after normalisation: at most one."""
        return self.filter(email_key=email_key(email))

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("role", Role.APPLICANT)
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["role"] = Role.ADMINISTRATOR
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account. The role says which console it uses; agents belong to one prefecture."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    # The e-mail as compared (email_key): kept by save(), unique, used by every lookup.
    email_key = models.CharField(max_length=254, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.APPLICANT)
    prefecture = models.ForeignKey(
        "reference.Prefecture",
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        help_text=_("Required for prefecture agents, empty for everyone else."),
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, default="fr")
    # Issue 21: texts as well as (or instead of) e-mails, to a mobile number in E.164 form
    # (anef.phone) proven by a one-time code (accounts.services.phone_verify).
    contact_channels = models.CharField(
        _("how we contact you"),
        max_length=8,
        choices=ContactChannels.choices,
        default=ContactChannels.EMAIL,
    )
    phone_number = models.CharField(_("mobile phone number"), max_length=16, blank=True)
    phone_verified_at = models.DateTimeField(_("phone number verified on"), null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_prefecture_iff_prefecture_agent",
                condition=(
                    Q(role=Role.PREFECTURE_AGENT, prefecture__isnull=False)
                    | (~Q(role=Role.PREFECTURE_AGENT) & Q(prefecture__isnull=True))
                ),
                violation_error_message=_(
                    "A prefecture agent belongs to exactly one prefecture; other roles to none."
                ),
            ),
            models.CheckConstraint(
                name="user_role_valid",
                condition=Q(role__in=Role.values),
            ),
            models.CheckConstraint(
                name="user_phone_verified_has_number",
                condition=Q(phone_verified_at__isnull=True) | ~Q(phone_number=""),
            ),
        ]

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} <{self.email}>" if full_name else self.email

    @property
    def phone_awaits_proof(self) -> bool:
        """The person chose texts but has not typed the code sent to their number yet: no text
        goes there until they do (their space says so)."""
        return (
            self.contact_channels != ContactChannels.EMAIL
            and bool(self.phone_number)
            and self.phone_verified_at is None
        )

    @property
    def email_notices(self) -> bool:
        """Whether the notices that also go by text (a document ready, a request, a reminder, an
        appointment, a callback) go by e-mail too: yes, unless the person chose texts only and
        proved their number. What has no text (a decision, a message, the account's security)
        always goes by e-mail."""
        return bool(self.email) and not (
            self.contact_channels == ContactChannels.SMS and self.sms_number
        )

    @property
    def sms_number(self) -> str:
        """The number texts go to: only if the person chose texts and proved the number
        (anef.sms reads this), else empty."""
        if self.contact_channels == ContactChannels.EMAIL or self.phone_verified_at is None:
            return ""
        return self.phone_number

    def clean(self) -> None:
        super().clean()
        self.email_key = email_key(self.email)
        if (
            self.email
            and User.objects.filter(email_key=self.email_key).exclude(pk=self.pk).exists()
        ):
            raise ValidationError(
                {"email": _("Another account already uses this e-mail address.")},
                code="unique",
            )

    def save(self, *args, **kwargs) -> None:
        # Derived data, not a rule: the key always follows the address it is computed from.
        self.email_key = email_key(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_key"}
        super().save(*args, **kwargs)


class ApplicantProfile(models.Model):
    """Civil identity of a person who applies. The foreigner number is optional (DESIGN.md §3):
    former asylum seekers, refugees' children turned adult and others have none yet, and an
    agent may attach it later."""

    user = models.OneToOneField(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="applicant_profile"
    )
    birth_date = models.DateField(_("birth date"))
    birth_place = models.CharField(_("birth place"), max_length=200, blank=True)
    nationality = models.CharField(_("nationality"), max_length=100)
    foreigner_number = models.CharField(
        _("foreigner number (AGDREF)"),
        max_length=10,
        null=True,
        blank=True,
        unique=True,
        validators=[foreigner_number_validator],
    )
    identity_document_reference = models.CharField(
        _("identity document reference"), max_length=100, blank=True
    )
    address_line = models.CharField(_("address"), max_length=255)
    postal_code = models.CharField(
        _("postal code"),
        max_length=5,
        validators=[RegexValidator(r"^\d{5}$", _("A French postal code has 5 digits."))],
    )
    city = models.CharField(_("city"), max_length=100)
    accessibility_needs = models.TextField(_("accessibility needs"), blank=True)

    class Meta:
        verbose_name = _("applicant profile")
        verbose_name_plural = _("applicant profiles")
        constraints = [
            models.CheckConstraint(
                name="profile_foreigner_number_10_digits",
                condition=Q(foreigner_number__isnull=True) | Q(foreigner_number__regex=r"^\d{10}$"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class PreviousAddress(models.Model):
    """An address the person used to live at: the history kept when they move (DESIGN.md §3)."""

    profile = models.ForeignKey(
        ApplicantProfile, on_delete=models.CASCADE, related_name="previous_addresses"
    )
    address_line = models.CharField(_("address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=5)
    city = models.CharField(_("city"), max_length=100)
    moved_out_at = models.DateTimeField(_("moved out on"))

    class Meta:
        verbose_name = _("previous address")
        verbose_name_plural = _("previous addresses")
        ordering = ["-moved_out_at"]

    def __str__(self) -> str:
        return f"{self.address_line}, {self.postal_code} {self.city}"


class MandateQuerySet(models.QuerySet):
    def active_on(self, day) -> "MandateQuerySet":
        """Mandates in force on `day`: consent given, started, not ended, not revoked."""
        return self.filter(
            consented_at__isnull=False,
            revoked_at__isnull=True,
            starts_on__lte=day,
            ends_on__gte=day,
        )

    def covering_ground(self, ground_id) -> "MandateQuerySet":
        return self.filter(Q(all_grounds=True) | Q(grounds=ground_id))


class Mandate(models.Model):
    """A person (`person`) lets a helper act for them on the portal (DESIGN.md §3, issue 6).

    Scope: every ground, or the grounds listed. In force from `starts_on` to `ends_on`
    (inclusive) once consent is *proven* (`consented_at`, issue 15): the person's own act from
    their account or from the single-use link sent to their verified address, or a prefecture
    agent who checked their identity and the signed form (`confirmed_via`, `confirmed_by`). A
    helper's word — a scan they upload — never puts a mandate in force by itself. Until the
    person revokes it. The status is derived, never stored.
    """

    person = models.ForeignKey(
        User,
        verbose_name=_("person helped"),
        on_delete=models.CASCADE,
        related_name="mandates_given",
    )
    helper = models.ForeignKey(
        User, verbose_name=_("helper"), on_delete=models.CASCADE, related_name="mandates_held"
    )
    all_grounds = models.BooleanField(_("for every application"), default=True)
    grounds = models.ManyToManyField(
        "reference.Ground", verbose_name=_("only for these grounds"), blank=True
    )
    duration = models.CharField(_("duration"), max_length=2, choices=MandateDuration.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on (last day)"))
    organisation_name = models.CharField(_("helper's organisation"), max_length=200, blank=True)
    organisation_email = models.EmailField(
        _("organisation's e-mail"),
        blank=True,
        help_text=_("Warned before the mandate ends."),
    )
    consent_method = models.CharField(_("consent"), max_length=16, choices=ConsentMethod.choices)
    consent_file = models.FileField(
        _("signed form (scan)"), upload_to="mandates/%Y/%m/", blank=True
    )
    consent_content_type = models.CharField(_("type of the scan"), max_length=50, blank=True)
    consented_at = models.DateTimeField(_("consent given on"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded on"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("revoked by"),
    )
    expiry_warned_at = models.DateTimeField(_("organisation warned on"), null=True, blank=True)
    # Proof of consent (issue 15).
    confirmed_via = models.CharField(
        _("consent proven by"), max_length=16, choices=ConsentProof.choices, blank=True
    )
    confirmed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("consent confirmed by"),
        help_text=_("The person themselves, or the agent who checked their identity."),
    )
    identity_document_checked = models.CharField(
        _("identity document seen by the agent"), max_length=100, blank=True
    )
    # What the helper typed: shown to the helper while the mandate waits, so that the page
    # never tells them whether the address already had an account, nor its holder's name.
    declared_email = models.EmailField(_("e-mail typed by the helper"), blank=True)
    declared_first_name = models.CharField(
        _("first name typed by the helper"), max_length=150, blank=True
    )
    declared_last_name = models.CharField(
        _("last name typed by the helper"), max_length=150, blank=True
    )
    declared_postal_code = models.CharField(
        _("postal code typed by the helper"), max_length=5, blank=True
    )
    # The single-use confirmation link: only the hash of its nonce is stored; emptied when used.
    confirmation_nonce_hash = models.CharField(max_length=64, blank=True, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_used_at = models.DateTimeField(_("first used on"), null=True, blank=True)
    end_notified_at = models.DateTimeField(_("person told of the end on"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="mandate_ends_after_start", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="mandate_not_to_oneself", condition=~Q(person=models.F("helper"))
            ),
            models.CheckConstraint(
                name="mandate_revocation_complete",
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
            ),
            # No mandate in force without a proof and the account that gave it; never the
            # helper's own (issue 15).
            models.CheckConstraint(
                name="mandate_consent_proven",
                condition=Q(consented_at__isnull=True)
                | (
                    Q(consented_at__isnull=False, confirmed_by__isnull=False)
                    & ~Q(confirmed_via="")
                    & ~Q(confirmed_by=models.F("helper"))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper} → {self.person} ({self.starts_on} – {self.ends_on})"

    def status_on(self, day) -> MandateStatus:
        if self.revoked_at is not None:
            return MandateStatus.REVOKED
        if self.consented_at is None:
            return MandateStatus.AWAITING_CONSENT
        if day < self.starts_on:
            return MandateStatus.SCHEDULED
        if day > self.ends_on:
            return MandateStatus.EXPIRED
        return MandateStatus.ACTIVE

    @property
    def person_as_declared(self) -> "User":
        """The person as the helper may see them: while the mandate waits for the person's
        consent, only what the helper typed (an unsaved User, id and all from the account
        would tell them it existed)."""
        if self.consented_at is not None or not (self.declared_email or self.declared_last_name):
            return self.person
        return User(
            id=None,
            email=self.declared_email,
            first_name=self.declared_first_name,
            last_name=self.declared_last_name,
        )


class MandateEvent(models.Model):
    """What the person is told about one of their mandates: a notice on their portal (and an
    e-mail), until they mark it read. Also the mandate's own history."""

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=16, choices=MandateEventKind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("happened on"), auto_now_add=True)
    seen_at = models.DateTimeField(_("read on"), null=True, blank=True)

    class Meta:
        verbose_name = _("mandate notice")
        verbose_name_plural = _("mandate notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Told once of each step ("first used" and "ended" are claimed by this constraint).
            models.UniqueConstraint(fields=["mandate", "kind"], name="mandate_event_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.mandate_id}: {self.kind}"
