from django.urls import path, re_path

from kassenwart.api.errors import unknown_path
from kassenwart.api.main import api

urlpatterns = [path("v1/", api.urls), re_path(r"^.*$", unknown_path)]
