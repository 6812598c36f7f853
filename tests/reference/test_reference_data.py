"""The catalogue: prefectures and grounds, each ground with its article, rights and checklist."""

import copy

import pytest
import yaml

from applications.selectors import prefecture_for_postal_code
from reference.catalogue.loader import CatalogueError, reference_data_load, reference_data_read
from reference.enums import CardType, ProcedureKind, RightToWork
from reference.models import DocumentType, Ground, GroundRequirement, Prefecture
from reference.rules import catalogue_errors, departement_code_for_postal_code

REQUIRED_GROUNDS = {
    "salaried_worker",
    "temporary_worker",
    "student",
    "talent_passport",
    "spouse_of_french_national",
    "parent_of_french_child",
    "personal_and_family_ties",
    "refugee",
    "subsidiary_protection",
    "refugee_adult_child",
    "subsidiary_protection_adult_child",
    "stateless_person",
    "asylum_seeker_other_ground",
    "multi_year_general",
    "long_term_eu_resident",
    "change_of_situation",
    "travel_document",
    "duplicate",
}
REQUIRED_DEPARTEMENTS = {"75", "93", "69", "13", "59", "31", "33", "67", "34", "44", "06", "38"}


@pytest.fixture(scope="module")
def catalogue():
    return reference_data_read()


def test_reference_catalogue_file_is_valid(catalogue):
    assert catalogue_errors(catalogue) == []


def test_reference_catalogue_has_the_required_grounds(catalogue):
    codes = {ground["code"] for ground in catalogue["grounds"]}
    assert codes >= REQUIRED_GROUNDS, sorted(REQUIRED_GROUNDS - codes)


def test_reference_catalogue_has_the_required_prefectures(catalogue):
    departements = {prefecture["departement_code"] for prefecture in catalogue["prefectures"]}
    assert departements >= REQUIRED_DEPARTEMENTS, sorted(REQUIRED_DEPARTEMENTS - departements)


@pytest.mark.django_db
def test_reference_load_every_ground_has_article_rights_and_checklist(reference_data):
    grounds = Ground.objects.prefetch_related("requirements")
    assert grounds.count() >= len(REQUIRED_GROUNDS)
    for ground in grounds:
        assert ground.ceseda_article.strip(), ground.code
        assert ground.card_type in CardType.values, ground.code
        assert ground.right_to_work in RightToWork.values, ground.code
        if ground.right_to_work == RightToWork.LIMITED:
            assert ground.work_limitation_fr and ground.work_limitation_en, ground.code
        assert ground.procedure_kinds, ground.code
        assert ground.requirements.filter(mandatory=True).exists(), ground.code
        assert ground.label_fr and ground.label_en and ground.description_fr, ground.code


@pytest.mark.django_db
def test_reference_load_renewable_grounds_offer_renewal(reference_data):
    for ground in Ground.objects.all():
        assert ground.renewable == ground.offers(ProcedureKind.RENEWAL), ground.code


@pytest.mark.django_db
def test_reference_load_twice_creates_nothing_new(reference_data):
    counts = (
        Prefecture.objects.count(),
        DocumentType.objects.count(),
        Ground.objects.count(),
        GroundRequirement.objects.count(),
    )
    report = reference_data_load()
    assert report.created == {}
    assert counts == (
        Prefecture.objects.count(),
        DocumentType.objects.count(),
        Ground.objects.count(),
        GroundRequirement.objects.count(),
    )


@pytest.mark.django_db
def test_reference_load_restores_an_edited_ground(reference_data):
    ground = Ground.objects.first()
    original = ground.ceseda_article
    Ground.objects.filter(pk=ground.pk).update(ceseda_article="changed by hand")
    reference_data_load()
    ground.refresh_from_db()
    assert ground.ceseda_article == original


@pytest.mark.django_db
def test_reference_load_removes_a_requirement_no_longer_listed(tmp_path, catalogue):
    reference_data_load()
    edited = copy.deepcopy(catalogue)
    ground = edited["grounds"][0]
    dropped = ground["requirements"].pop()
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(edited, allow_unicode=True), encoding="utf-8")
    report = reference_data_load(path=path)
    assert report.removed_requirements == 1
    assert not GroundRequirement.objects.filter(
        ground__code=ground["code"], document_type__code=dropped["document"]
    ).exists()


@pytest.mark.django_db
def test_reference_load_invalid_catalogue_changes_nothing(tmp_path, catalogue):
    broken = copy.deepcopy(catalogue)
    broken["grounds"][0]["ceseda_article"] = ""
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    before = list(Ground.objects.values_list("code", "ceseda_article"))
    with pytest.raises(CatalogueError, match="ceseda_article"):
        reference_data_load(path=path)
    assert list(Ground.objects.values_list("code", "ceseda_article")) == before


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda c: c["grounds"][0].update(right_to_work="sometimes"), "unknown right to work"),
        (lambda c: c["grounds"][0].update(card_type="golden"), "unknown card type"),
        (lambda c: c["grounds"][0].update(requirements=[]), "lacks requirements"),
        (
            lambda c: c["grounds"][0]["requirements"].append({"document": "no_such_document"}),
            "unknown document",
        ),
        (lambda c: c["grounds"].append(copy.deepcopy(c["grounds"][0])), "listed twice"),
        (
            lambda c: c["prefectures"].append(copy.deepcopy(c["prefectures"][0])),
            "share a département",
        ),
        (lambda c: c["grounds"][0].update(procedure_kinds=["teleportation"]), "unknown proc"),
    ],
)
def test_reference_catalogue_errors_name_the_problem(catalogue, mutation, message):
    broken = copy.deepcopy(catalogue)
    mutation(broken)
    assert any(message in error for error in catalogue_errors(broken))


def test_reference_catalogue_limited_work_without_limit_is_an_error(catalogue):
    broken = copy.deepcopy(catalogue)
    broken["grounds"][0].update(right_to_work="limited", work_limitation_fr="")
    assert any("must state its limit" in error for error in catalogue_errors(broken))


def test_reference_catalogue_renewable_must_match_procedures(catalogue):
    broken = copy.deepcopy(catalogue)
    ground = next(g for g in broken["grounds"] if "renewal" in g["procedure_kinds"])
    ground["renewable"] = False
    assert any("'renewable' disagrees" in error for error in catalogue_errors(broken))


@pytest.mark.parametrize(
    ("postal_code", "departement"),
    [
        ("75011", "75"),
        ("93200", "93"),
        ("06000", "06"),
        ("20000", "2A"),
        ("20199", "2A"),
        ("20200", "2B"),
        ("20620", "2B"),
        ("97100", "971"),
        ("97400", "974"),
        ("01000", "01"),
    ],
)
def test_rules_departement_code_for_postal_code(postal_code, departement):
    assert departement_code_for_postal_code(postal_code) == departement


@pytest.mark.parametrize("postal_code", ["", "7501", "750011", "ABCDE", None])
def test_rules_departement_code_refuses_what_is_not_a_postal_code(postal_code):
    with pytest.raises(ValueError):
        departement_code_for_postal_code(postal_code)


@pytest.mark.django_db
def test_selectors_prefecture_for_postal_code(reference_data):
    assert prefecture_for_postal_code("93200").departement_code == "93"
    assert prefecture_for_postal_code("not a code") is None
