from django.urls import path

from chat.conversation import views

app_name = "chat"
urlpatterns = [
    path("", views.chat_page, name="page"),
    path("seed/", views.seed_pin, name="seed_pin"),
]
