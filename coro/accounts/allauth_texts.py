"""django-allauth's own messages that Coro's pages can show, re-translated by Coro.

allauth's Spanish and Catalan catalogues address the reader formally ("Debe escribir...",
"Heu d'escriure..."). Coro replaces most of allauth's messages with its own
(``coro/accounts/adapter.py``, its forms' labels, and the templates in
``coro/templates/account/`` and ``coro/templates/mfa/``); the few that remain are listed here
so that ``makemessages`` keeps them in Coro's catalogues, which take precedence over
allauth's (``LOCALE_PATHS``). Like ``coro/core/django_texts.py``: nothing imports this
module, and the msgids must match allauth's source exactly; check them after an upgrade.
"""

from django.utils.translation import gettext_noop

# allauth.account.forms.PasswordVerificationMixin: a new password typed twice differently
# (password reset, password change).
PASSWORD_FORMS: tuple[str, ...] = (gettext_noop("You must type the same password each time."),)
