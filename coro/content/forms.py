"""The editor's form for a post and the employees' form for a proposal."""

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.content import selectors, services
from coro.content.counter import CountedTextarea
from coro.content.models import Post, Topic
from coro.core.languages import language_choices, language_codes, language_name
from coro.networks import NETWORKS
from coro.orgs.models import Organisation, Team

TITLE_MAX = 200
BODY_MAX = 10_000
SUGGESTION_MAX = 5_000
MARKDOWN_HELP = gettext_lazy("You can use Markdown: **bold**, lists, links.")


def suggestion_widget(network_key: str, organisation: Organisation, **kwargs: Any) -> forms.Widget:
    """A text area with a live counter of what is left under the network's own rules, once
    the disclosure is added and a tracked link goes with it."""
    return CountedTextarea(
        network_key, org_code=organisation.code, disclosure=True, attrs={"rows": 3}, **kwargs
    )


def link_field() -> forms.URLField:
    return forms.URLField(
        label=gettext_lazy("Link"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        # People will open it from their networks: web addresses only, no ftp: or the like.
        validators=[URLValidator(schemes=["http", "https"])],
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def form_errors_add(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class PostForm(forms.Form):
    """A post in every language: main language, title, text and suggested texts per network."""

    language = forms.ChoiceField(label=gettext_lazy("Main language"), choices=language_choices)
    link = link_field()
    topics = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Topics"),
        queryset=Topic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_topics = forms.CharField(
        label=gettext_lazy("New topics"),
        required=False,
        max_length=600,
        help_text=gettext_lazy("Separate them with commas."),
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams it is for"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Pick none and everyone sees it."),
    )
    pinned = forms.BooleanField(label=gettext_lazy("Pin it to the top of the feed"), required=False)
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Publish at"), required=False, widget=DateTimeLocalInput()
    )
    expire_at = forms.DateTimeField(
        label=gettext_lazy("Take it down at"), required=False, widget=DateTimeLocalInput()
    )

    def __init__(
        self, data: Any = None, *, organisation: Organisation, post: Post | None = None
    ) -> None:
        self.organisation, self.post = organisation, post
        super().__init__(data, initial=self._initial(organisation, post), label_suffix="")
        topics = self.fields["topics"]
        teams = self.fields["teams"]
        assert isinstance(topics, forms.ModelMultipleChoiceField)
        assert isinstance(teams, forms.ModelMultipleChoiceField)
        topics.queryset = selectors.topics_of(organisation)
        teams.queryset = selectors.teams_of(organisation)
        for code in language_codes():
            name = language_name(code)
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": name},
                required=False,
                max_length=TITLE_MAX,
            )
            self.fields[f"body_{code}"] = forms.CharField(
                label=_("Text (%(language)s)") % {"language": name},
                required=False,
                max_length=BODY_MAX,
                help_text=MARKDOWN_HELP,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
            for key, network in NETWORKS.items():
                self.fields[f"suggestion_{code}_{key}"] = forms.CharField(
                    label=_("Suggested text for %(network)s (%(language)s)")
                    % {"network": network.label, "language": name},
                    required=False,
                    max_length=SUGGESTION_MAX,
                    widget=suggestion_widget(key, organisation, language=code),
                )
        if post is not None and services.link_is_locked(post):
            self.fields["link"].disabled = True
            self.fields["link"].help_text = services.LINK_LOCKED

    @staticmethod
    def _initial(organisation: Organisation, post: Post | None) -> dict[str, Any]:
        if post is None:
            return {"language": organisation.language}
        initial: dict[str, Any] = {
            "language": post.language,
            "link": post.link,
            "topics": list(post.topics.all()),
            "teams": list(post.teams.all()),
            "pinned": post.pinned,
            "publish_at": post.publish_at,
            "expire_at": post.expire_at,
        }
        for code, parts in post.texts.items():
            initial[f"title_{code}"] = parts.get("title", "")
            initial[f"body_{code}"] = parts.get("body", "")
        for code, per_network in post.suggestions.items():
            for key, text in per_network.items():
                initial[f"suggestion_{code}_{key}"] = text
        return initial

    @property
    def main_language(self) -> str:
        value = self.data.get("language") if self.is_bound else self.initial.get("language")
        return str(value or self.organisation.language)

    def language_sections(self) -> list[dict[str, Any]]:
        """One section per language, the main one first, for the template."""
        codes = sorted(language_codes(), key=lambda code: code != self.main_language)
        return [
            {
                "code": code,
                "name": language_name(code),
                "main": code == self.main_language,
                "title": self[f"title_{code}"],
                "body": self[f"body_{code}"],
                "suggestions": [self[f"suggestion_{code}_{key}"] for key in NETWORKS],
                "has_errors": any(
                    self.errors.get(name)
                    for name in self.fields
                    if name.startswith((f"title_{code}", f"body_{code}", f"suggestion_{code}_"))
                ),
            }
            for code in codes
        ]

    def clean_new_topics(self) -> list[str]:
        return services.topic_names_parse(self.cleaned_data.get("new_topics", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        language = data.get("language")
        for code in language_codes():
            title, body = data.get(f"title_{code}", ""), data.get(f"body_{code}", "")
            if body.strip() and not title.strip():
                self.add_error(f"title_{code}", _("Give this text a title."))
        if language and not data.get(f"title_{language}", "").strip():
            self.add_error(
                f"title_{language}",
                _("Write a title in the main language, or pick the language you wrote in."),
            )
        publish_at, expire_at = data.get("publish_at"), data.get("expire_at")
        if publish_at and expire_at and expire_at <= publish_at:
            self.add_error("expire_at", _("The post must expire after it is published."))
        for code in language_codes():
            for key in NETWORKS:
                name = f"suggestion_{code}_{key}"
                text = (data.get(name) or "").strip()
                if not text:
                    continue
                try:
                    services.suggestion_check(
                        organisation=self.organisation, network_key=key, language=code, text=text
                    )
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    def publish_at_is_future(self) -> bool:
        publish_at: datetime | None = self.cleaned_data.get("publish_at")
        return publish_at is not None and publish_at > timezone.now()

    def post_data(self) -> dict[str, Any]:
        """What the services take, from the cleaned form."""
        data = self.cleaned_data
        codes = language_codes()
        return {
            "language": data["language"],
            "texts": {
                code: {"title": data[f"title_{code}"], "body": data[f"body_{code}"]}
                for code in codes
            },
            "suggestions": {
                code: {key: data[f"suggestion_{code}_{key}"] for key in NETWORKS} for code in codes
            },
            "link": data.get("link") or "",
            "topics": list(data.get("topics") or []),
            "new_topics": data.get("new_topics") or [],
            "teams": list(data.get("teams") or []),
            "pinned": bool(data.get("pinned")),
            "publish_at": data.get("publish_at"),
            "expire_at": data.get("expire_at"),
        }


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
        widget=forms.Textarea(attrs={"rows": 3}),
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
        # One text for every network: its counter shows the strictest, X's.
        self.fields["suggestion"].widget = suggestion_widget(
            "x", organisation, language_field="language"
        )
        if post is not None and services.link_is_locked(post):
            self.fields["link"].disabled = True
            self.fields["link"].help_text = services.LINK_LOCKED

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("suggestion") or "").strip()
        if text and data.get("language"):
            for key in NETWORKS:
                try:
                    services.suggestion_check(
                        organisation=self.organisation,
                        network_key=key,
                        language=data["language"],
                        text=text,
                    )
                except ValidationError as error:
                    self.add_error("suggestion", error)
                    break
        return data

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
