"""forum/rendering.py with plain strings: what a body becomes, and what it never becomes."""

from html.parser import HTMLParser

import pytest

from forum import rendering
from forum.addresses import Destination, Route, destination_of, route_of
from forum.rendering import (
    EXCERPT_SOURCE_LENGTH,
    RENDER_VERSION,
    CitedComment,
    Person,
    excerpt_of,
    render_comment_body,
    shorten_for_display,
)


class SiteWithNothing:
    """Look-ups for a site where no handle, comment or room exists."""

    def people(self, handles):
        return {}

    def comments(self, ids):
        return {}

    def rooms(self, slugs):
        return {}

    def consultations(self, slugs):
        return {}


class SmallSite(SiteWithNothing):
    """Two people, three comments and a room, with the look-ups counted."""

    def __init__(self):
        self.calls = []

    def people(self, handles):
        self.calls.append(("people", handles))
        known = {
            "alvaro": Person(1, "alvaro", "Álvaro Herrero"),
            "amina": Person(2, "amina", '<img src=x onerror=alert(1)>"><script>x</script>'),
        }
        return {handle: known[handle] for handle in handles if handle in known}

    def comments(self, ids):
        self.calls.append(("comments", ids))
        known = {
            5: CitedComment(
                5, "Ngozi Okafor", "Access to justice", "<p>Paralegals <strong>reach</strong> villages.</p>", "visible"
            ),
            6: CitedComment(6, "Someone", "Civic space", "<p>Secret insult</p>", "hidden"),
            7: CitedComment(7, "Someone", "Civic space", "<p>Withdrawn words</p>", "deleted"),
        }
        return {i: known[i] for i in ids if i in known}

    def rooms(self, slugs):
        return (
            {("review", "access-to-justice"): "Access to justice"} if ("review", "access-to-justice") in slugs else {}
        )

    def consultations(self, slugs):
        return {"review": "Mid-term review"} if "review" in slugs else {}


def html_of(source, lookups=None):
    return render_comment_body(source, lookups or SiteWithNothing()).html


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
        "<svg onload=alert(1)>",
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
    assert 'href="javascript' not in html
    assert 'href="data' not in html
    assert 'href="vbscript' not in html


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
        "http:\\\\evil.example",
        "//evil.example/path",
        "https://127.0.0.1:8000@evil.example/",
        "https://evil.example/127.0.0.1",
    ],
)
def test_links_that_only_look_internal_are_treated_as_external(url, settings):
    settings.FORUM_OWN_HOSTS = {"127.0.0.1:8000", "127.0.0.1"}
    html = html_of(f"[looks internal]({url})")
    assert 'rel="nofollow ugc noopener"' in html


def test_a_backslash_typed_in_a_link_is_encoded_so_the_link_stays_a_path_on_our_site():
    # The Markdown parser writes "\\" as %5C: a browser asks our site for that path.
    html = html_of("[odd](/\\evil.example)")
    assert html == '<p><a href="/%5Cevil.example">odd</a></p>'


