from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from coro.notifications.models import Notification


class EmailChannel:
    key = "email"
    label = _("E-mail")
    reaches_out = True

    def deliver(self, notification: Notification) -> None:
        user = notification.user
        link = notification.link
        if link.startswith("/"):
            link = settings.BASE_URL + link
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = render_to_string(
                "notifications/email/notification_body.txt",
                {
                    "notification": notification,
                    "link": link,
                    "hours_link": settings.BASE_URL + reverse("me:working_hours"),
                },
            )
        subject = " ".join(notification.subject.split())  # no line breaks in a mail header
        send_mail(subject, body, None, [user.email])


CHANNEL = EmailChannel()
