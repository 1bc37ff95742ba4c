"""Post texts: Markdown in, safe HTML out, whatever the text holds."""

from html.parser import HTMLParser

import pytest
from django.utils.safestring import SafeString

from coro.content.markdown import ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def elements_of(html: str) -> tuple[set[str], set[str]]:
    """The tags and attribute names a browser would actually build from ``html``."""
    parser = _Elements()
    parser.feed(html)
    return parser.tags, parser.attributes


def test_plain_markdown_renders():
    html = render_markdown("**Bold** and _soft_\n\n- one\n- two\n\n> quoted")
    assert isinstance(html, SafeString)
    assert "<strong>Bold</strong>" in html
    assert "<em>soft</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<blockquote>" in html


def test_headings_sit_below_the_post_title():
    html = render_markdown("# Big\n\n## Less\n\n### Small\n\n###### Tiny")
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>Big</h3>" in html and "<h3>Less</h3>" in html
    assert "<h4>Small</h4>" in html and "<h4>Tiny</h4>" in html


def test_links_get_a_safe_rel():
    html = render_markdown("[Our shop](https://example.com/shop)")
    assert 'href="https://example.com/shop"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_mailto_links_are_kept():
    assert 'href="mailto:hola@example.com"' in render_markdown("[Write](mailto:hola@example.com)")


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hi <script>alert(1)</script> there",
        "```\n</code></pre><script>alert(1)</script>\n```",
    ],
)
def test_script_tags_never_survive(text):
    html = render_markdown(text)
    assert "<script" not in html.lower()
    assert "script" not in elements_of(html)[0]


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JAVASCRIPT:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
    ],
)
def test_dangerous_link_schemes_never_become_links(text):
    html = render_markdown(text)
    tags, attributes = elements_of(html)
    assert "a" not in tags
    assert "href" not in attributes


@pytest.mark.parametrize(
    "text",
    [
        '<img src="x" onerror="alert(1)">',
        "![x](https://example.com/x.png)",
        '![x" onerror="alert(1)](https://example.com/x.png)',
        '<svg onload="alert(1)">',
        '<iframe src="https://example.com"></iframe>',
        '<p style="position:fixed">over</p>',
        '<div onclick="alert(1)">hi</div>',
        "<!-- a comment -->",
    ],
)
def test_raw_html_and_images_are_only_text(text):
    html = render_markdown(text)
    tags, attributes = elements_of(html)
    assert tags <= ALLOWED_TAGS
    assert attributes <= {"href", "rel", "title", "start"}
    assert "<!--" not in html


def test_raw_html_shows_as_the_words_that_were_typed():
    assert "&lt;b&gt;raw&lt;/b&gt;" in render_markdown("<b>raw</b>")


def test_a_long_word_is_kept_whole_for_the_css_to_wrap():
    word = "Supercalifragilistico" * 20
    assert word in render_markdown(word)


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
