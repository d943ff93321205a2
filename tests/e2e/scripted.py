"""A scripted socket that stands in for the server, and the frames it starts with."""

import json

MODE = {
    "slug": "banking",
    "name": "Banking",
    "company_name": "Meridian Trust Bank",
    "tagline": "Banking that knows you",
    "persona_kind": "banking",
    "theme": {
        "primary": "#0b3d6e",
        "secondary": "#c9a227",
        "background": "#f4f6f9",
        "surface": "#ffffff",
        "text": "#1b2430",
    },
    "hero": "Your accounts at a glance, and a secure chat with our virtual assistant.",
    "chat_subtitle": "Ask about your accounts, cards and transfers",
}
PERSONA = {
    "name": "Jordan Ellis",
    "member_since": "2019-03-04",
    "checking_balance": 4210.55,
    "savings_balance": 12000.0,
    "account_number_last4": "4821",
    "credit_score": 742,
    "credit_limit": 8000.0,
    "recent_transactions": [],
}
# What the server lays out for PERSONA (docs/protocol.md, "The customer card").
CARD = {
    "name": "Jordan Ellis",
    "headline": {
        "label": "Checking balance",
        "value": "$4,210.55",
        "testid": "checking-balance",
    },
    "summary": [{"label": "Member since", "value": "March 4, 2019"}],
    "sections": [
        {
            "title": "Recent transactions",
            "testid": "transactions",
            "blocks": [
                {
                    "type": "table",
                    "caption": "Recent transactions",
                    "columns": [{"label": "Amount", "style": "num", "pill": False}],
                    "rows": [],
                    "empty": "No recent transactions.",
                }
            ],
        }
    ],
}
SESSION = {
    "mode": MODE,
    "persona": PERSONA,
    "card": CARD,
    "modes": [{"slug": "banking", "name": "Banking"}],
    "conversation_id": 1,
    "messages": [],
    "llm": {"backend": "openai", "model": "gpt-4o-mini"},
}


def frame(frame_type: str, **payload) -> str:
    return json.dumps({"type": frame_type, "payload": payload})


class ScriptedServer:
    """Answers the page's socket: `session` on connect, then what the test sends."""

    def __init__(self, session: dict) -> None:
        self.session = session
        self.route = None
        self.received: list[dict] = []
        self.on_chat = lambda text: None

    def accept(self, route) -> None:
        self.route = route
        route.on_message(self._receive)
        route.send(frame("session", **self.session))

    def _receive(self, data) -> None:
        message = json.loads(data)
        self.received.append(message)
        if message["type"] == "chat":
            self.on_chat(message["payload"]["text"])

    def send(self, frame_type: str, **payload) -> None:
        self.route.send(frame(frame_type, **payload))
