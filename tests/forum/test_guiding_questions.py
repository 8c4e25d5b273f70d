"""Answering a guiding question, filtering a room by question or language, and language labels."""

import re

from django.urls import reverse

from forum import services
from forum.models import Comment
from tests import factories


def new_comment_url(room):
    return reverse("forum:new-comment", args=[room.consultation.slug, room.slug])


def shown_ids(html):
    return [int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', html)]


def test_each_question_offers_to_answer_it_and_the_form_comes_tagged(participant_client, room):
    question = factories.make_question(room, "Who lacks access?")
    html = participant_client.get(room.get_absolute_url()).content.decode()
    assert f'href="?answer={question.pk}#comment-form"' in html
    tagged = participant_client.get(room.get_absolute_url() + f"?answer={question.pk}").content.decode()
    assert re.search(rf'<option value="{question.pk}" selected>1\. Who lacks access\?</option>', tagged)


def test_posting_an_answer_stores_the_question_and_the_room_counts_it(participant_client, room):
    question = factories.make_question(room, "Who lacks access?")
    participant_client.post(new_comment_url(room), {"body": "Rural women, mostly.", "guiding_question": question.pk})
    comment = Comment.objects.get()
    assert comment.guiding_question == question
    html = participant_client.get(room.get_absolute_url()).content.decode()
    assert f'<a href="?question={question.pk}">1 answer</a>' in html


def test_a_question_from_another_room_is_refused_and_the_text_kept(participant_client, room, consultation):
    factories.make_question(room, "Here?")
    other = factories.make_question(factories.make_room(consultation), "Elsewhere?")
    response = participant_client.post(new_comment_url(room), {"body": "My answer", "guiding_question": other.pk})
    assert response.status_code == 400
    assert "My answer" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_author_may_answer_no_question_in_particular(participant_client, room):
    factories.make_question(room)
    participant_client.post(new_comment_url(room), {"body": "A general remark.", "guiding_question": ""})
    assert Comment.objects.get().guiding_question is None


def test_the_room_filters_by_question(client, room, participant):
    question = factories.make_question(room, "Who lacks access?")
    answer = factories.make_comment(room, participant, body="Rural women.", guiding_question=question)
    factories.make_comment(room, participant, body="Something else.")
    reply = factories.make_reply(answer)
    services.tag_comment(factories.make_user("Staff", is_staff=True), comment=reply, question=question)
    html = client.get(room.get_absolute_url() + f"?question={question.pk}").content.decode()
    assert shown_ids(html) == [answer.pk, reply.pk]
    assert "2 comments match." in html


def test_the_room_filters_by_language(client, room, participant):
    spanish = factories.make_comment(room, participant, body="Los tribunales rurales necesitan más jueces y fiscales.")
    factories.make_comment(room, participant, body="Rural courts need more judges and prosecutors.")
    html = client.get(room.get_absolute_url() + "?language=es").content.decode()
    assert shown_ids(html) == [spanish.pk]


def test_an_unknown_filter_value_shows_the_threads_instead_of_an_error(client, room, participant):
    comment = factories.make_comment(room, participant)
    for query in ["?question=999999", "?question=abc", "?language=xx"]:
        response = client.get(room.get_absolute_url() + query)
        assert response.status_code == 200
        assert shown_ids(response.content.decode()) == [comment.pk]


def test_comments_are_labelled_when_written_in_another_language_than_the_page(client, room, participant):
    spanish = factories.make_comment(room, participant, body="Los tribunales rurales necesitan más jueces y fiscales.")
    english = factories.make_comment(room, participant, body="Rural courts need more judges and prosecutors.")
    html = client.get(room.get_absolute_url()).content.decode()
    spanish_article = re.search(rf'<article id="comment-{spanish.pk}".*?</article>', html, re.S).group(0)
    english_article = re.search(rf'<article id="comment-{english.pk}".*?</article>', html, re.S).group(0)
    assert '<span class="language-label" lang="es">Español</span>' in spanish_article
    assert '<div class="comment__body" lang="es" dir="auto">' in spanish_article
    assert "language-label" not in english_article


def test_the_author_can_correct_the_recognised_language(participant_client, room):
    participant_client.post(new_comment_url(room), {"body": "Rural courts need more judges.", "language": "fr"})
    assert Comment.objects.get().language == "fr"


def test_a_language_that_is_not_offered_is_refused_with_the_text_kept(participant_client, room):
    response = participant_client.post(new_comment_url(room), {"body": "Texto", "language": "xx"})
    assert response.status_code == 400
    assert "Texto" in response.content.decode()


def test_short_or_mixed_comments_are_labelled_unknown(room, participant):
    assert factories.make_comment(room, participant, body="ok").language == ""
    mixed = "The programme helped a lot here. El programa ayudó mucho a las familias del barrio."
    assert factories.make_comment(room, participant, body=mixed).language == ""


def test_english_spanish_and_french_are_recognised(room, participant):
    samples = {
        "en": "Legal aid must reach rural areas before the courts decide.",
        "es": "La asistencia jurídica debe llegar a las zonas rurales antes de que decidan los tribunales.",
        "fr": "L'aide juridique doit atteindre les zones rurales avant que les tribunaux ne décident.",
    }
    for code, body in samples.items():
        assert factories.make_comment(room, participant, body=body).language == code


def test_an_edit_recognises_the_language_again(room, participant):
    comment = factories.make_comment(room, participant, body="Legal aid must reach rural areas quickly.")
    services.edit_comment(
        participant, comment=comment, body="La asistencia jurídica debe llegar rápido a las zonas rurales."
    )
    comment.refresh_from_db()
    assert comment.language == "es"
