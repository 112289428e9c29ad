"""FAB's widgets, extended where a list page spends its time."""

from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.widgets import SearchWidget
from flask_babel import get_locale
from markupsafe import Markup

from app import generation


class CachedSearchWidget(SearchWidget):
    """FAB's search widget (the "Add filter" menu and the inputs its script copies),
    but what depends only on the code and the language — the columns' labels, their
    filters' names and the inputs of plain columns — is worked out once per process,
    form and language; a choice read from the database is rendered afresh every time,
    but a dictionary's entries, which are kept under the database's generation. FAB
    rendered all of it on every list page: a quarter of a case list page's time."""

    _static: dict = {}

    def __call__(self, **kwargs):
        form = self.template_args["form"]
        include_cols = self.template_args["include_cols"]
        key = (type(form), tuple(include_cols), str(get_locale()))
        static = self._static.get(key)
        if static is None:
            dict_filters = self.filters.get_search_filters()
            static = dict(
                label_columns={c: str(form[c].label.text) for c in include_cols},
                search_filters={c: [str(f.name) for f in dict_filters[c]]
                                for c in include_cols},
                form_fields={c: Markup(form[c]()) for c in include_cols
                             if not _reads_database(form[c])},
            )
            self._static[key] = static
        shared = self.template_args.get("shared_choices") or ()
        form_fields = {c: static["form_fields"].get(c) or self._choices(form, c, c in shared)
                       for c in include_cols}
        kwargs.update(label_columns=static["label_columns"], form_fields=form_fields,
                      search_filters=static["search_filters"],
                      active_filters=self.filters.get_filters_values_tojson())
        # FAB's SearchWidget.__call__ would work all of it out again
        return super(SearchWidget, self).__call__(**kwargs)

    @staticmethod
    def _choices(form, column, shared: bool) -> Markup:
        """A field whose choices come from the database: every row of a dictionary
        (``shared``, nothing chosen yet) is kept by the process under the database's
        generation (app/generation.py), so a changed entry shows on every server's next
        page; anything else is rendered afresh."""
        field = form[column]
        if not shared or field.data is not None or field.raw_data:
            return field()
        return generation.kept("search_choices", (type(form), column, str(get_locale())),
                               lambda: Markup(field()))


def _reads_database(field) -> bool:
    # FAB's query fields, its multiple-choice one and daiban's pickers among them
    return isinstance(field, QuerySelectField)
