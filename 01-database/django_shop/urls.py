"""The project's URLs (ROOT_URLCONF): the admin site under /admin/, nothing else."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
