"""Forms for reacting, commenting and hiding a comment; the rules are in ``community``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coro.content.community import COMMENT_MAX_LENGTH, HIDE_REASON_MAX_LENGTH
from coro.content.models import Reaction


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write something first.")},
    )
    # The code of the comment this one answers, if it is a reply.
    parent = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)


class CommentHideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you hiding it?"),
        help_text=_("Everyone sees this reason in place of the comment."),
        max_length=HIDE_REASON_MAX_LENGTH,
        error_messages={"required": _("Say why, so people understand.")},
    )
