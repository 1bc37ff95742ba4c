"""The registry of notification channels: the holding code names none of them."""

from datetime import time
from pathlib import Path

import pytest
from django.core import mail

from coro.notifications import channels
from coro.notifications.channels.base import Channel
from coro.notifications.models import Notification
from coro.notifications.services import notification_hold, notification_send


def test_every_channel_is_one_module_with_its_key():
    assert set(channels.CHANNELS) == {"email", "in_app"}
    for key, channel in channels.CHANNELS.items():
        assert channel.key == key
        assert str(channel.label)
    assert channels.QUIET_CHANNEL in channels.CHANNELS
    assert not channels.CHANNELS[channels.QUIET_CHANNEL].reaches_out


def test_the_holding_code_knows_no_channel_by_name():
    source = (Path(channels.__file__).parent.parent / "services.py").read_text()
    for key in channels.CHANNELS:
        assert f'"{key}"' not in source
    assert "send_mail" not in source


class Recorder:
    key = "recorder"
    label = "Recorder"
    reaches_out = True

    def __init__(self) -> None:
        self.delivered: list[int] = []

    def deliver(self, notification: Notification) -> None:
        self.delivered.append(notification.pk)


@pytest.mark.django_db
def test_a_new_channel_plugs_in_without_touching_the_holding_code(monkeypatch, tenancy):
    recorder: Channel = Recorder()
    monkeypatch.setitem(channels.CHANNELS, "recorder", recorder)
    monkeypatch.setattr(channels, "channel_for", lambda notification: recorder)
    user = tenancy.employee.user
    user.work_days = "1234567"
    user.work_start, user.work_end = time(0, 0), time(23, 59)
    user.save()
    notification = notification_hold(
        user=user,
        organisation=tenancy.org,
        kind=Notification.Kind.TERMS_UPDATED,
        subject="Hola",
        body="Texto",
    )
    notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.channel == "recorder"
    assert recorder.delivered == [notification.pk]
    assert mail.outbox == []
