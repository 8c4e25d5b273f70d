"""The pages around signing in with an organisation, without a provider to talk
to (the sign-in itself is in test_oidc_sign_in.py)."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from tests import factories


@pytest.fixture
def contoso(settings):
    settings.SOCIALACCOUNT_PROVIDERS = factories.oidc_provider_setting()


def test_without_providers_the_log_in_sign_up_and_profile_pages_offer_none(client, participant):
    for name in ("account_login", "account_signup"):
        html = client.get(reverse(name)).content.decode()
        assert "Or sign in with your organisation" not in html
        assert "/accounts/oidc/" not in html
    client.force_login(participant)
    assert reverse("socialaccount_connections") not in client.get(reverse("accounts:profile-edit")).content.decode()


def test_the_log_in_page_offers_each_provider_as_a_form_in_the_persons_language(client, contoso, db):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<form method="post" action="/accounts/oidc/contoso/login/">' in html
    assert "Ou connectez-vous avec votre organisation" in html
    assert "Se connecter avec Contoso" in html


def test_starting_a_sign_in_by_a_plain_link_asks_to_continue_with_a_form(client, contoso, db):
    response = client.get("/accounts/oidc/contoso/login/?process=login")

    assert response.status_code == 200
    assert '<form method="post"' in response.content.decode()


def test_an_unknown_provider_is_not_found(client, contoso, db):
    assert client.post("/accounts/oidc/nobody/login/").status_code == 404


def test_the_profile_leads_to_the_connections_page_which_lists_and_offers_providers(client, contoso, participant):
    SocialAccount.objects.create(
        user=participant, provider="contoso", uid="4b2f", extra_data={"userinfo": {"email": participant.email}}
    )
    client.force_login(participant)

    profile = client.get(reverse("accounts:profile-edit")).content.decode()
    connections = client.get(reverse("socialaccount_connections"))

    assert f'href="{reverse("socialaccount_connections")}"' in profile
    html = connections.content.decode()
    assert connections.status_code == 200
    assert "Contoso" in html and 'name="account"' in html
    assert 'value="connect"' in html and "Connect Contoso" in html


def test_the_connections_page_is_for_signed_in_people(client, contoso, db):
    response = client.get(reverse("socialaccount_connections"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_starting_sign_ins_with_a_provider_counts_with_the_log_in_forms_limit_per_ip(client, settings, db):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    # Nothing listens on the discard port: each start gets the "does not answer" page until the limit.
    settings.SOCIALACCOUNT_PROVIDERS = factories.oidc_provider_setting(server_url="http://127.0.0.1:9/o")

    answers = [client.post("/accounts/oidc/contoso/login/") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [502, 502, 429]
    assert "Too many attempts" in answers[-1].content.decode()


def test_removing_a_connection_without_choosing_one_says_so(client, contoso, participant):
    SocialAccount.objects.create(user=participant, provider="contoso", uid="4b2f")
    client.force_login(participant)

    response = client.post(reverse("socialaccount_connections"), {})

    assert response.status_code == 200
    assert 'class="error" role="alert"' in response.content.decode()
    assert SocialAccount.objects.filter(user=participant).exists()
