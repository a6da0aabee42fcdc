"""The site's URLs plus the annual app's, for the tests until the app is wired
into samsyn/urls.py (then this equals the site's urlconf)."""

from django.urls import include, path

from samsyn.urls import urlpatterns as site

urlpatterns = list(site)
if not any(getattr(p, "pattern", None) and str(p.pattern) == "annual/" for p in site):
    urlpatterns.append(path("annual/", include("samsyn.annual.urls")))
