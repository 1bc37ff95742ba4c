"""Django's own messages that Coro re-translates, so that every page speaks as "tú"/"tu".

Django's Spanish and Catalan catalogues address the reader formally in several messages
that Coro's forms show ("Introduzca…", "Su contraseña…", "Introduïu…", "Assegureu-vos…"):
the log-in error, the password validators and their help texts, and the generic field
errors. Coro's catalogues in ``coro/locale`` (``LOCALE_PATHS``) take precedence over
Django's, so an entry there with Django's exact msgid wins.

``make messages`` runs ``makemessages --no-obsolete``, which drops every entry whose msgid
it does not find in Coro's sources. The markers below are only there so that it finds
these msgids: nothing imports this module, and the values are never used.

The msgids must match Django's source byte for byte, typographic apostrophes (U+2019)
included: hence the RUF001 exemption below. After a Django upgrade, check that they are
still in Django's ``django.po`` files: a reworded message gets Django's formal wording back.
"""

# ruff: noqa: RUF001

from django.utils.functional import Promise
from django.utils.translation import gettext_noop, ngettext_lazy

# django.contrib.auth.forms: AuthenticationForm (log in), SetPasswordForm (password
# reset), PasswordChangeForm.
AUTH_FORMS: tuple[str, ...] = (
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both "
        "fields may be case-sensitive."
    ),
    gettext_noop("This account is inactive."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
)

# django.contrib.auth.password_validation: AUTH_PASSWORD_VALIDATORS, on sign-up and on
# password reset (errors, and the help texts listed under the password field).
PASSWORD_VALIDATORS: tuple[str, ...] = (
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
)
PASSWORD_VALIDATORS_PLURAL: tuple[Promise, ...] = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "n",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
)

# django.forms.fields and django.core.validators: the fields Coro's forms use.
FORM_FIELDS: tuple[str, ...] = (
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Enter a valid time."),
    gettext_noop("Enter a valid date/time."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
)
FORM_FIELDS_PLURAL: tuple[Promise, ...] = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
)

# django.views.csrf.csrf_failure: the 403 page after a form is sent without the CSRF
# cookie or Referer header (Coro has no 403_csrf.html, so Django's page is shown).
CSRF_FAILURE: tuple[str, ...] = (
    gettext_noop(
        "You are seeing this message because this HTTPS site requires a "
        "“Referer header” to be sent by your web browser, but none was "
        "sent. This header is required for security reasons, to ensure "
        "that your browser is not being hijacked by third parties."
    ),
    gettext_noop(
        "If you have configured your browser to disable “Referer” headers, "
        "please re-enable them, at least for this site, or for HTTPS "
        "connections, or for “same-origin” requests."
    ),
    gettext_noop(
        'If you are using the <meta name="referrer" '
        'content="no-referrer"> tag or including the “Referrer-Policy: '
        "no-referrer” header, please remove them. The CSRF protection "
        "requires the “Referer” header to do strict referer checking. If "
        "you’re concerned about privacy, use alternatives like "
        '<a rel="noreferrer" …> for links to third-party sites.'
    ),
    gettext_noop(
        "If you have configured your browser to disable cookies, please "
        "re-enable them, at least for this site, or for “same-origin” "
        "requests."
    ),
)
