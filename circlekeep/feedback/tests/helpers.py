"""Opening a round and acting as a member's browser, for the feedback tests."""

import base64
import os
import threading

from django.db import close_old_connections, connection

from circlekeep.feedback import actions, blindrsa, client
from circlekeep.lib.actions import DomainError
from circlekeep.testing import make_member

ANSWERS = {"q1": 4, "q2": "More time to speak."}
QUESTIONS = [{"kind": "rating", "prompt": "I feel safe saying what I think here."},
             {"kind": "text", "prompt": "What would make the circle better?"}]


def open_round(circle, actor, *, about="circle", days_open=7):
    return actions.do_open_round(circle, actor=actor, about=about, title="Autumn check-in",
                                 questions=QUESTIONS, days_open=days_open)


def members(circle, count, *, actor, start=0):
    return [make_member(circle, f"fb{start + i}@example.test", name=f"Member {start + i}",
                        actor=actor).user for i in range(count)]


class Browser:
    """What a member's browser holds for one round: a token, blinded and then signed."""

    def __init__(self, round_):
        self.round = round_
        self.public = blindrsa.load_public_key(bytes(round_.public_key))
        self.prepared = client.prepare(
            actions.TOKEN_MESSAGE.format(round=round_.public_id).encode()
            + base64.b64encode(os.urandom(32)))
        self.blinded, self.inverse = client.blind(self.public, self.prepared)
        self.signature = None

    def receive(self, member):
        blind_signature = actions.do_issue_token(self.round, actor=member, blinded=self.blinded)
        self.signature = client.finalize(self.public, blind_signature, self.inverse)
        return self

    def send(self, answers=None):
        actions.do_submit_entry(self.round, prepared=self.prepared, signature=self.signature,
                                answers=ANSWERS if answers is None else answers)

    def entry_json(self, answers=None):
        return {"round_id": str(self.round.public_id),
                "token": base64.b64encode(self.prepared).decode(),
                "signature": base64.b64encode(self.signature).decode(),
                "answers": ANSWERS if answers is None else answers}


def at_once(count, work):
    """Run ``work`` in ``count`` threads released together; returns results and errors."""
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(("ok", work()))
        except DomainError as error:
            outcomes.append(("refused", str(error.message)))
        except Exception as error:
            outcomes.append(("error", repr(error)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()
    return outcomes
