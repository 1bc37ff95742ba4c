"""'Download my data': everything Coro holds about a person, as JSON files in a ZIP.

Each app contributes its own files (its ``personal_data.py``, listed in
``coro/privacy/personal_data.py``). Nothing secret goes in: no password hash, no session,
no invitation token.
"""

import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from coro.accounts.models import User
from coro.privacy.personal_data import personal_data_files


def personal_data(user: User) -> dict[str, Any]:
    """File name → content, for every file of the download."""
    return {file.name: file.collect(user) for file in personal_data_files()}


def personal_data_zip(user: User) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        context = {"user": user, "files": personal_data_files()}
        archive.writestr("README.txt", render_to_string("privacy/data_readme.txt", context))
        for name, content in personal_data(user).items():
            text = json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            archive.writestr(name, text + "\n")
    return buffer.getvalue()
