from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from coro.content.models import Post


class PostForm(forms.ModelForm[Post]):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=3000, widget=forms.Textarea(attrs={"rows": 6})
    )
    link = forms.URLField(
        label=_("Link"),
        max_length=1000,
        assume_scheme="https",
        # People will open it from their networks: web addresses only, no ftp: or the like.
        validators=[URLValidator(schemes=["http", "https"])],
    )

    class Meta:
        model = Post
        fields = ["link"]
