import pytest
from django.test import override_settings

from coro.core import crypto

OLD = {"old": "o" * 40}
NEW_FIRST = {"new": "n" * 40, "old": "o" * 40}


def test_round_trip_names_the_key_and_hides_the_text():
    with override_settings(ENCRYPTION_KEYS=OLD):
        value = crypto.encrypt("s3cret-client-secret")
        assert value.startswith("old:")
        assert "s3cret" not in value
        assert crypto.decrypt(value) == "s3cret-client-secret"


def test_two_encryptions_of_one_text_differ():
    with override_settings(ENCRYPTION_KEYS=OLD):
        assert crypto.encrypt("same") != crypto.encrypt("same")


def test_rotation_old_values_still_decrypt_when_a_new_key_is_first():
    with override_settings(ENCRYPTION_KEYS=OLD):
        stored = crypto.encrypt("kept across rotation")
    with override_settings(ENCRYPTION_KEYS=NEW_FIRST):
        assert crypto.decrypt(stored) == "kept across rotation"
        assert crypto.needs_reencryption(stored)
        rotated = crypto.reencrypt(stored)
        assert rotated.startswith("new:")
        assert not crypto.needs_reencryption(rotated)
        assert crypto.decrypt(rotated) == "kept across rotation"
    # Once the old key is dropped, only the rewritten value still decrypts.
    with override_settings(ENCRYPTION_KEYS={"new": "n" * 40}):
        assert crypto.decrypt(rotated) == "kept across rotation"
        with pytest.raises(crypto.DecryptionError, match="'old', which is not in"):
            crypto.decrypt(stored)


def test_a_renamed_key_still_decrypts_its_values():
    with override_settings(ENCRYPTION_KEYS=OLD):
        stored = crypto.encrypt("text")
    with override_settings(ENCRYPTION_KEYS={"renamed": "o" * 40}):
        assert crypto.decrypt(stored) == "text"


@pytest.mark.parametrize("position", [10, 40, -5])
def test_a_tampered_value_fails_closed(position):
    with override_settings(ENCRYPTION_KEYS=OLD):
        value = crypto.encrypt("do not change me")
        flipped = "A" if value[position] != "A" else "B"
        tampered = value[:position] + flipped + value[position + 1 :]
        with pytest.raises(crypto.DecryptionError, match="changed"):
            crypto.decrypt(tampered)


@pytest.mark.parametrize("value", ["", "plain text", "old:", ":abc", "old:not-a-token"])
def test_garbage_fails_closed(value):
    with override_settings(ENCRYPTION_KEYS=OLD), pytest.raises(crypto.DecryptionError):
        crypto.decrypt(value)


def test_a_value_from_another_installation_fails_closed():
    with override_settings(ENCRYPTION_KEYS={"old": "x" * 40}):
        foreign = crypto.encrypt("theirs")
    with (
        override_settings(ENCRYPTION_KEYS=OLD),
        pytest.raises(crypto.DecryptionError, match="changed"),
    ):
        crypto.decrypt(foreign)
