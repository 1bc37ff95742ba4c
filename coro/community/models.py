"""Common goals: what a team or the whole company works toward together (charter rules 3
and 10). There are no individual goals: a goal belongs to a team or to everyone."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core.codes import new_code
from coro.orgs.models import Organisation, Team

TARGET_MAX = 1_000_000_000
# Goals live in these years: wider dates only risk overflows in time zone arithmetic.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
DAY_VALIDATORS = [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


class Goal(models.Model):
    """A collective target over a period, e.g. "2,000 visits to the careers page in March".

    The period is given in dates of the organisation's time zone, both days included.
    """

    class Metric(models.TextChoices):
        VISITS = "visits", _("Visits through shared links")
        SHARES = "shares", _("Shares made through Coro")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="goals")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    # None: the whole company. A team goal goes with its team.
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="goals"
    )
    title = models.CharField(_("title"), max_length=120)
    metric = models.CharField(_("what counts"), max_length=16, choices=Metric.choices)
    # Count only posts whose link starts with this ("" counts every post).
    link_prefix = models.CharField(
        _("only links starting with"),
        max_length=1000,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    target = models.PositiveIntegerField(
        _("target"), validators=[MinValueValidator(1), MaxValueValidator(TARGET_MAX)]
    )
    starts_on = models.DateField(_("first day"), validators=DAY_VALIDATORS)
    ends_on = models.DateField(_("last day"), validators=DAY_VALIDATORS)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ends_on", "title"]
        indexes = [models.Index(fields=["organisation", "ends_on"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        starts_on: date | None = self.starts_on
        ends_on: date | None = self.ends_on
        if starts_on and ends_on and ends_on < starts_on:
            raise ValidationError(
                {"ends_on": _("The last day can't be before the first day.")}, code="ends_early"
            )
