"""The voice controls' words come from chat.conversation.copy, every one used."""

import re

from django.conf import settings

from chat.conversation.copy import CHAT_COPY

VOICE_SCRIPT = settings.BASE_DIR / "static" / "chat" / "voice.js"
CHAT_PANEL = settings.BASE_DIR / "templates" / "chat" / "chat_panel.html"


def test_voice_copy_read_by_the_script_and_panel_is_declared_and_all_used():
    script = set(re.findall(r"COPY\.voice\.(\w+)", VOICE_SCRIPT.read_text()))
    panel = set(re.findall(r"chat_copy\.voice\.(\w+)", CHAT_PANEL.read_text()))
    assert script and panel
    assert script | panel == CHAT_COPY["voice"].keys()
