from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from coro.orgs.models import Invitation
from coro.orgs.tokens import invitation_token


@task()
def send_invitation_email(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return
    inviter = invitation.invited_by
    language = (inviter.language if inviter else "") or settings.LANGUAGE_CODE
    link = settings.BASE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])
    with translation.override(language):
        context = {"invitation": invitation, "link": link}
        subject = render_to_string("orgs/email/invitation_subject.txt", context).strip()
        body = render_to_string("orgs/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
