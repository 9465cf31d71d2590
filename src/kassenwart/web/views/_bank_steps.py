"""What the bank asks of a person, shared by the connection and the transfer pages: the PIN,
the TAN and how a TAN challenge is shown."""

import base64

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext_lazy

from kassenwart.banking import fints

PIN_WIDGET = forms.PasswordInput(attrs={"autocomplete": "off"})


class PinForm(forms.Form):
    """The PIN for one bank call, kept only if asked (when it is not kept already)."""

    pin = forms.CharField(label=gettext_lazy("PIN"), max_length=64, required=False, widget=PIN_WIDGET)
    keep_pin = forms.BooleanField(label=gettext_lazy("Keep the PIN (encrypted) for scheduled syncs"), required=False)


class TanForm(forms.Form):
    tan = forms.CharField(label=gettext_lazy("TAN"), max_length=32,
                          widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


def challenge_context(challenge: fints.Challenge | None) -> dict:
    """For web/_tan_challenge.html: the text, a photoTAN image, the flicker frames."""
    if challenge is None:
        return {"challenge": None, "image": "", "flicker": []}
    return {"challenge": challenge, "image": _data_url(challenge), "flicker": list(challenge.flicker)}


def htmx_go(header: str, value: str) -> HttpResponse:
    """An empty answer that tells htmx where to go (HX-Redirect) or to reload (HX-Refresh)."""
    response = HttpResponse(status=204)
    response[header] = value
    return response


def _data_url(challenge: fints.Challenge) -> str:
    """A photoTAN or QR image for an <img>; only image types, so nothing else can run."""
    if not challenge.image or not challenge.image_type.startswith("image/"):
        return ""
    return f"data:{challenge.image_type};base64,{base64.b64encode(challenge.image).decode('ascii')}"