@pytest.mark.parametrize(
    ("href", "own", "path"),
    [
        ("/comment/5/", True, "/comment/5/"),
        ("/comment/5/?page=2#comment-5", True, "/comment/5/"),
        ("/c/x/%2e%2E/../comment/5/", True, "/comment/5/"),
        ("/comment/5/..", True, "/comment/"),
        ("comment/5/", True, None),
        ("#comment-5", True, None),
        ("HTTP://127.0.0.1:8000/comment/5/", True, "/comment/5/"),
        ("http://LOCALHOST:80/comment/5/", True, "/comment/5/"),
        ("https://localhost:443/", True, "/"),
        ("http://127.0.0.1:8000", True, "/"),
        ("//127.0.0.1:8000/comment/5/", True, "/comment/5/"),
        ("\t http://127.0.0.1:8000/comment/5/", True, "/comment/5/"),
        ("http://127.0.0.1:8000\\comment\\5\\", True, "/comment/5/"),
        ("http://127.0.0.1:8000\\@evil.example/", True, "/@evil.example/"),
        ("http://evil.example\\@127.0.0.1:8000/", False, None),
        ("/\\evil.example/comment/5/", False, None),
        ("\\\\evil.example/comment/5/", False, None),
        ("http:\\\\evil.example/comment/5/", False, None),
        ("http:/comment/5/", False, None),
        ("https:evil.example", False, None),
        ("http://127.0.0.1:8000%2F@evil.example/comment/5/", False, None),
        ("http://127.0.0.1%3A8000/comment/5/", False, None),
        ("http://user@127.0.0.1:8000/comment/5/", False, None),
        ("http://127.0.0.1:8001/comment/5/", False, None),
        ("http://127.0.0.1:99999/comment/5/", False, None),
        ("http://localhost:8000/comment/5/", False, None),
        ("http://lоcalhost/comment/5/", False, None),
        ("http://xn--lcalhost-nbh/comment/5/", False, None),
        ("ftp://127.0.0.1:8000/comment/5/", False, None),
        ("mailto:someone@127.0.0.1", False, None),
    ],
)
def test_where_a_browser_would_go_is_judged_on_the_href_as_written(href, own, path, settings):
    settings.FORUM_OWN_HOSTS = {"127.0.0.1:8000", "127.0.0.1", "localhost"}
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert destination_of(href) == Destination(is_own=own, path=path)


def test_text_inside_code_is_escaped_and_not_linked():
    html = html_of("`<b>https://example.org</b>`")
    assert "<code>&lt;b&gt;https://example.org&lt;/b&gt;</code>" in html


def test_empty_source_renders_to_empty_html():
    assert html_of("") == ""


def test_unicode_and_right_to_left_text_pass_through():
    html = html_of("Acceso a la justicia — ¿qué funciona? مرحبا")
    assert "¿qué funciona?" in html
    assert "مرحبا" in html


# --- Mentions ----------------------------------------------------------------


def test_a_handle_becomes_a_link_to_the_profile_with_the_current_display_name():
    rendered = render_comment_body("Thanks @alvaro, good point.", SmallSite())
    assert '<a href="/u/alvaro/" class="mention">@Álvaro Herrero</a>' in rendered.html
    assert rendered.mentioned_user_ids == (1,)


def test_handles_match_whatever_their_case():
    rendered = render_comment_body("@ALVARO and @Alvaro", SmallSite())
    assert rendered.html.count('class="mention"') == 2
    assert rendered.mentioned_user_ids == (1,)


def test_unknown_handles_stay_plain_text():
    rendered = render_comment_body("Hello @nobody_here", SmallSite())
    assert "@nobody_here" in rendered.html
    assert "<a" not in rendered.html
    assert rendered.mentioned_user_ids == ()


def test_mentioned_people_are_listed_in_the_order_they_first_appear():
    rendered = render_comment_body("@amina then @alvaro then @amina", SmallSite())
    assert rendered.mentioned_user_ids == (2, 1)


@pytest.mark.parametrize(
    "source",
    [
        "write to alvaro@example.org",
        "`@alvaro` in code",
        "[@alvaro](https://example.org)",
        "https://example.org/@alvaro",
        "email@alvaro",
        "@@alvaro",
    ],
)
def test_addresses_code_and_links_are_not_mentions(source):
    rendered = render_comment_body(source, SmallSite())
    assert 'class="mention"' not in rendered.html
    assert rendered.mentioned_user_ids == ()


def test_look_alike_letters_are_not_a_mention_of_someone_else():
    rendered = render_comment_body("@аlvaro", SmallSite())  # Cyrillic а
    assert 'class="mention"' not in rendered.html


def test_a_display_name_with_markup_is_escaped_in_a_mention():
    rendered = render_comment_body("cc @amina", SmallSite())
    assert "<img" not in rendered.html
    assert "<script" not in rendered.html
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered.html


