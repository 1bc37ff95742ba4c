from typing import Any, cast

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from coro.core.languages import language_choices


class WebAddressField(forms.URLField):
    """An http(s) address. Its one validator replaces URLField's (which also takes ftp://),
    so a bad address gets one message, not the same one twice."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class BlogFeedForm(forms.Form):
    url = WebAddressField(
        label=_("Feed address"),
        max_length=1000,
        assume_scheme="https",
        help_text=_(
            "The address of the blog's RSS or Atom feed, such as https://blog.example.com/feed/"
        ),
        error_messages={"invalid": _("Enter a web address starting with http:// or https://")},
    )
    language = forms.ChoiceField(
        label=_("Language of its articles"),
        help_text=_("The drafts are written in this language."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices()
