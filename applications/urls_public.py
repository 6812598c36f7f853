from django.urls import path

from applications.views import public

app_name = "processing_times"

urlpatterns = [
    path("", public.processing_times_index, name="index"),
    path("<slug:code>/", public.processing_times_prefecture, name="prefecture"),
]
