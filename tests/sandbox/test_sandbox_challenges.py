"""TAN media (HKTAB) and the kinds of challenge: text, photoTAN image, chipTAN flicker code."""

import struct
import zlib

import pytest
from fints.client import NeedTANResponse, ResponseStatus
from fints.hhd import flicker
from test_sandbox_vop import pay

from kassenwart.sandbox.scenarios import SUPPLIERS

from sandbox_payments import TAN

SUPPLIER = SUPPLIERS[0]


def test_tan_media_list(client):
    with client:
        usage, media = client.get_tan_media()
    assert [(m.tan_medium_name, m.security_function) for m in media] == [
        ("Mobil 0171 ***4711", 942), ("Kassenwart App iPhone", 946), ("photoTAN-App", 902),
        ("chipTAN-Karte 1234", 912), ("chipTAN-Karte 5678", 912)]
    assert media[0].mobile_number_masked == "0171 ***4711" and media[3].card_number == "5109990001234"


def test_text_challenge(client, accounts):
    with client:
        challenge = pay(client, accounts[0], SUPPLIER.name, SUPPLIER.iban)
    assert "250,00 EUR" in challenge.challenge and challenge.challenge_hhduc is None
    assert challenge.challenge_matrix is None


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, position = {}, 8
    while position < len(data):
        (length,), kind = struct.unpack(">I", data[position:position + 4]), data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        assert struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0] == zlib.crc32(kind + body)
        chunks[kind] = body
        position += 12 + length
    return chunks


def test_photo_tan_challenge_is_a_png(client, bank, accounts):
    client.set_tan_mechanism("902")
    with client:
        challenge = pay(client, accounts[0], SUPPLIER.name, SUPPLIER.iban)
        mime, image = challenge.challenge_matrix
        again = pay(client, accounts[0], SUPPLIER.name, SUPPLIER.iban, "KW-VOP-2").challenge_matrix[1]
        result = client.send_tan(challenge, TAN)
    chunks = png_chunks(image)
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert mime == "image/png" and (width, height) == (160, 160) and list(chunks)[-1] == b"IEND"
    assert len(zlib.decompress(chunks[b"IDAT"])) == height * (1 + 3 * width)
    assert image != again, "every task its own image"
    assert "photoTAN" in challenge.challenge and result.status == ResponseStatus.SUCCESS


def test_chiptan_needs_a_medium_then_shows_a_flicker_code(client, bank, accounts):
    client.set_tan_mechanism("912")
    with client:
        with pytest.raises(Exception, match="9210"):
            pay(client, accounts[0], SUPPLIER.name, SUPPLIER.iban)
        _, media = client.get_tan_media()
    client.set_tan_medium(media[4])
    with client:
        challenge = pay(client, accounts[0], SUPPLIER.name, SUPPLIER.iban, "KW-VOP-3")
        result = client.send_tan(challenge, TAN)
    code = flicker.parse(challenge.challenge_hhduc)
    assert (code.de1.data, code.de2.data) == (SUPPLIER.iban[-10:], "250,00")
    frames = flicker.code_to_bitstream(challenge.challenge_hhduc)
    assert len(frames) > 20 and all(len(f) == 5 for f in frames)
    assert result.status == ResponseStatus.SUCCESS


class TestMethodChosenByTheScenario:
    @pytest.fixture
    def tan_methods(self):
        return ("912",)

    def test_a_new_client_takes_the_only_method_offered(self, connect, accounts):
        client = connect()  # synchronises with one-step 999 and learns the methods (3920)
        client.selected_tan_medium = "chipTAN-Karte 1234"
        with client:
            challenge = pay(client, accounts[0], SUPPLIER.name, SUPPLIER.iban)
        assert client.get_current_tan_mechanism() == "912"
        assert isinstance(challenge, NeedTANResponse) and challenge.challenge_hhduc
