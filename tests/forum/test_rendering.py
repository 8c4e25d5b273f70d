"""forum/rendering.py with plain strings: what a body becomes, and what it never becomes."""

from html.parser import HTMLParser

import pytest

from forum.rendering import RENDER_VERSION, render_comment_body, shorten_for_display


def html_of(source):
    return render_comment_body(source).html


def elements_in(html):
    """(tag, attribute names) for every element a browser would build from the HTML."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {name for name, _ in attrs}))

    Collector().feed(html)
    return found


def test_markdown_subset_becomes_html():
    html = html_of("**bold** and _italic_ and *also italic*\nnext line\n\n- one\n- two\n\n1. first\n\n> quoted")
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<em>also italic</em>" in html
    assert "next line" in html and "<br>" in html
    assert "<ul>\n<li>one</li>" in html
    assert "<ol>\n<li>first</li>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html


def test_paragraphs_are_separated_by_blank_lines():
    assert html_of("first\n\nsecond") == "<p>first</p>\n<p>second</p>"


def test_headings_tables_and_images_stay_plain_text():
    html = html_of("# Not a heading\n\n![img](https://example.org/x.png)\n\n| a | b |\n|---|---|")
    assert "<h1" not in html
    assert "<img" not in html
    assert "<table" not in html
    assert "# Not a heading" in html


def test_result_carries_the_render_version():
    assert render_comment_body("x").version == RENDER_VERSION


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        '<p style="position:fixed">x</p>',
        '<svg onload=alert(1)>',
        "<div onclick='alert(1)'>click</div>",
    ],
)
def test_html_typed_by_a_person_is_shown_as_text_never_run(attack):
    html = html_of(attack)
    # The only elements are a paragraph and, where the text held an address, a plain link.
    assert {tag for tag, _ in elements_in(html)} <= {"p", "a"}
    assert all(attributes <= {"href", "rel"} for _, attributes in elements_in(html))
    assert "&lt;" in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_link_schemes_never_become_links(source):
    html = html_of(source).lower()
    assert "href=\"javascript" not in html
    assert "href=\"data" not in html
    assert "href=\"vbscript" not in html


def test_bare_urls_become_external_links_with_safe_rel():
    html = html_of("See https://example.org/report for details")
    assert '<a href="https://example.org/report" rel="nofollow ugc noopener">example.org/report</a>' in html


def test_www_addresses_become_links():
    assert 'href="http://www.example.org"' in html_of("www.example.org")


def test_long_urls_are_shortened_in_the_text_but_kept_whole_in_the_href():
    url = "https://example.org/reports/2026/" + "a" * 120 + "/final.pdf"
    html = html_of(url)
    assert f'href="{url}"' in html
    text = html.split(">", 2)[2].split("</a>")[0]
    assert len(text) <= 60
    assert "…" in text
    assert text.endswith("final.pdf")


def test_shortening_keeps_short_addresses_whole_without_scheme():
    assert shorten_for_display("https://example.org/a") == "example.org/a"


def test_links_written_with_text_keep_their_text():
    html = html_of("[the annual report](https://example.org/annual-report)")
    assert '<a href="https://example.org/annual-report" rel="nofollow ugc noopener">the annual report</a>' in html


def test_relative_links_to_our_site_are_not_marked_nofollow():
    html = html_of("[earlier comment](/comment/12/)")
    assert '<a href="/comment/12/">earlier comment</a>' in html


def test_absolute_links_to_our_own_host_are_internal(settings):
    settings.FORUM_OWN_HOSTS = {"forum.example.org"}
    html = html_of("[see](https://forum.example.org/comment/3/)")
    assert 'href="https://forum.example.org/comment/3/"' in html
    assert "nofollow" not in html


@pytest.mark.parametrize(
    "url",
    [
        "https:evil.example",
        "/\\evil.example",
        "//evil.example/path",
        "https://127.0.0.1:8000@evil.example/",
        "https://evil.example/127.0.0.1",
    ],
)
def test_links_that_only_look_internal_are_treated_as_external(url, settings):
    settings.FORUM_OWN_HOSTS = {"127.0.0.1:8000", "127.0.0.1"}
    html = html_of(f"[looks internal]({url})")
    assert 'rel="nofollow ugc noopener"' in html


def test_text_inside_code_is_escaped_and_not_linked():
    html = html_of("`<b>https://example.org</b>`")
    assert "<code>&lt;b&gt;https://example.org&lt;/b&gt;</code>" in html


def test_empty_source_renders_to_empty_html():
    assert html_of("") == ""


def test_unicode_and_right_to_left_text_pass_through():
    html = html_of("Acceso a la justicia — ¿qué funciona? مرحبا")
    assert "¿qué funciona?" in html
    assert "مرحبا" in html
