"""Public pages in plain language, in French and English, each telling how to reach a human."""

import pytest
from django.test import Client
from django.urls import reverse

from anef.views import server_error
from tests.accounts.factories import ApplicantFactory


@pytest.mark.django_db
def test_pages_home_is_in_french_by_default(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert '<html lang="fr"' in response.text
    assert "Votre titre de séjour" in response.text


@pytest.mark.django_db
def test_pages_home_in_english_when_the_browser_asks(client):
    response = client.get(reverse("home"), headers={"accept-language": "en"})
    assert '<html lang="en"' in response.text
    assert "Your residence permit, online or with a person" in response.text


@pytest.mark.django_db
def test_pages_language_switch_is_remembered(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en"' in client.get(reverse("home")).text


@pytest.mark.django_db
def test_pages_every_page_tells_how_to_reach_a_human(client, settings):
    response = client.get(reverse("home"))
    assert settings.CONTACT_PHONE in response.text
    assert 'id="help"' in response.text


@pytest.mark.django_db
def test_pages_home_lists_grounds_with_their_article_and_checklist(client, reference_data):
    response = client.get(reverse("home"), headers={"accept-language": "en"})
    grounds = list(response.context["grounds"])
    assert grounds
    first = grounds[0]
    assert first.label_en in response.text
    assert first.ceseda_article in response.text
    assert first.requirements.all()[0].document_type.label_en in response.text


@pytest.mark.django_db
def test_pages_home_lists_grounds_in_a_constant_number_of_queries(
    client, reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        client.get(reverse("home"))


@pytest.mark.django_db
def test_pages_signed_in_home_offers_the_way_to_their_space(client):
    client.force_login(ApplicantFactory())
    response = client.get(reverse("home"))
    assert reverse("accounts:home") in response.text


@pytest.mark.django_db
def test_pages_404_in_plain_language_with_help(client, settings):
    response = client.get("/this-page-does-not-exist/")
    assert response.status_code == 404
    assert "Nous ne trouvons pas cette page" in response.text
    assert settings.CONTACT_PHONE in response.text


def test_pages_500_renders_without_database_and_gives_help(rf, settings):
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert settings.CONTACT_PHONE in response.content.decode()


@pytest.mark.django_db
def test_pages_500_is_what_a_crashing_view_shows(settings, monkeypatch):
    from anef import views

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "ground_list_offered", crash)
    client = Client(raise_request_exception=False)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    assert settings.CONTACT_PHONE in response.content.decode()


@pytest.mark.django_db
def test_pages_login_page_uses_the_design_system(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert 'class="fr-input"' in response.text
    assert 'class="fr-btn' in response.text


@pytest.mark.django_db
def test_pages_signup_page_answers(client):
    assert client.get(reverse("account_signup")).status_code == 200


@pytest.mark.django_db
def test_pages_unknown_api_url_answers_json_404(client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