def test_mentions_inside_emphasis_and_lists_work():
    html = html_of("- **@alvaro** agrees", SmallSite())
    assert '<strong><a href="/u/alvaro/" class="mention">@Álvaro Herrero</a></strong>' in html


def test_one_body_asks_for_people_once_however_many_handles():
    site = SmallSite()
    render_comment_body(" ".join(f"@person{n}" for n in range(500)) + " @alvaro", site)
    assert [kind for kind, _ in site.calls].count("people") == 1


# --- References ------------------------------------------------------------


def test_a_bare_link_to_a_comment_becomes_a_reference_with_an_excerpt():
    rendered = render_comment_body("As said in /x and http://127.0.0.1:8000/comment/5/", SmallSite())
    assert (
        '<a href="http://127.0.0.1:8000/comment/5/" class="reference">Comment by Ngozi Okafor in Access to justice</a>'
        in rendered.html
    )
    assert '<span class="reference__excerpt">“Paralegals reach villages.”</span>' in rendered.html
    assert rendered.cited_comment_ids == {5}


def test_a_relative_comment_link_with_its_own_words_keeps_them():
    html = html_of("[this point](/comment/5/)", SmallSite())
    assert '<a href="/comment/5/" class="reference">this point</a>' in html
    assert "(Comment by Ngozi Okafor in Access to justice: “Paralegals reach villages.”)" in html


def test_a_reference_to_a_hidden_comment_says_so_without_its_text():
    html = html_of("see /comment/6/ and [this](/comment/6/)", SmallSite())
    assert "A comment hidden by a moderator, in Civic space" in html
    assert "Secret insult" not in html


def test_a_reference_to_a_deleted_comment_says_so_without_its_text():
    html = html_of("[see](/comment/7/)", SmallSite())
    assert "A comment no longer available, in Civic space" in html
    assert "Withdrawn words" not in html


def test_a_link_to_a_comment_that_does_not_exist_stays_an_ordinary_link():
    rendered = render_comment_body("[old](/comment/999999999/)", SmallSite())
    assert rendered.html == '<p><a href="/comment/999999999/">old</a></p>'
    assert rendered.cited_comment_ids == frozenset()


def test_links_to_rooms_and_consultations_show_their_titles():
    html = html_of("http://127.0.0.1:8000/c/review/access-to-justice/ and http://127.0.0.1:8000/c/review/", SmallSite())
    assert 'class="place">Access to justice</a>' in html
    assert 'class="place">Mid-term review</a>' in html


def test_a_comment_link_on_another_site_stays_an_external_link():
    rendered = render_comment_body("https://evil.example/comment/5/", SmallSite())
    assert 'rel="nofollow ugc noopener"' in rendered.html
    assert "reference" not in rendered.html
    assert rendered.cited_comment_ids == frozenset()


def test_classes_cannot_be_smuggled_in_by_the_writer():
    html = html_of('<a class="mention" href="/u/x/">x</a> <span class="reference__excerpt">y</span>')
    assert elements_in(html) == [("p", set())]


# --- Excerpts ----------------------------------------------------------------


def test_an_excerpt_leaves_out_the_excerpts_of_the_comments_it_cites():
    body = (
        '<p>As said in <a href="/comment/5/" class="reference">Comment by Ngozi in Justice</a> '
        '<span class="reference__excerpt">“Secret words”</span> and '
        '<a href="/comment/6/" class="reference">here</a> '
        '<span class="reference__excerpt">(Comment by Ngozi in Justice: “More secret words”)</span>, I agree.</p>'
    )
    assert excerpt_of(body) == "As said in Comment by Ngozi in Justice and here, I agree."


