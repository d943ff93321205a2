"""System checks for what settings.py cannot check before the apps are loaded."""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def llm_backend_check(app_configs, **kwargs) -> list[Error]:
    """LLM_BACKEND, when set, names a class that can be imported."""
    if not settings.LLM_BACKEND:
        return []
    try:
        import_string(settings.LLM_BACKEND)
    except ImportError as error:
        return [
            Error(
                f"LLM_BACKEND={settings.LLM_BACKEND!r} cannot be imported ({error}).",
                hint="Name a backend class, e.g. chat.llm.offline.OfflineBackend, "
                "or leave LLM_BACKEND empty.",
                id="chat.E001",
            )
        ]
    return []
