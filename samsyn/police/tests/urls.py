"""The site's URLs with the imports pages mounted at police/ (until samsyn/urls.py
includes them), for this app's page tests."""

from django.urls import include, path

from samsyn.urls import urlpatterns as site_urlpatterns

MOUNTED = any(getattr(p, "namespace", None) == "police" for p in site_urlpatterns)

urlpatterns = list(site_urlpatterns)
if not MOUNTED:
    urlpatterns.insert(0, path("police/", include("samsyn.police.urls")))
