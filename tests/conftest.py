import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def consultation(db):
    return factories.make_consultation()


@pytest.fixture
def room(consultation):
    return factories.make_room(consultation)


@pytest.fixture
def participant(db):
    return factories.make_user("Amina Diallo", organisation="Legal Aid Network")


@pytest.fixture
def other_participant(db):
    return factories.make_user("Jean Dupont")


@pytest.fixture
def moderator(room):
    user = factories.make_user("Maria Moderator")
    factories.assign_moderator(room, user)
    return user


@pytest.fixture
def staff(db):
    return factories.make_user("Sam Staff", is_staff=True)


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant)
    return client
