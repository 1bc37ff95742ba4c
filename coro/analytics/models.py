"""Figures about who takes part are published as periodic releases with calibrated noise,
never computed live (docs/audit-and-privacy-rules.md, "Team figures").

- ``ReleasePolicy``: how often an organisation publishes, and its yearly privacy budget.
- ``ReleaseYear``: what is in effect for one calendar year (period, budget, the groups),
  fixed at the year's first release so that the privacy accounting holds.
- ``Release``: one published release: the figures everyone sees, and their date.
- ``ReleaseIncrement``, ``ReleaseNode``, ``ReflectedStatus``: the mechanism's own state
  (exact increments, noisy tree nodes drawn once, each person's clamped status). Never shown.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.orgs.models import Membership, Organisation


class ReleasePeriod(models.TextChoices):
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every three months")
    YEARLY = "yearly", _("Once a year")


# Releases in a calendar year (the tree's horizon), at most.
HORIZON = {
    ReleasePeriod.DAILY: 366,
    ReleasePeriod.WEEKLY: 53,
    ReleasePeriod.MONTHLY: 12,
    ReleasePeriod.QUARTERLY: 4,
    ReleasePeriod.YEARLY: 1,
}

EPSILON_MIN = Decimal("0.25")
EPSILON_MAX = Decimal("2.00")
EPSILON_DEFAULT = Decimal("1.00")


class ReleasePolicy(models.Model):
    """What an admin chose. It applies from the next calendar year once this year has had a
    release with other settings (the year's budget is fixed at its first release)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="release_policy"
    )
    period = models.CharField(
        _("how often"), max_length=16, choices=ReleasePeriod.choices, default=ReleasePeriod.WEEKLY
    )
    epsilon_year = models.DecimalField(
        _("privacy budget per person and year (ε)"),
        max_digits=4,
        decimal_places=2,
        default=EPSILON_DEFAULT,
        validators=[MinValueValidator(EPSILON_MIN), MaxValueValidator(EPSILON_MAX)],
    )

    def __str__(self) -> str:
        return f"{self.organisation}: {self.period}, ε {self.epsilon_year}"


class ReleaseYear(models.Model):
    """The settings and groups in effect for one calendar year, fixed at its first release."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=16, choices=ReleasePeriod.choices)
    epsilon_year = models.DecimalField(max_digits=4, decimal_places=2)
    horizon = models.PositiveSmallIntegerField()
    node_scale = models.FloatField()
    # [{"key": "t:<team code>" | "none" | "other", "name": ..., "teams": [codes]}]
    groups = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_release_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class Release(models.Model):
    """One published release. ``figures``: ``{"groups": [{"key", "name", "size",
    "participants"}], "participants": int}``, every number about participation noisy."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="releases"
    )
    year = models.PositiveSmallIntegerField()
    step = models.PositiveSmallIntegerField()
    released_at = models.DateTimeField(default=timezone.now)
    period = models.CharField(max_length=16, choices=ReleasePeriod.choices)
    epsilon_year = models.DecimalField(max_digits=4, decimal_places=2)
    # What someone who sees this release alone can learn about one person (ε of one release).
    epsilon_release = models.FloatField()
    figures = models.JSONField(default=dict)

    class Meta:
        ordering = ["-year", "-step"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "step"], name="one_release_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}/{self.step}"


class ReleaseIncrement(models.Model):
    """The exact change of one series at one step (joins minus leaves, clamped). Kept to
    sum the tree's nodes; never shown, exported or logged."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    series = models.CharField(max_length=64)
    step = models.PositiveSmallIntegerField()
    value = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "series", "step"], name="one_increment_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}/{self.step}"


class ReleaseNode(models.Model):
    """A node of the binary tree: its noisy sum, drawn once and never again."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    series = models.CharField(max_length=64)
    level = models.PositiveSmallIntegerField()
    index = models.PositiveSmallIntegerField()
    noisy_sum = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "series", "level", "index"],
                name="one_noisy_node",
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year} node {self.level}:{self.index}"


class ReflectedStatus(models.Model):
    """How one person counts in this year's figures: in or out, in which group, after how
    many changes. At most two a year (joining, then leaving) are reflected; later ones wait
    for the next year. When the membership is erased the row stays, anonymous."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=64, blank=True)
    counted = models.BooleanField(default=False)
    changes = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "year"], name="one_reflected_status_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {'counted' if self.counted else 'not counted'} ({self.changes})"


# Rollups of visits: what every dashboard reads instead of the raw visits --------------------


class VisitCounts(models.Model):
    """What every rollup of visits adds up, for one organisation. Its foreign keys have no
    index of their own: each rollup's (organisation, hour or day) index and its unique
    constraint, which starts with the post, cover them, and every index slows the writes."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    visits = models.PositiveIntegerField(default=0)
    new_visitors = models.PositiveIntegerField(default=0)
    previews = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class VisitHour(VisitCounts):
    """Visits, new visitors and previews of one post on one network, through the links of
    one team (``team`` is its code; blank: no team, or anonymous links), in one UTC hour.
    Kept when the raw visits are pruned. Maintained by ``rollups.rollup_run``."""

    post = models.ForeignKey(
        "content.Post", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    network = models.CharField(max_length=16)
    team = models.CharField(max_length=16, blank=True)
    hour = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "network", "team", "hour"], name="one_visit_hour"
            )
        ]
        indexes = [models.Index(fields=["organisation", "hour"])]

    def __str__(self) -> str:
        return f"{self.post_id} {self.network} {self.hour:%Y-%m-%d %H}h: {self.visits}"


class VisitDay(VisitCounts):
    """The same as ``VisitHour`` for one day of the organisation's own time zone."""

    post = models.ForeignKey(
        "content.Post", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    network = models.CharField(max_length=16)
    team = models.CharField(max_length=16, blank=True)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "network", "team", "day"], name="one_visit_day")
        ]
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self) -> str:
        return f"{self.post_id} {self.network} {self.day}: {self.visits}"


class PostDay(VisitCounts):
    """Visits of one post on one day of the organisation's time zone, all networks and teams
    together: what the dashboard's posts table reads (far fewer rows than ``VisitDay``)."""

    post = models.ForeignKey(
        "content.Post", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "day"], name="one_post_day")]
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self) -> str:
        return f"{self.post_id} {self.day}: {self.visits}"


class NetworkDay(VisitCounts):
    """Visits through one network on one day of the organisation's time zone, all posts and
    teams together: the dashboard's totals, days and networks (a dozen rows a day)."""

    network = models.CharField(max_length=16)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "network"], name="one_network_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.day}: {self.visits}"


class ShareVisits(models.Model):
    """All the visits and previews of one tracked link: what its sharer sees as their own
    impact (never shown to anyone else by name)."""

    share = models.OneToOneField(
        "sharing.Share", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    visits = models.PositiveIntegerField(default=0)
    previews = models.PositiveIntegerField(default=0)
    last_visit_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.share_id}: {self.visits}"


class RollupCursor(models.Model):
    """The last raw row (by id) already added to the rollups, per kind of row."""

    name = models.CharField(max_length=32, unique=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} up to {self.last_id}"
