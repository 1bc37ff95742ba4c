"""The invitation e-mail speaks the organisation's default language (the invited person has
none of their own yet) and gives its dates in the organisation's time zone."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from coro.orgs.models import Organisation
from coro.orgs.tasks import send_invitation_email
from testing.factories import InvitationFactory, UserFactory

SUBJECTS = {
    "en": "You are invited to",
    "es": "Te han invitado a",
    "ca": "T'han convidat a",
}


def send(invitation) -> mail.EmailMessage:
    send_invitation_email.enqueue(invitation.pk)
    assert len(mail.outbox) == 1
    return mail.outbox[0]


@pytest.mark.parametrize("language", ["en", "ca"])
def test_the_email_uses_the_organisations_language_not_the_inviters(tenancy, language):
    Organisation.objects.filter(pk=tenancy.org.pk).update(language=language)
    inviter = tenancy.admin.user
    inviter.language = "es"
    inviter.save(update_fields=["language"])
    invitation = InvitationFactory(organisation=tenancy.org, invited_by=inviter)
    message = send(invitation)
    assert message.subject.startswith(SUBJECTS[language]), message.subject


def test_someone_with_an_account_and_a_language_gets_their_own(tenancy):
    Organisation.objects.filter(pk=tenancy.org.pk).update(language="ca")
    UserFactory(email="nuria@example.com", language="en")
    message = send(InvitationFactory(organisation=tenancy.org, email="nuria@example.com"))
    assert message.subject.startswith(SUBJECTS["en"])


@pytest.mark.parametrize(
    ("zone", "day"), [("Europe/Madrid", "March 11"), ("America/Los_Angeles", "March 10")]
)
def test_the_expiry_date_is_in_the_organisations_time_zone(tenancy, zone, day):
    Organisation.objects.filter(pk=tenancy.org.pk).update(language="en", time_zone=zone)
    expires = datetime(
        2026, 3, 11, 0, 30, tzinfo=UTC
    )  # 01:30 in Madrid, 17:30 the day before in LA
    message = send(InvitationFactory(organisation=tenancy.org, expires_at=expires))
    assert f"expires on {day}, 2026" in message.body, message.body
