"""What the chat page says to the visitor, declared once here and rendered into the
page as data (a `json_script` block), so static/chat/*.js holds no product copy.

`{name}` marks a value the page fills in; the close notices are keyed by the close
code the server sends (frames.CloseCode). The customer card's own labels come with
the card (personas/card.py); "card" holds only what frames every card."""

from chat.conversation.frames import CloseCode
from personas.card import CARD_COPY

CLOSE_NOTICES: dict[CloseCode, str] = {
    CloseCode.FRAME_TOO_LARGE: (
        "A message was too large to send, so the connection was reset."
    ),
    CloseCode.TOO_MANY_INVALID_FRAMES: (
        "The connection was reset after too many messages it could not read."
    ),
    CloseCode.TOO_FAST: "Messages came too fast, so the connection was paused.",
    CloseCode.TOO_MANY_SOCKETS: (
        "Too many chats are open from your network, so this one was closed."
    ),
}

# Labels stay the same whichever way a toggle is set: its aria-pressed says which.
VOICE_COPY: dict[str, str] = {
    "speak": "Speak your message",
    "listen": "Read replies aloud",
    "listening": "Listening… say your message.",
    "vendor_notice": (
        "Your browser turns speech into text on its maker's servers, so what you say "
        "is sent to them."
    ),
    "mic_blocked": (
        "The microphone is blocked: allow it in your browser's settings for this site."
    ),
    "heard_nothing": "Nothing was heard. Press the microphone to try again.",
    "not_understood": "Speech could not be turned into text here. Type instead.",
}

CHAT_COPY: dict[str, str | dict[str, str]] = {
    "connected": "Connected",
    "reconnecting": "Reconnecting…",
    "close_notices": {str(code.value): text for code, text in CLOSE_NOTICES.items()},
    "retrying_in": "Trying again in {seconds}.",
    "not_connected": "Not connected: you can send again once we reconnect.",
    "replying": "{company} is replying…",
    "assistant": "The assistant",
    "assistant_short": "Assistant",
    "visitor": "You",
    "typing": "The assistant is typing",
    "offline_model": "Replies come from {model}, built into this demo.",
    "interrupted": "This reply was interrupted.",
    "failed": "This reply could not be completed.",
    "cut_short": "Reply cut short.",
    "reply_failed": "The assistant could not answer.",
    "retry": "Retry",
    "refused": "Something went wrong.",
    "send_again_in": "You can send again in {seconds}.",
    "second": "{count} second",
    "seconds": "{count} seconds",
    "dismiss": "Dismiss this notice",
    "switched_mode": "You're now chatting with {company}",
    "conjuring": "Presto-Change-O! Conjuring your {requested}…",
    "generated_mode": "Conjured: you're now chatting with {company} ({name})",
    "new_persona": "Signed in as {name}",
    "cleared": "New conversation",
    # What the card says around the figures its kind lays out.
    "card": {key: CARD_COPY[key] for key in ("summary", "greeting")},
    # The microphone and speaker beside the message box (static/chat/voice.js).
    "voice": VOICE_COPY,
    # What the dashboard says around the figures the server computes.
    "dashboard": {
        "from_assistant": "From the assistant",
        "point": "{label}: {value}",
        "series_point": "{series}, {label}: {value}",
        "total": "Total",
        "progress": "{done} of {total}",
        "empty": "Nothing to show here yet.",
        "no_figures": "There are no figures to chart yet.",
        "tool_error": "The assistant could not show this: {message}",
    },
}
