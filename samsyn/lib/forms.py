"""The one place forms and fields are drawn (templates/forms/)."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Every form and field renders through templates/forms/.

    One field template gives each hint and error list the id that Django's
    `aria-describedby` names, puts choice groups in a fieldset with a legend,
    and takes its ids from the field, so forms with a prefix never repeat one.
    """

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
