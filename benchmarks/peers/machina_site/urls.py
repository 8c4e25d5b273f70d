from django.urls import include, path
from machina import urls as machina_urls

# As machina's "Getting started" mounts it.
urlpatterns = [path("forum/", include(machina_urls))]
