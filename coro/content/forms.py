"""The editor's form for a post, and what the proposal form shares with it.

The rules live in the services: a form checks only what its fields are (a web address, a
date, a choice) and shows a service's refusal on the field it is about (``service_errors_add``).
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coro.content import selectors, services
from coro.content.counter import CountedTextarea
from coro.content.models import Post, Topic
from coro.core.languages import language_choices, language_codes, language_name
from coro.core.targets import validate_target
from coro.networks import NETWORKS
from coro.orgs.models import Organisation, Team

TITLE_MAX = 200
BODY_MAX = 10_000
SUGGESTION_MAX = 5_000
MARKDOWN_HELP = gettext_lazy("You can use Markdown: **bold**, lists, links.")


def suggestion_widget(
    network_key: str, organisation: Organisation, **kwargs: Any
) -> CountedTextarea:
    """A text area with a live counter of what is left under the network's own rules, once
    the disclosure is added and a tracked link goes with it."""
    return CountedTextarea(
        network_key,
        org_code=organisation.code,
        organisation=organisation,
        disclosure=True,
        attrs={"rows": 3},
        **kwargs,
    )


_web_address = URLValidator(schemes=["http", "https"])


def web_link_validate(value: str) -> None:
    """A web address (``URLValidator``'s message if not), that tracked links may lead to
    (``core.targets``: never Coro's own host)."""
    _web_address(value)
    validate_target(value)


class WebLinkField(forms.URLField):
    # People will open it from their networks through tracked links: web addresses only,
    # no ftp: or the like, never Coro itself. It replaces URLField's own validator, and
    # checks one thing after the other, so a bad address gets one message, not two.
    default_validators = [web_link_validate]


def link_field() -> forms.URLField:
    return WebLinkField(
        label=gettext_lazy("Link"), required=False, max_length=1000, assume_scheme="https"
    )


def link_lock(form: forms.Form, post: Post | None) -> str | None:
    """Once the post is shared its link cannot change: the field is read-only, and the
    form keeps the post's own link (returned here) whatever comes back."""
    if post is None or not services.link_is_locked(post):
        return None
    field = form.fields["link"]
    field.validators = []  # the stored link is kept as it is, whatever the field holds
    field.widget.attrs.update({"readonly": True, "class": "input-readonly"})
    field.help_text = services.LINK_LOCKED
    return post.link


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def form_errors_add(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal shown on the form: on the field it is about, when the form has
    one (``form.error_field(key)`` translates the service's keys), otherwise above it. A field
    that already shows an error keeps just that one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    error_field = getattr(form, "error_field", None)
    for key, errors in error.error_dict.items():
        field = error_field(key) if error_field else key
        if field not in form.fields:
            form.add_error(None, errors)
        elif field not in form.errors:
            form.add_error(field, errors)


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
        self.locked_link = link_lock(self, post)

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

    def clean_link(self) -> str:
        if self.locked_link is not None:
            return self.locked_link
        return str(self.cleaned_data.get("link") or "")

    @staticmethod
    def error_field(key: str) -> str:
        """The field a service's refusal is about: ``texts.es`` is ``title_es``,
        ``suggestions.es.x`` is ``suggestion_es_x``."""
        parts = key.split(".")
        if parts[0] == "texts" and len(parts) == 2:
            return f"title_{parts[1]}"
        if parts[0] == "suggestions" and len(parts) == 3:
            return f"suggestion_{parts[1]}_{parts[2]}"
        return key

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
