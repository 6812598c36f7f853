from django.core.management.base import BaseCommand, CommandError

from reference.catalogue.loader import CatalogueError, reference_data_load


class Command(BaseCommand):
    help = "Create or update prefectures, document types and grounds from the catalogue file."

    def handle(self, *args, **options):
        try:
            report = reference_data_load()
        except CatalogueError as exc:
            raise CommandError(f"The catalogue is not valid, nothing was loaded: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded (created {report.created or 'nothing'}, "
                f"updated {report.updated or 'nothing'}, "
                f"requirements removed: {report.removed_requirements})."
            )
        )
