"""The live character counter: what is left of a network's limit, as that network counts.

The page and the server agree by construction: the counter view and the server-side check
(``counted_text_validate``) build the text the same way (``counted_text``) and ask the same
``Network`` (coro/networks) how it counts.

Using it for a field in your form (the post editor, the share screen)::

    from coro.content.counter import CountedTextarea, counted_text_validate

    class SuggestionsForm(forms.Form):
        def __init__(self, *args: Any, request: HttpRequest, organisation: Organisation,
                     **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.request, self.organisation = request, organisation
            self.fields["suggestion_es_x"] = forms.CharField(
                required=False,
                widget=CountedTextarea(
                    "x",                      # the network's key in coro.networks.NETWORKS
                    org_code=organisation.code,
                    organisation=organisation,  # the first count is rendered with the page
                    language="es",            # or language_field="language": a field's name
                    disclosure=True,          # the text goes out followed by the disclosure
                    link_field=None,          # or the name of a field holding the link
                    show_network=False,       # True: "X: 228 characters left"
                ),
            )

        def clean_suggestion_es_x(self) -> str:
            text: str = self.cleaned_data["suggestion_es_x"]
            # The same check the counter shows; raises ValidationError when it does not fit.
            counted_text_validate(
                NETWORKS["x"],
                text,
                link=tracked_link_example(),  # or the person's tracked link
                organisation=self.organisation,
                language="es",
                disclosure=True,
            )
            return text

Put it in a ``<form>`` rendered by a page extending base.html: the page's ``<body>`` sends the
CSRF token with every htmx request (``hx-headers``), and htmx posts the whole form, so the
link and language fields are sent along (``hx-include`` names them too, for a textarea
outside a form). Right after the textarea the widget renders ``<p class="counter"
aria-live="polite">`` ("228 characters left", "12 over the limit"); the textarea points to
it with ``aria-describedby``. Given ``organisation``, the widget renders the first count
with the page (for the text, language and link it knows: set ``widget.language`` and
``widget.count_link`` when they come from other fields) and asks the server only as the
person types; without it, each counter asks once the page loads. Without JavaScript the
counter shows the count of the text as the page was rendered, and the server check still
refuses a text that does not fit.

The link: on the share screen pass ``link_field`` naming the field with the person's tracked
link. In the editor leave it out: the counter then counts a tracked link of this site
(``/r/`` and a 10-character code, ``tracked_link_example``), which is what every share
carries, never the post's own link. Everything that counts a suggested text builds that link
with ``tracked_link_example`` (and a real one with ``tracked_link``), so the page and the
server always count the same link.
"""

import json
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coro.networks import MAX_TEXT, Network, get_network, text_validate
from coro.networks.links import tracked_link_example
from coro.orgs.access import org_view
from coro.orgs.disclosure import disclosure_text
from coro.orgs.models import Membership, Organisation

SEPARATOR = "\n\n"
# Longer texts are not counted (counting X's URLs in a very long text is slow); no network
# that has a limit allows anything close.
MAX_COUNTED = MAX_TEXT
# Tracked links' codes have 10 characters (coro.core.codes.new_code).


def counted_text(
    text: str, *, organisation: Organisation, language: str | None, disclosure: bool
) -> str:
    """The text as it goes out: stripped, and followed by the organisation's disclosure for
    that language after a blank line when asked (and when the organisation has one on)."""
    body = text.strip()
    tail = disclosure_text(organisation, language) if disclosure else None
    return SEPARATOR.join(part for part in (body, tail) if part)


def counted_text_validate(
    network: Network,
    text: str,
    *,
    link: str,
    organisation: Organisation,
    language: str | None,
    disclosure: bool,
) -> None:
    """The server-side check of a counted field: the same count the counter shows."""
    full = counted_text(text, organisation=organisation, language=language, disclosure=disclosure)
    text_validate(network, full, link)


def counter_message(remaining: int | None, network: Network | None = None) -> str:
    """What the counter says; with ``network``, it names it ("X: 12 characters left")."""
    if remaining is None:
        message = _("No length limit")
    elif remaining >= 0:
        message = ngettext("%(count)s character left", "%(count)s characters left", remaining) % {
            "count": remaining
        }
    else:
        over = -remaining
        message = ngettext("%(count)s over the limit", "%(count)s over the limit", over) % {
            "count": over
        }
    if network is None:
        return message
    return _("%(network)s: %(message)s") % {"network": network.label, "message": message}


def counter_state(
    network: Network,
    text: str,
    *,
    link: str,
    organisation: Organisation,
    language: str | None,
    disclosure: bool,
    show_network: bool = False,
) -> dict[str, Any]:
    """What the counter shows for this text (the context of ``_counter.html``)."""
    named = network if show_network else None
    if network.max_length is None:
        return {"message": counter_message(None, named), "over": False}
    if len(text) > MAX_COUNTED:
        return {"message": _("This text is far too long."), "over": True}
    full = counted_text(text, organisation=organisation, language=language, disclosure=disclosure)
    remaining = network.remaining(full, link)
    return {
        "message": counter_message(remaining, named),
        "over": remaining is not None and remaining < 0,
    }


