"""The site in the six official UN languages (Arabic, Chinese, English, French,
Russian, Spanish): chosen by the browser, the switcher or the person's profile;
dates, numbers, emails and allauth's own pages localised too; Arabic right to left."""

import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from django.urls import reverse

from accounts.models import User
from forum.models import Comment
from tests import factories


def test_the_browsers_language_picks_spanish(client, room):
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html
    assert "Preguntas orientadoras" in html or "Comentarios (0)" in html


def test_the_browsers_language_picks_french(client, room):
    html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in html
    assert "Commentaires (0)" in html


def test_the_switcher_changes_the_language_for_an_anonymous_visitor(client, room):
    response = client.post(reverse("accounts:set-language"), {"language": "fr", "next": room.get_absolute_url()})
    assert response.status_code == 302
    assert response.url == room.get_absolute_url()
    html = client.get(room.get_absolute_url()).content.decode()
    assert '<html lang="fr">' in html


def test_a_signed_in_persons_choice_follows_them_to_another_device(client, participant, room):
    client.force_login(participant)
    client.post(reverse("accounts:set-language"), {"language": "es", "next": "/"})
    participant.refresh_from_db()
    assert participant.language == "es"
    from django.test import Client

    other_device = Client()
    other_device.force_login(participant)
    html = other_device.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in html


def test_the_language_can_also_be_chosen_in_the_profile(client, participant):
    client.force_login(participant)
    data = {"display_name": participant.display_name, "handle": participant.handle, "language": "fr"}
    client.post(reverse("accounts:profile-edit"), data)
    assert User.objects.get(pk=participant.pk).language == "fr"


def test_an_unknown_language_is_ignored(client, room):
    client.post(reverse("accounts:set-language"), {"language": "xx", "next": "/"})
    assert '<html lang="en">' in client.get(room.get_absolute_url()).content.decode()


def test_dates_are_written_the_way_each_language_writes_them(client, room, participant):
    comment = factories.make_comment(room, participant)
    Comment.objects.filter(pk=comment.pk).update(created_at=datetime(2026, 3, 5, 14, 30, tzinfo=timezone.utc))
    english = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    spanish = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'title="March 5, 2026, 2:30 p.m."' in english
    assert 'title="5 mars 2026 14:30"' in french
    assert 'title="5 de marzo de 2026 a las 14:30"' in spanish


def test_allauths_own_pages_come_in_the_chosen_language(client, db):  # sign-up reads the terms in force
    french = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    spanish = client.get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Connexion" in french
    assert "Registrarse" in spanish


CATALOGUES = Path(__file__).resolve().parent.parent / "locale"
TRANSLATED = ["es", "fr", "ar", "ru", "zh_Hans"]
# %(name)s and %s from Django's templates and code, {count} from the scripts' strings.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def entries_of(catalogue: Path) -> list[dict]:
    """The catalogue's entries (header and obsolete ones left out): flags, msgid,
    msgid_plural and the msgstr forms, as plain strings."""
    entries, entry, field = [], None, None
    for line in catalogue.read_text().splitlines() + [""]:
        if not line.strip() or line.startswith("#~"):
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = line[1:-1]
            if isinstance(field, int):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
        else:
            keyword, value = line.split(" ", 1)
            match = re.fullmatch(r"msgstr\[(\d)\]", keyword)
            field = int(match.group(1)) if match else (0 if keyword == "msgstr" else keyword)
            if isinstance(field, int):
                entry["msgstr"][field] = value[1:-1]
            else:
                entry[field] = value[1:-1]
    return entries


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_page_string_is_translated_in_each_catalogue(language):
    catalogue = CATALOGUES / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    entries = entries_of(catalogue)
    assert len(entries) > 500
    assert [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]] == []
    assert [entry["msgid"] for entry in entries if not all(entry["msgstr"].values())] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_of_the_english(language):
    wrong = []
    for entry in entries_of(CATALOGUES / language / "LC_MESSAGES" / "django.po"):
        english = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        forms = [set(PLACEHOLDER.findall(form)) for form in entry["msgstr"].values()]
        if "msgid_plural" in entry:
            # The forms for one or two may leave the number out ("تعليقان", two comments);
            # the last, general form keeps every placeholder, and none adds one.
            fine = all(form <= english for form in forms) and forms[-1] == english
        else:
            fine = forms == [english]
        if not fine:
            wrong.append(entry["msgid"])
    assert wrong == []


def test_a_signed_in_persons_language_is_not_changed_by_a_forged_form(participant, room):
    from django.test import Client

    forged = Client(enforce_csrf_checks=True)
    forged.force_login(participant)

    response = forged.post(reverse("accounts:set-language"), {"language": "fr", "next": "/"})

    assert response.status_code == 403
    participant.refresh_from_db()
    assert participant.language != "fr"


