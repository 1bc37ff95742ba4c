from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from coro.community.models import TARGET_MAX, Goal
from coro.community.selectors import organisation_big_enough
from coro.orgs.models import Organisation, Team


class GoalForm(forms.ModelForm[Goal]):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("For example: 2,000 visits to the careers page in March."),
    )
    metric = forms.ChoiceField(
        label=_("What counts"), choices=Goal.Metric.choices, initial=Goal.Metric.VISITS
    )
    team = forms.ModelChoiceField(
        label=_("Whose goal"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("The whole company"),
    )
    link_prefix = forms.URLField(
        label=_("Only links starting with (optional)"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "Count only posts whose link starts with this address, e.g. "
            "https://example.com/jobs. Leave it empty to count every post."
        ),
    )
    target = forms.IntegerField(label=_("Target"), min_value=1, max_value=TARGET_MAX)
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Both days count, in your organisation's time zone."),
    )

    class Meta:
        model = Goal
        fields = ["title", "metric", "team", "link_prefix", "target", "starts_on", "ends_on"]

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        team_field = self.fields["team"]
        assert isinstance(team_field, forms.ModelChoiceField)
        team_field.queryset = Team.objects.filter(organisation=organisation)
        size = {"size": organisation.min_group_size}
        help_text = (
            _(
                "A team needs at least %(size)s active members to have a goal, so nobody's "
                "activity stands out."
            )
            % size
        )
        if not organisation_big_enough(organisation):
            help_text += (
                " "
                + _(
                    "Your organisation has fewer than %(size)s active members: a company goal's "
                    "progress stays hidden until you are %(size)s."
                )
                % size
            )
        team_field.help_text = help_text
