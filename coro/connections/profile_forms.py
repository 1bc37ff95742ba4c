from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coro.connections.profile_services import AUDIENCE_MAX, server_normalise
from coro.networks import NETWORKS, Network
from coro.networks.mastodon import SERVER_MESSAGES

# Destinations nobody "follows": no audience to ask about.
NO_AUDIENCE = frozenset({"email", "copy"})
# Messengers: nobody follows anyone there, people have contacts (the audience asked is theirs).
CONTACTS = frozenset({"whatsapp", "telegram"})


def server_networks() -> list[Network]:
    """The networks whose share intent goes to the person's own server (Mastodon)."""
    return [n for n in NETWORKS.values() if n.needs_server]


def audience_networks() -> list[Network]:
    return [n for n in NETWORKS.values() if n.key not in NO_AUDIENCE]


def server_label(network: Network) -> str:
    return str(_("Your %(network)s server, e.g. mastodon.social") % {"network": network.label})


def audience_label(network: Network) -> str:
    """The short label of a network's audience field, under the fieldset's legend ("Roughly
    how many people follow you"): the network's name, or on a messenger its contacts."""
    if network.key in CONTACTS:
        return str(_("%(network)s (contacts)") % {"network": network.label})
    return str(network.label)


class ServerField(forms.CharField):
    """A Mastodon server, as people type or paste it (``server_normalise``). Its messages are
    every Mastodon server field's (``SERVER_MESSAGES``). No placeholder: the label gives the
    example, and grey text in the box reads as a value already there."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 253)
        kwargs.setdefault(
            "error_messages", {code: SERVER_MESSAGES[code] for code in ("required", "max_length")}
        )
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {
                "autocomplete": "url",
                "autocapitalize": "none",
                "spellcheck": "false",
                "inputmode": "url",
            }
        )

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "")
        return server_normalise(text) if text.strip() else ""


class ServerForm(forms.Form):
    """The person's server on a network whose share intent needs one (asked once), or where
    they connect their account: the one form for it (the share screen, connecting Mastodon).
    ``cleaned_data["server"]`` is the host ("mastodon.social")."""

    server = ServerField(required=True)

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["server"].label = server_label(network)
        self.fields["server"].help_text = _(
            "The part after the second @ in your handle (for @ana@mastodon.social, "
            "mastodon.social), or your profile's address."
        )

    def full_clean(self) -> None:
        super().full_clean()
        if self.errors:
            # After an htmx answer, the focus goes back to the field (coro.js).
            self.fields["server"].widget.attrs["data-focus-after-swap"] = ""


class ProfilesForm(forms.Form):
    """ "My networks": the person's servers and approximate audiences, every field optional."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for network in server_networks():
            self.fields[f"server_{network.key}"] = ServerField(
                required=False, label=server_label(network)
            )
        for network in audience_networks():
            # One legend and one hint for them all (the template's fieldset): short labels.
            field = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=AUDIENCE_MAX,
                label=audience_label(network),
            )
            field.widget.attrs.update({"inputmode": "numeric"})
            self.fields[f"audience_{network.key}"] = field

    def server_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("server_")]

    def audience_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("audience_")]

    def values(self) -> dict[str, tuple[str | None, int | None]]:
        """Per network: (server, or None where the network takes none; audience)."""
        data = self.cleaned_data
        keys = [n.key for n in server_networks()] + [n.key for n in audience_networks()]
        return {
            key: (
                data.get(f"server_{key}"),
                data.get(f"audience_{key}"),
            )
            for key in dict.fromkeys(keys)
        }
