"""A python-fints client that polls for an asynchronous Verification of Payee result.

python-fints 5.0.1 sends HKVPP but expects the result in the first answer; a bank that
answers later (HIVPP with a polling ID only, 3040 with a touchdown point on HKVPP, 3905 on
HKTAN) leaves it with a warning and no challenge (python-fints issue #220). This client
sends HKVPP with polling ID and touchdown point, with the order and HKTAN again, after
the wait the bank asks for, until the result is there; then python-fints goes on as usual.
"""

import time

from fints.client import FinTS3PinTanClient
from fints.segments.auth import HIVPP1, HKVPP1


class PollingClient(FinTS3PinTanClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.vop_waits = []  # the wait (seconds) of every poll, as the bank asked

    def _new_dialog(self, lazy_init=False):
        dialog = super()._new_dialog(lazy_init=lazy_init)
        send = dialog.send

        def send_and_poll(*segments, **kwargs):
            response = send(*segments, **kwargs)
            request = next((s for s in segments if isinstance(s, HKVPP1)), None)
            while request is not None:
                touchdown = next((r.parameters[0] for r in response.responses(request, "3040")), None)
                if touchdown is None:
                    break
                hivpp = response.find_segment_first(HIVPP1)
                self.vop_waits.append(hivpp.wait_for_seconds)
                time.sleep(hivpp.wait_for_seconds or 0)
                request = HKVPP1(supported_reports=request.supported_reports,
                                 polling_id=hivpp.polling_id, aufsetzpunkt=touchdown)
                segments = (request, *segments[1:])
                response = send(*segments, **kwargs)
            return response

        dialog.send = send_and_poll
        return dialog
