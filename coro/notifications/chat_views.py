"""The team chat settings page: admins connect, test and remove Slack and Microsoft Teams
channels where new posts are announced. A test message posts at once: outside the
organisation's working hours the admin confirms it first."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coro.notifications import chat, chat_services, hours
from coro.notifications.chat_forms import ChatWebhookForm
from coro.notifications.models import ChatWebhook
from coro.orgs.access import org_object_or_404, org_view
from coro.orgs.models import Membership, Organisation, Role

PAGE_SIZE = 20


@dataclass(frozen=True)
class WebhookRow:
    webhook: ChatWebhook
    service: str  # the service's name
    audience: str  # the team's name, or "Everyone"
    address: str  # masked
    error: str  # why it last failed, in the reader's language ("" if it did not)


def _row(webhook: ChatWebhook) -> WebhookRow:
    return WebhookRow(
        webhook=webhook,
        service=chat.service_label(webhook.service),
        audience=webhook.team.name if webhook.team else _("Everyone"),
        address=chat_services.chat_webhook_masked(webhook),
        error=chat_services.chat_webhook_error(webhook),
    )


def _page(
    request: HttpRequest, membership: Membership, form: ChatWebhookForm, *, status: int = 200
) -> HttpResponse:
    organisation = membership.organisation
    page = Paginator(chat_services.chat_webhooks_of(organisation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [_row(webhook) for webhook in page]
    days = hours.working_days(organisation)
    context = {
        "membership": membership,
        "organisation": organisation,
        "page": page,
        "webhooks": rows,
        "failed": [row for row in rows if row.error],
        "form": form,
        "work_days": [str(WEEKDAYS[day - 1]) for day in sorted(days)],
        "next_window": hours.next_working_window_start(organisation, timezone.now()),
        "outside_hours": not _working_now(organisation),
    }
    return render(request, "notifications/chat/webhooks.html", context, status=status)


def _working_now(organisation: Organisation) -> bool:
    now = timezone.now()
    return hours.next_working_window_start(organisation, now) == now


def _to_page(membership: Membership) -> HttpResponse:
    return redirect("chat:webhooks", org_code=membership.organisation.code)


@org_view(Role.ADMIN)
def webhooks(request: HttpRequest, membership: Membership) -> HttpResponse:
    organisation = membership.organisation
    if request.method != "POST":
        return _page(request, membership, ChatWebhookForm(organisation=organisation))
    form = ChatWebhookForm(request.POST, organisation=organisation)
    if form.is_valid():
        try:
            chat_services.chat_webhook_add(
                organisation=organisation,
                actor=membership,
                service=form.cleaned_data["service"],
                url=form.cleaned_data["url"],
                team=form.cleaned_data["team"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(
                request,
                _(
                    "The channel is connected. Send it a test message to check that it works: "
                    "new posts will be announced there during the organisation's working hours."
                ),
            )
            return _to_page(membership)
    return _page(request, membership, form, status=400)


@org_view(Role.ADMIN)
@require_POST
def webhook_test(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    webhook = org_object_or_404(
        ChatWebhook.objects.select_related("organisation", "team"),
        membership.organisation,
        code=code,
    )
    organisation = membership.organisation
    if request.POST.get("confirm") != "yes" and not _working_now(organisation):
        # A test posts at once, into a channel people read: outside the organisation's
        # hours (charter rule 9), the admin says so first.
        context = {
            "membership": membership,
            "organisation": organisation,
            "row": _row(webhook),
            "next_window": hours.next_working_window_start(organisation, timezone.now()),
        }
        return render(request, "notifications/chat/webhook_confirm_test.html", context)
    outcome = chat_services.chat_webhook_test(webhook=webhook)
    if outcome.ok:
        messages.success(request, outcome.message)
    else:
        messages.error(
            request,
            _("The test message didn't go through: %(reason)s") % {"reason": outcome.message},
        )
    return _to_page(membership)


@org_view(Role.ADMIN)
def webhook_remove(request: HttpRequest, membership: Membership, code: str) -> HttpResponse:
    webhook = org_object_or_404(
        ChatWebhook.objects.select_related("team"), membership.organisation, code=code
    )
    if request.method == "POST":
        chat_services.chat_webhook_remove(webhook=webhook, actor=membership)
        messages.success(
            request, _("The channel is disconnected: Coro no longer announces posts in it.")
        )
        return _to_page(membership)
    context = {"membership": membership, "row": _row(webhook)}
    return render(request, "notifications/chat/webhook_confirm_remove.html", context)
