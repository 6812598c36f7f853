import factory

from applications.models import Prefecture


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
