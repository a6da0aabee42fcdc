from django.contrib.auth import views as auth_views
from django.urls import path

from samsyn.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.otp_setup, name="otp_setup"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    path("sso/", views.oidc_login, name="oidc_login"),
    path("sso/callback/", views.oidc_callback, name="oidc_callback"),
    path("audit/", views.audit, name="audit"),
]
