"""OIDC_PROVIDERS, the organisations' OpenID Connect providers, read from the
environment into allauth's openid_connect apps. Pure: settings.py calls it,
and a malformed value becomes a message for the system check
(consultation.checks) instead of an error in the middle of a request."""

import json
import re
from urllib.parse import urlsplit

REQUIRED_KEYS = ("id", "name", "server_url", "client_id", "secret")
PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
# Plain HTTP only for a provider on this machine (development and tests).
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ProviderConfigError(ValueError):
    """OIDC_PROVIDERS says something we cannot use; the message says what."""


def parse_oidc_providers(text: str) -> list[dict]:
    """allauth's APPS for each provider in OIDC_PROVIDERS (a JSON list); [] when empty."""
    if not text.strip():
        return []
    try:
        providers = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProviderConfigError(f"OIDC_PROVIDERS is not valid JSON: {error}.") from None
    if not isinstance(providers, list):
        raise ProviderConfigError("OIDC_PROVIDERS must be a JSON list of providers, [{…}, …].")
    apps, seen = [], set()
    for number, provider in enumerate(providers, start=1):
        apps.append(_app(provider, f"OIDC_PROVIDERS, provider {number}"))
        if apps[-1]["provider_id"] in seen:
            raise ProviderConfigError(f"OIDC_PROVIDERS names the id {apps[-1]['provider_id']!r} twice.")
        seen.add(apps[-1]["provider_id"])
    return apps


def _app(provider, where: str) -> dict:
    if not isinstance(provider, dict):
        raise ProviderConfigError(f"{where} must be an object with the keys {', '.join(REQUIRED_KEYS)}.")
    missing = [key for key in REQUIRED_KEYS if not isinstance(provider.get(key), str) or not provider[key].strip()]
    if missing:
        raise ProviderConfigError(f"{where} needs a non-empty text for: {', '.join(missing)}.")
    unknown = sorted(set(provider) - set(REQUIRED_KEYS))
    if unknown:
        raise ProviderConfigError(f"{where} has keys we do not know: {', '.join(unknown)}.")
    if not PROVIDER_ID.match(provider["id"]):
        raise ProviderConfigError(
            f"{where}: the id {provider['id']!r} goes into addresses: lower-case letters, digits and hyphens only."
        )
    server = urlsplit(provider["server_url"].strip())
    if not server.hostname or not (
        server.scheme == "https" or (server.scheme == "http" and server.hostname in LOCAL_HOSTS)
    ):
        raise ProviderConfigError(
            f"{where}: server_url must be the provider's https:// address (its issuer), "
            f"e.g. https://login.microsoftonline.com/<tenant>/v2.0."
        )
    return {
        "provider_id": provider["id"],
        "name": provider["name"].strip(),
        "client_id": provider["client_id"].strip(),
        "secret": provider["secret"].strip(),
        "settings": {"server_url": provider["server_url"].strip().rstrip("/"), "oauth_pkce_enabled": True},
    }