def _counter(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    return render(request, "content/_counter.html", context, status=status)


def count_response(
    request: HttpRequest, membership: Membership, network: Network | None
) -> HttpResponse:
    """The counter fragment for ``network``'s limit (None: a network Coro does not know). The
    text is read from the field named by ``text_field`` (default ``text``), the link from
    ``link_field`` (default ``link``; empty: a tracked link of this site) and the language
    from ``language_field`` (default ``language``); ``disclosure=1`` adds the disclosure;
    ``show_network=1`` names the network. A counter endpoint of its own (``count_url``, such
    as the share screen's, which counts with the person's own server) answers with this."""
    data = request.POST
    if network is None:
        message = _("Coro does not know this network.")
        return _counter(request, {"message": message, "over": True}, status=400)
    link_field = data.get("link_field", "link")
    link = (data.get(link_field, "") if link_field else "").strip() or tracked_link_example()
    state = counter_state(
        network,
        data.get(data.get("text_field") or "text", ""),
        link=link,
        organisation=membership.organisation,
        language=data.get(data.get("language_field") or "language") or None,
        disclosure=data.get("disclosure") == "1",
        show_network=data.get("show_network") == "1",
    )
    return _counter(request, state)


@org_view()
@require_POST
def text_count(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The counter fragment for the registry's ``network`` (see ``count_response``)."""
    return count_response(request, membership, get_network(request.POST.get("network", "")))


class CountedTextarea(forms.Textarea):
    """A textarea followed by a live counter of what is left under ``network_key``'s limit
    (see the module's docstring for how to use it). ``network`` counts with another rule than
    the registry's (a person's own Mastodon server's): it makes the first count, and
    ``count_url`` names the endpoint that counts the same way as the person types."""

    def __init__(
        self,
        network_key: str,
        *,
        org_code: str,
        organisation: Organisation | None = None,
        network: Network | None = None,
        count_url: str | None = None,
        link_field: str | None = None,
        language: str | None = None,
        language_field: str | None = None,
        disclosure: bool = False,
        show_network: bool = False,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.network_key = network_key
        self.org_code = org_code
        self.organisation = organisation
        self.network = network
        self.count_url = count_url
        self.link_field = link_field
        self.language = language
        self.language_field = language_field
        self.disclosure = disclosure
        self.show_network = show_network
        # The link counted in the first count (None: a tracked link of this site).
        self.count_link: str | None = None

    def counter_attrs(self, name: str, counter_id: str) -> dict[str, str]:
        values = {
            "network": self.network_key,
            "text_field": name,
            "link_field": self.link_field or "",
            "disclosure": "1" if self.disclosure else "0",
        }
        if self.show_network:
            values["show_network"] = "1"
        if self.language_field:
            values["language_field"] = self.language_field
        elif self.language:
            values["language"] = self.language
        # With the first count in the page, the server is asked only as the person types.
        trigger = "input changed delay:150ms" + ("" if self.organisation else ", load")
        attrs = {
            "hx-post": self.count_url
            or reverse("content:text_count", kwargs={"org_code": self.org_code}),
            "hx-trigger": trigger,
            "hx-target": f"#{counter_id}",
            "hx-swap": "innerHTML",
            # A newer keystroke cancels the answer to an older one.
            "hx-sync": "this:replace",
            "hx-vals": json.dumps(values),
        }
        included = [field for field in (self.link_field, self.language_field) if field]
        if included:
            attrs["hx-include"] = ", ".join(f"[name='{field}']" for field in included)
        return attrs

    def first_count(self, value: Any) -> str:
        """The counter's first words, rendered with the page ("" without ``organisation``)."""
        network = self.network or get_network(self.network_key)
        if self.organisation is None or network is None:
            return ""
        state = counter_state(
            network,
            str(value or ""),
            link=self.count_link or tracked_link_example(),
            organisation=self.organisation,
            language=self.language,
            disclosure=self.disclosure,
            show_network=self.show_network,
        )
        return render_to_string("content/_counter.html", state).strip()

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        attrs = dict(attrs or {})
        counter_id = f"{attrs.get('id') or 'id_' + name}-counter"
        # What the form describes the field with (help, errors), what the widget was given
        # (a hints region), and the counter: all of them, once each.
        parts = [attrs.get("aria-describedby"), self.attrs.get("aria-describedby"), counter_id]
        described_by = " ".join(dict.fromkeys(p for part in parts if part for p in part.split()))
        attrs.update(self.counter_attrs(name, counter_id), **{"aria-describedby": described_by})
        textarea = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<p class="counter" id="{}" aria-live="polite">{}</p>',
            textarea,
            counter_id,
            SafeString(self.first_count(value)),
        )
