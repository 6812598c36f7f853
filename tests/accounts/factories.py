import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.enums import ConsentMethod, ConsentProof, MandateDuration, Role
from accounts.mandates import mandate_end
from accounts.models import ApplicantProfile, Mandate, User
from tests.applications.factories import PrefectureFactory

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@anef.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.APPLICANT
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class ApplicantFactory(UserFactory):
    role = Role.APPLICANT


class HelperFactory(UserFactory):
    role = Role.HELPER


class PrefectureAgentFactory(UserFactory):
    role = Role.PREFECTURE_AGENT
    prefecture = factory.SubFactory(PrefectureFactory)


class ContactCentreAgentFactory(UserFactory):
    role = Role.CONTACT_CENTRE_AGENT


class ContactCentreSupervisorFactory(ContactCentreAgentFactory):
    """A contact-centre agent holding the supervisor permission (accounts.permissions)."""

    @factory.post_generation
    def supervisor_permission(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Permission

        self.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="support", codename="supervise_contact_centre"
            )
        )


class PrefectureSupervisorFactory(PrefectureAgentFactory):
    """A prefecture agent holding the supervisor permission (accounts.permissions)."""

    @factory.post_generation
    def supervisor_permission(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Permission

        self.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="applications", codename="supervise_prefecture"
            )
        )


class AdministratorFactory(UserFactory):
    role = Role.ADMINISTRATOR
    is_staff = True
    is_superuser = True


class ApplicantProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicantProfile

    user = factory.SubFactory(ApplicantFactory)
    # Over 19: a younger person's first application may fall under R. 431-5 2°/3° and get an
    # API, which tests of young people ask for explicitly.
    birth_date = factory.Faker("date_of_birth", minimum_age=20, maximum_age=70)
    nationality = "Marocaine"
    foreigner_number = factory.Sequence(lambda n: f"{1000000000 + n}")
    address_line = "1 rue de Rivoli"
    postal_code = "75001"
    city = "Paris"


class MandateFactory(factory.django.DjangoModelFactory):
    """A mandate in force today, for every ground, for one month, consent by the person."""

    class Meta:
        model = Mandate
        skip_postgeneration_save = True

    person = factory.SubFactory(ApplicantFactory)
    helper = factory.SubFactory(HelperFactory)
    all_grounds = True
    duration = MandateDuration.ONE_MONTH
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: mandate_end(o.starts_on, o.duration))
    organisation_name = "Association Accueil"
    organisation_email = "contact@accueil.example"
    consent_method = ConsentMethod.ACCOUNT
    consented_at = factory.LazyFunction(timezone.now)
    # A mandate in force has a proof (issue 15): here the person's own confirmation.
    confirmed_via = factory.LazyAttribute(
        lambda o: ConsentProof.PERSON_ACCOUNT if o.consented_at else ""
    )
    confirmed_by = factory.LazyAttribute(lambda o: o.person if o.consented_at else None)
    created_by = factory.LazyAttribute(lambda o: o.person)

    @factory.post_generation
    def grounds(self, create, extracted, **kwargs):
        if create and extracted:
            self.all_grounds = False
            self.save(update_fields=["all_grounds"])
            self.grounds.set(extracted)
