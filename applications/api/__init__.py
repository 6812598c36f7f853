"""The REST API on dossiers (/api/v1/): the same selectors, abilities and services as the pages."""