@pytest.mark.parametrize(
    "cut_inside",
    ['<span class="reference__excerpt">“Secret', '<a href="/comment/5/" class="reference', "&amp", '<a title="x>y'],
)
def test_an_excerpt_read_from_a_cut_body_shows_no_cited_text_and_no_markup(cut_inside):
    # The body is read up to EXCERPT_SOURCE_LENGTH: here it ends inside the given piece.
    padding = "<p>" + "<em>a</em>" * ((EXCERPT_SOURCE_LENGTH - len(cut_inside) - 3) // 10)
    padding += " " * (EXCERPT_SOURCE_LENGTH - len(padding) - len(cut_inside))
    body = padding + cut_inside + " words" * 2000 + "”</span></a></p>"
    assert len(padding + cut_inside) == EXCERPT_SOURCE_LENGTH

    excerpt = excerpt_of(body, 10_000)

    assert excerpt.startswith("aaaa")
    assert excerpt.strip("a ") == ""


def test_an_excerpt_of_a_long_body_reads_only_its_beginning():
    body = "<p>Start here.</p>" + "<p>" + "x" * 100_000 + "</p>"
    assert excerpt_of(body, 20) == "Start here. xxxxxxx…"


# --- What one body may cost ----------------------------------------------------


class SiteWithOneLongComment(SiteWithNothing):
    """Comment 5 exists with a long body; the look-ups and the excerpts made are counted."""

    def __init__(self):
        self.asked_for = []

    def comments(self, ids):
        self.asked_for.append(set(ids))
        body = "<p>" + "Paralegals reach villages. " * 2_000 + "</p>"
        return {i: CitedComment(i, "Ngozi Okafor", "Access to justice", body, "visible") for i in ids if i in {5, 6}}


def test_links_to_our_comments_beyond_the_limit_stay_plain_links(settings):
    settings.FORUM_MAX_REFERENCES_PER_COMMENT = 3
    site = SiteWithOneLongComment()
    source = "/comment/6/ is not a link. " + " ".join(f"[{n}](/comment/{5 if n < 5 else 6}/)" for n in range(8))

    rendered = render_comment_body(source, site)

    assert rendered.html.count('class="reference"') == 3
    assert rendered.html.count("reference__excerpt") == 3
    assert '<a href="/comment/6/">7</a>' in rendered.html
    assert rendered.cited_comment_ids == {5}
    assert site.asked_for == [{5}]
    assert rendered.external_link_count == 0


def test_each_cited_comment_is_excerpted_once_however_often_it_is_cited(settings, monkeypatch):
    settings.FORUM_MAX_REFERENCES_PER_COMMENT = 50
    excerpts = []
    monkeypatch.setattr(rendering, "excerpt_of", lambda body_html, *args, **kwargs: excerpts.append(body_html) or "x")

    rendered = render_comment_body(" ".join(["[see](/comment/5/)"] * 40), SiteWithOneLongComment())

    assert rendered.html.count('class="reference"') == 40
    assert len(excerpts) == 1


@pytest.mark.parametrize(
    ("href", "route"),
    [
        ("/comment/7/", Route("comment", 7)),
        ("/comment/7", Route("comment", 7)),
        ("http://127.0.0.1:8000/comment/7?x=1#top", Route("comment", 7)),
        ("/c/review/access/#comment-7", Route("comment", 7, within=("room", ("review", "access")))),
        ("/c/review/access/?page=3#comment-7", Route("comment", 7, within=("room", ("review", "access")))),
        ("/c/review/access#comment-7", Route("comment", 7, within=("room", ("review", "access")))),
        (
            "/c/review/access/thread/5/?page=2#comment-7",
            Route("comment", 7, within=("thread", ("review", "access", 5))),
        ),
        ("/c/review/access/#comment-07", Route("room", ("review", "access"))),
        ("/c/review/access/#top", Route("room", ("review", "access"))),
        ("/c/review/access/thread/5/", None),
        ("/c/review/", Route("consultation", "review")),
        ("http://127.0.0.1:8000%2F@evil.example/c/review/access/#comment-7", None),
        ("//evil.example/comment/7", None),
        ("https:evil.example/comment/7", None),
    ],
)
def test_what_an_address_of_ours_points_to(href, route):
    assert route_of(href) == route
