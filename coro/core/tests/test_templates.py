"""Django's ``{# ... #}`` comments end on their own line: one left open would show on the page."""

from pathlib import Path

import coro

TEMPLATES = sorted(Path(coro.__file__).parent.glob("templates/**/*.html"))


def test_every_short_comment_closes_on_its_line():
    open_comments = [
        f"{path.relative_to(Path(coro.__file__).parent)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert TEMPLATES and open_comments == []
