from django import forms
from django.utils.translation import gettext_lazy as _

from coro.content.models import Post


class PostForm(forms.ModelForm):
    link = forms.URLField(label=_("Link"), max_length=1000, assume_scheme="https")

    class Meta:
        model = Post
        fields = ["title", "body", "link"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
