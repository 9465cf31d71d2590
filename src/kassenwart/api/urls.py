from django.urls import path

from kassenwart.api.main import api

urlpatterns = [path("v1/", api.urls)]