def test_the_switcher_on_a_signed_in_page_carries_its_token(participant, room):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(participant)
    html = browser.get(room.get_absolute_url()).content.decode()
    switcher = re.search(r'<form method="post" action="/language/".*?</form>', html, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', switcher).group(1)

    response = browser.post(
        reverse("accounts:set-language"), {"language": "fr", "next": "/", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.language == "fr"


def test_an_anonymous_visitor_switches_without_a_token(room):
    from django.test import Client

    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post(reverse("accounts:set-language"), {"language": "es", "next": room.get_absolute_url()})
    assert response.status_code == 302
    assert '<html lang="es">' in visitor.get(room.get_absolute_url()).content.decode()


# --- Arabic, Chinese and Russian ---------------------------------------------------


def test_the_footer_offers_the_six_languages_each_named_in_itself_in_the_uns_order(client, room):
    html = client.get(room.get_absolute_url()).content.decode()
    switcher = re.search(r'<select name="language" id="language-switcher">.*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]+)" lang="[^"]+"(?: selected)?>([^<]+)</option>', switcher) == [
        ("ar", "العربية"),
        ("zh-hans", "中文"),
        ("en", "English"),
        ("fr", "Français"),
        ("ru", "Русский"),
        ("es", "Español"),
    ]


def test_an_arabic_page_reads_right_to_left_and_the_others_left_to_right(client, room):
    arabic = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    chinese = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    russian = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "الأسئلة التوجيهية" in arabic or "التعليقات (0)" in arabic
    assert '<html lang="zh-hans">' in chinese
    assert '<html lang="ru">' in russian


@pytest.mark.parametrize("language", ["ar", "zh-hans", "ru"])
def test_the_switcher_and_the_profile_take_arabic_chinese_and_russian(client, participant, room, language):
    client.post(reverse("accounts:set-language"), {"language": language, "next": "/"})
    assert f'<html lang="{language}"' in client.get(room.get_absolute_url()).content.decode()
    client.force_login(participant)
    data = {"display_name": participant.display_name, "handle": participant.handle, "language": language}
    client.post(reverse("accounts:profile-edit"), data)
    assert User.objects.get(pk=participant.pk).language == language


def test_dates_in_arabic_chinese_and_russian(client, room, participant):
    comment = factories.make_comment(room, participant)
    Comment.objects.filter(pk=comment.pk).update(created_at=datetime(2026, 3, 5, 14, 30, tzinfo=timezone.utc))

    def title_in(language):
        html = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return re.search(r'<time datetime="2026-03-05T14:30:00\+00:00" title="([^"]+)"', html).group(1)

    # Day, month, year and time as Django's Arabic writes them, Western digits included.
    assert title_in("ar") == "5 مارس، 2026، 2:30 م"
    assert title_in("zh-hans") == "2026年3月5日 14:30"
    assert title_in("ru") == "5 марта 2026 г. 14:30"
    day_and_month = Template('{{ day|date:"MONTH_DAY_FORMAT" }}')
    for language, expected in [("ar", "5 مارس"), ("zh-hans", "3月5日"), ("ru", "5 марта")]:
        with translation.override(language):
            assert day_and_month.render(Context({"day": datetime(2026, 3, 5)})) == expected


def test_numbers_in_arabic_chinese_and_russian():
    figures = Template("{% load humanize %}{{ count|intcomma }} · {{ share }}")
    written = {}
    for language in ["ar", "zh-hans", "ru"]:
        with translation.override(language):
            written[language] = figures.render(Context({"count": 12345, "share": 12.5}))
    # Django's Arabic groups no digits and writes a decimal comma.
    assert written == {"ar": "12345 · 12,5", "zh-hans": "12,345 · 12.5", "ru": "12\xa0345 · 12,5"}


def test_a_comment_in_chinese_is_labelled_on_other_pages_but_not_on_a_chinese_one(client, room, participant):
    factories.make_comment(room, participant, body="法院费用让很多人无法诉诸司法，我们需要援助。")
    assert Comment.objects.get().language == "zh"
    english = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<span class="language-label" lang="zh">中文</span>' in english
    assert 'class="language-label"' not in chinese


def test_each_comment_body_takes_its_own_direction(client, room, participant):
    factories.make_comment(room, participant, body="رسوم المحاكم تبعد الناس عن العدالة في الريف.")
    english = client.get(room.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<div class="comment__body" lang="ar" dir="auto">' in english
    assert '<span class="language-label" lang="ar">العربية</span>' in english


def test_notification_emails_go_in_the_recipients_language_right_to_left_in_arabic(
    participant_client, other_participant, room, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=other_participant.pk).update(language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        participant_client.post(
            reverse("forum:new-comment", args=[room.consultation.slug, room.slug]),
            {"body": "@jean_dupont legal aid must reach rural areas."},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    [message] = mailoutbox
    assert f"أشار إليك Amina Diallo في {room.title}" in message.subject
    [(html, _mimetype)] = message.alternatives
    assert '<html lang="ar" dir="rtl">' in html
    assert "كتب <bdi>Amina Diallo</bdi>:" in html
    assert "border-right:3px" in html


def test_allauths_own_pages_come_in_arabic_chinese_and_russian(client):
    arabic = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    chinese = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    russian = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic and "تسجيل الدخول" in arabic
    assert "登录" in chinese
    assert "Войти" in russian
