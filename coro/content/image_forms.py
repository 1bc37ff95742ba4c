"""Forms of a post's images. The image itself is checked by ``content.images.post_image_add``
(by its content, never its name); these only say what was sent."""

from django import forms
from django.utils.translation import gettext_lazy as _

from coro.content.images import MAX_IMAGE_BYTES
from coro.content.models import PostImage

# What the browser offers to choose (only a hint: the content decides).
ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
ALT_TEXT_REQUIRED = _("Describe the image for people who cannot see it.")
ALT_TEXT_MAX = PostImage._meta.get_field("alt_text").max_length


def alt_text_field() -> forms.CharField:
    return forms.CharField(
        label=_("Description of the image"),
        help_text=_(
            "What the image shows, for people who cannot see it (screen readers read it aloud)."
        ),
        max_length=ALT_TEXT_MAX,
        error_messages={"required": ALT_TEXT_REQUIRED},
    )


class PostImageAddForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        help_text=_(
            "A JPEG, PNG, WebP or GIF image of at most %(size)s MB. It is stored without the "
            "file's metadata (camera, place, date)."
        )
        % {"size": MAX_IMAGE_BYTES // (1024 * 1024)},
        error_messages={"required": _("Choose an image.")},
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    alt_text = alt_text_field()


class PostImageAltForm(forms.Form):
    alt_text = alt_text_field()


class PostImageMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Earlier")), ("down", _("Later"))])
