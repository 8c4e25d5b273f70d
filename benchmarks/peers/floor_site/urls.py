from django.http import HttpResponse
from django.urls import path


def floor(request):
    return HttpResponse(b"<!doctype html><title>Floor</title><p>A short fixed answer.</p>")


urlpatterns = [path("", floor)]
