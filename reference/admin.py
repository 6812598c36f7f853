from django import forms
from django.contrib import admin
from django.db import models

from reference.models import DecisionReason, DocumentType, Ground, GroundRequirement, Prefecture


@admin.register(Prefecture)
class PrefectureAdmin(admin.ModelAdmin):
    list_display = ["departement_code", "name", "city", "phone"]
    search_fields = ["name", "departement_code", "departement_name", "city"]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "label_fr", "label_en"]
    search_fields = ["code", "label_fr", "label_en"]


class GroundRequirementInline(admin.TabularInline):
    model = GroundRequirement
    extra = 0
    autocomplete_fields = ["document_type"]


@admin.register(Ground)
class GroundAdmin(admin.ModelAdmin):
    list_display = [
        "label_fr",
        "ceseda_article",
        "card_type",
        "right_to_work",
        "renewable",
        "active",
    ]
    list_filter = ["card_type", "right_to_work", "renewable", "is_procedure", "active"]
    search_fields = ["code", "label_fr", "label_en", "ceseda_article"]
    inlines = [GroundRequirementInline]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }


@admin.register(DecisionReason)
class DecisionReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "label_fr", "legal_basis"]
    list_filter = ["kind"]
    search_fields = ["code", "label_fr", "label_en"]
