from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from coro.content.models import Post


class PostForm(forms.ModelForm[Post]):
    link = forms.URLField(
        label=_("Link"),
        max_length=1000,
        assume_scheme="https",
        # People will open it from their networks: web addresses only, no ftp: or the like.
        validators=[URLValidator(schemes=["http", "https"])],
    )

    class Meta:
        model = Post
        fields = ["title", "body", "link"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
