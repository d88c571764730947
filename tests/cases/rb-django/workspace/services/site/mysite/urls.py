from django.http import JsonResponse
from django.urls import path
from rb_greeting import greet


def health(request):
    return JsonResponse({"ok": True, "greeting": greet("django")})


urlpatterns = [path("health", health)]
