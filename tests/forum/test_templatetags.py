"""The template helpers give exactly what Django's own tags would."""

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation


def render(source, **context):
    return Template("{% load forum %}" + source).render(Context(context))


def test_fast_url_matches_reverse_for_every_comment_action():
    for name in ["forum:comment-permalink", "forum:edit-comment", "forum:delete-comment", "forum:report-comment"]:
        assert render(f"{{% fast_url '{name}' 42 %}}") == reverse(name, args=[42])
        assert render(f"{{% fast_url '{name}' 7 %}}") == reverse(name, args=[7])


def test_fast_url_keeps_the_fixed_arguments_apart():
    first = render("{% fast_url 'forum:reply' 'review' 'access' 5 %}")
    second = render("{% fast_url 'forum:reply' 'review' 'civic' 5 %}")
    assert first == reverse("forum:reply", args=["review", "access", 5])
    assert second == reverse("forum:reply", args=["review", "civic", 5])


def test_fast_url_builds_profile_addresses():
    assert render("{% fast_url 'forum:profile' 'alvaro_herrero' %}") == "/u/alvaro_herrero/"


def test_excerpt_gives_plain_text_escaped_once():
    assert render("{{ body|excerpt }}", body="<p>Tom &amp; Jerry <strong>say</strong> &lt;yes&gt;</p>") == (
        "Tom &amp; Jerry say &lt;yes&gt;"
    )


def test_a_name_in_a_sentence_is_isolated_and_still_escaped():
    assert render("{{ name|bdi }}", name="نجوى <b>") == "<bdi>نجوى &lt;b&gt;</bdi>"
    sentence = "{% load i18n %}{% blocktranslate with name=name|bdi %}Reply to {{ name }}{% endblocktranslate %}"
    with translation.override("en"):
        assert render(sentence, name="Ana & Co") == "Reply to <bdi>Ana &amp; Co</bdi>"
