from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core.codes import new_code
from coro.orgs.models import Membership, Organisation


class Post(models.Model):
    """A message the company would like heard, with a link to pass on."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="posts")
    code = models.CharField(max_length=16, unique=True, default=new_code, editable=False)
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=3000)
    link = models.URLField(_("link"), max_length=1000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        indexes = [models.Index(fields=["organisation", "status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
