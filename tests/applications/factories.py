import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.enums import CardType, ProcedureKind
from applications.models import Application, Ground, Prefecture, ResidencePermit

# Smallest valid files of each accepted type (their first bytes are what counts).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def pdf_upload(name: str = "passport.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture
        django_get_or_create = ("departement_code",)

    code = factory.Sequence(lambda n: f"prefecture-{n}")
    name = factory.Sequence(lambda n: f"Préfecture {n}")
    departement_code = factory.Sequence(lambda n: f"{10 + n % 80:02d}")
    departement_name = factory.Sequence(lambda n: f"Département {n}")
    address_line = "1 place de la Préfecture"
    postal_code = factory.LazyAttribute(lambda o: f"{o.departement_code}000")
    city = "Chef-lieu"


class ResidencePermitFactory(factory.django.DjangoModelFactory):
    """A card held; expiry defaults to 100 days from today (inside the renewal window)."""

    class Meta:
        model = ResidencePermit

    holder = factory.SubFactory("tests.accounts.factories.ApplicantFactory")
    number = factory.Sequence(lambda n: f"FR{n:08d}")
    card_type = CardType.TEMPORARY
    valid_from = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=265))
    valid_until = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=100))
    handed_over = True
    handed_over_on = factory.LazyAttribute(lambda o: o.valid_from)


def ground(code: str) -> Ground:
    """A ground of the real catalogue (use with the `reference_data` fixture)."""
    return Ground.objects.get(code=code)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft dossier in the applicant's prefecture; use with the `reference_data` fixture."""

    class Meta:
        model = Application

    applicant = factory.SubFactory("tests.accounts.factories.ApplicantFactory")
    ground = factory.LazyFunction(lambda: Ground.objects.get(code="parent_of_french_child"))
    kind = ProcedureKind.FIRST_APPLICATION
    prefecture = factory.LazyFunction(lambda: Prefecture.objects.get(departement_code="75"))
