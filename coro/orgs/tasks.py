from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from coro.accounts.models import User
from coro.orgs.models import Invitation
from coro.orgs.tokens import invitation_token


@task()
def send_invitation_email(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    organisation = invitation.organisation
    # The invited person's own language if they already have an account and chose one, else
    # the organisation's; its dates (the link's expiry) in the organisation's time zone.
    own = User.objects.filter(email=invitation.email).values_list("language", flat=True).first()
    language = own or organisation.language or settings.LANGUAGE_CODE
    link = settings.BASE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])
    with translation.override(language), timezone.override(organisation.time_zone):
        context = {"invitation": invitation, "link": link}
        subject = render_to_string("orgs/email/invitation_subject.txt", context).strip()
        body = render_to_string("orgs/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
