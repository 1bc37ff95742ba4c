"""The admins' choice of how often team figures are published and how private they are."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from coro.analytics.models import EPSILON_MAX, EPSILON_MIN, ReleasePeriod

EPSILON_STEP = Decimal("0.05")


class ReleaseSettingsForm(forms.Form):
    period = forms.ChoiceField(
        label=_("How often"),
        choices=ReleasePeriod.choices,
        error_messages={"invalid_choice": _("Choose one of the periods offered.")},
    )
    epsilon_year = forms.DecimalField(
        label=_("Yearly privacy budget (ε)"),
        min_value=EPSILON_MIN,
        max_value=EPSILON_MAX,
        step_size=EPSILON_STEP,
        max_digits=4,
        decimal_places=2,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One clear message for any value out of range, off the steps or not a number
        # (and none of Django's formal Spanish wording).
        wrong = _("Enter a number from %(low)s to %(high)s, in steps of %(step)s.") % {
            "low": number_format(EPSILON_MIN, 2),
            "high": number_format(EPSILON_MAX, 2),
            "step": number_format(EPSILON_STEP, 2),
        }
        field = self.fields["epsilon_year"]
        field.help_text = _(
            "Lower is more private. It limits what anyone can learn about one person's choice "
            "from all the figures of a calendar year together."
        )
        for code in (
            "invalid",
            "min_value",
            "max_value",
            "step_size",
            "max_digits",
            "max_decimal_places",
            "max_whole_digits",
        ):
            field.error_messages[code] = wrong

    def clean_period(self) -> ReleasePeriod:
        return ReleasePeriod(self.cleaned_data["period"])

    def clean_epsilon_year(self) -> Decimal:
        value: Decimal = self.cleaned_data["epsilon_year"]
        return value.quantize(Decimal("0.01"))  # "2" is shown and stored as 2.00


class ReleaseSettingsConfirmForm(ReleaseSettingsForm):
    """The previewed values again, unchanged (hidden), and the admin's explicit consent."""

    confirm = forms.BooleanField(
        label=_("I have read the preview: save these settings."),
        error_messages={"required": _("Tick the box to save the settings you previewed.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_confirm_%s")  # shown on the page with the first form
        super().__init__(*args, **kwargs)
        self.fields["period"].widget = forms.HiddenInput()
        self.fields["epsilon_year"].widget = forms.HiddenInput()
