import datetime
import io

import factory
import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from anef.uploads import clean as sanitise
from applications.models import Application, ResidencePermit
from reference.enums import CardType, ProcedureKind
from reference.models import Ground, Prefecture


def _real_file(kind: str) -> bytes:
    """A small, well-formed file of each accepted type: uploads are parsed and rewritten before
    they are stored (anef/uploads.py), so fake bytes would be refused as damaged."""
    output = io.BytesIO()
    if kind == "pdf":
        with pikepdf.new() as pdf:
            pdf.add_blank_page(page_size=(595, 842))
            pdf.save(output, deterministic_id=True)
    else:
        Image.new("RGB", (8, 8), "white").save(output, kind)
    # Already in the form the portal stores, so that a download gives back these very bytes.
    return sanitise(output.getvalue(), CONTENT_TYPES[kind])


CONTENT_TYPES = {"pdf": "application/pdf", "PNG": "image/png", "JPEG": "image/jpeg"}


PDF_BYTES = _real_file("pdf")
PNG_BYTES = _real_file("PNG")
JPEG_BYTES = _real_file("JPEG")


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
