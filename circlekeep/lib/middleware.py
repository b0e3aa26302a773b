"""Request-wide middleware that belongs to no single app."""

import contextvars
import uuid

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from circlekeep.lib.text import unsafe_text_problem

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Give each request an id that groups the audit events it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-Id"] = request_id
        return response


class PermissionsPolicyMiddleware:
    """Deny powerful browser features the product never uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.policy)
        return response


# The URL namespace of the API (config/urls.py mounts it); its refusals are JSON.
API_NAMESPACE = "api"


class RefuseUnsafeTextMiddleware:
    """Refuse a request whose path, query string or form fields hold a NUL character or
    a broken Unicode sequence, before any view, form or query sees the value.

    PostgreSQL cannot store a NUL and would answer with a server error; no browser sends
    one. JSON bodies are checked where the API parses them.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        is_api = API_NAMESPACE in request.resolver_match.namespaces
        problem = self._find(request, read_form=not is_api)
        if problem is None:
            return None
        field, message = problem
        if is_api:
            body = {"detail": message}
            if field:
                body["field"] = field
            return JsonResponse(body, status=400)
        return render(request, "errors/400.html", {"message": message, "field": field},
                      status=400)

    def _find(self, request, *, read_form):
        message = unsafe_text_problem(request.path_info)
        if message:
            return "", message
        sources = [request.GET]
        # The API takes no form bodies (it answers them with 415 Unsupported Media Type).
        if read_form and request.method == "POST" and request.content_type in self.FORM_TYPES:
            sources.append(request.POST)
        for values in sources:
            for key, items in values.lists():
                message = unsafe_text_problem(key)
                if message:
                    return "", message
                for text in items:
                    message = unsafe_text_problem(text)
                    if message:
                        return key, message
        return None


class NoStoreMiddleware:
    """Ask browsers and proxies to keep no copy of any response the application makes.

    Pages, PDFs, exports and API answers carry protected information (who is in which
    circle is itself health information), and a copy left in a shared computer's cache or
    a proxy outlives sign-out. Static files never reach this middleware: WhiteNoise,
    earlier in the list, answers them with long-lived caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True)
        return response


class ProductNotFoundMiddleware:
    """Under DEBUG (``make run``) answer a wrong address with the product's own "Not found"
    page. Django's debug 404 lists every URL pattern and names what was looked up, which a
    trial run's visitors should not see, and says nothing a person could act on. Other
    debug pages (a crash's traceback) stay as they are. Outside DEBUG Django already uses
    ``handler404``, so this does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG:
            from django.urls import Resolver404, resolve

            try:
                resolve(request.path_info, getattr(request, "urlconf", None))
            except Resolver404 as missing:
                return self._not_found(request, missing)
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.http import Http404

        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        from circlekeep.lib.errors import page_not_found

        return page_not_found(request, exception)
