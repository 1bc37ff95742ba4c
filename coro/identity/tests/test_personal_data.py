""" "Download my data" says which company accounts the person signed in with, and never
carries a token or a client secret; erasing the person removes their connected accounts."""

import io
import json
import zipfile

from allauth.socialaccount.models import SocialAccount
from django.test import Client

from coro.accounts.models import User
from coro.identity.personal_data import company_accounts
from coro.identity.tests.conftest import DOMAIN


def test_the_download_names_the_company_account_without_tokens(tenancy, provider):
    client = Client()
    assert provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3").status_code == 302
    user = User.objects.get(email=f"ana@{DOMAIN}")

    [row] = company_accounts(user)
    assert row["organisation"] == tenancy.org.name
    assert row["provider"] == f"org-{tenancy.org.code}"
    assert row["uid"] == "ana-7f3"
    assert row["claims"]["email"] == f"ana@{DOMAIN}"
    assert row["claims"]["name"] == "Ana Pérez"

    response = client.post("/me/data/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    exported = json.loads(archive.read("company_sign_in.json"))
    assert exported[0]["uid"] == "ana-7f3"
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert provider.client_secret not in everything
    assert "access_token" not in everything
    assert "id_token" not in everything


def test_erasing_the_person_removes_their_company_account(tenancy, provider):
    client = Client()
    provider.sign_in(client, email=f"ana@{DOMAIN}", sub="ana-7f3")
    User.objects.get(email=f"ana@{DOMAIN}").delete()
    assert not SocialAccount.objects.exists()
