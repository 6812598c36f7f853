from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from anef import generations
        from applications.selectors import person_prefecture_ids

        # The prefectures holding a person's dossiers (anef and accounts import no higher app).
        generations.person_prefectures_resolver(person_prefecture_ids)
