from datetime import time
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coro.core.languages import validate_language


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. What they do inside an organisation hangs off their Membership."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    # Blank until the person chooses: until then their browser's language is used.
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", validators=[validate_language]
    )
    # Right to disconnect: notifications reach the person only inside these hours.
    work_days = models.CharField(
        _("working days"), max_length=7, default="12345", help_text=_("ISO weekdays, 1 = Monday.")
    )
    work_start = models.TimeField(_("working hours start"), default=time(9, 0))
    work_end = models.TimeField(_("working hours end"), default=time(18, 0))
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email
