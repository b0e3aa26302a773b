"""``{% load assets %}``: scripts and stylesheets served from the site with subresource
integrity, so a tampered file on a cache or a proxy is refused by the browser."""

import base64
import hashlib
from functools import cache, lru_cache

from django import template
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.utils.html import format_html

register = template.Library()


@cache
def integrity(path):
    """The SHA-384 digest of a static file, as the ``integrity`` attribute wants it; read
    once per process (the files do not change while it runs)."""
    found = finders.find(path)
    if found is None:
        with staticfiles_storage.open(path) as handle:
            content = handle.read()
    else:
        with open(found, "rb") as handle:
            content = handle.read()
    digest = hashlib.sha384(content).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


@register.simple_tag(takes_context=True)
def script(context, path, classic=False):
    """A script from the site (a module unless ``classic``), with its integrity and the
    page's CSP nonce."""
    request = context.get("request")
    nonce = getattr(request, "csp_nonce", "") if request is not None else ""
    tag = ('<script src="{}" integrity="{}" nonce="{}"></script>' if classic else
           '<script type="module" src="{}" integrity="{}" nonce="{}"></script>')
    return format_html(tag, *_source(path), nonce)


@register.simple_tag
def modulepreload(path):
    """A module that another module imports, announced with its integrity. A module's own
    ``import`` carries no digest: the browser checks the imported file only against the one
    given here, so every imported module needs this tag before the script that imports it."""
    return _modulepreload(path)


@cache
def _modulepreload(path):
    return format_html('<link rel="modulepreload" href="{}" integrity="{}">', *_source(path))


@cache
def _source(path):
    """A static file's address and integrity, worked out once per process."""
    return static(path), integrity(path)


@register.simple_tag
def stylesheet(path):
    """A stylesheet from the site, with its integrity."""
    return _stylesheet(path)


@cache
def _stylesheet(path):
    return format_html('<link rel="stylesheet" href="{}" integrity="{}">', *_source(path))


ICON = '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>'
NAMED_ICON = '<svg class="icon" role="img" aria-label="{}"><use href="{}#{}"></use></svg>'


@register.simple_tag
def icon(name, label=""):
    """An icon from the site's sprite (static/dist/icons.svg, built from lucide-static).
    Decorative by default, so screen readers read the words beside it; ``label`` names it
    when it stands alone."""
    return _icon(str(name), str(label))


@lru_cache(maxsize=512)
def _icon(name, label):
    # Every page draws a dozen icons in its menu: each is built once per process.
    if label:
        return format_html(NAMED_ICON, label, static("dist/icons.svg"), name)
    return format_html(ICON, static("dist/icons.svg"), name)
