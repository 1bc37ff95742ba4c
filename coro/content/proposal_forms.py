"""The employees' form for a proposal, and the editors' form to decline one."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from coro.content.forms import (
    BODY_MAX,
    MARKDOWN_HELP,
    SUGGESTION_MAX,
    TITLE_MAX,
    link_field,
    link_lock,
    suggestion_widget,
)
from coro.content.models import Post
from coro.core.languages import language_choices
from coro.networks import NETWORKS
from coro.orgs.models import Organisation

# One suggested text for every network: its counter counts as the strictest one does.
COUNTED_AS = "x"


class ProposalForm(forms.Form):
    """What an employee proposes: a title, a text, a link and, if they like, a suggested text
    for sharing."""

    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=language_choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=BODY_MAX,
        required=False,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    link = link_field()
    suggestion = forms.CharField(
        label=gettext_lazy("Suggested text for sharing (optional)"),
        required=False,
        max_length=SUGGESTION_MAX,
        help_text=gettext_lazy("What colleagues could write when they pass it on."),
    )

    def __init__(
        self, data: Any = None, *, organisation: Organisation, post: Post | None = None
    ) -> None:
        self.organisation, self.post = organisation, post
        initial: dict[str, Any] = {"language": organisation.language}
        if post is not None:
            text = post.text(post.language)
            initial = {
                "language": post.language,
                "title": text["title"],
                "body": text["body"],
                "link": post.link,
                "suggestion": next(iter(post.suggestions.get(post.language, {}).values()), ""),
            }
        super().__init__(data, initial=initial, label_suffix="")
        widget = suggestion_widget(
            COUNTED_AS, organisation, language_field="language", show_network=True
        )
        language = self.data.get("language") if self.is_bound else initial["language"]
        widget.language = str(language or organisation.language)
        self.fields["suggestion"].widget = widget
        self.locked_link = link_lock(self, post)

    def clean_link(self) -> str:
        if self.locked_link is not None:
            return self.locked_link
        return str(self.cleaned_data.get("link") or "")

    @staticmethod
    def error_field(key: str) -> str:
        """The field a service's refusal is about (the first suggestion error is enough:
        it is the same text for every network)."""
        if key.startswith("texts."):
            return "title"
        if key.startswith("suggestions."):
            return "suggestion"
        return key

    def post_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        language = data["language"]
        text = data.get("suggestion") or ""
        return {
            "language": language,
            "texts": {language: {"title": data["title"], "body": data.get("body") or ""}},
            "suggestions": {language: {key: text for key in NETWORKS}},
            "link": data.get("link") or "",
        }


class DeclineForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Message to the proposer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Say why, kindly, so they can improve it or try another idea."),
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, label_suffix="")
