"""Form widgets of the item page rendered in Python, byte for byte as Django's templates.

The item page shows about twenty form widgets (the reply form, the side forms, the
moderation panel with a radio button per deletion ground). Django renders each one, and
each radio button, through its widget templates (`django/forms/widgets/*.html`), which
cost about a quarter of a millisecond apiece. `WIDGETS` renders the plain ones (inputs,
textareas, selects, radio and checkbox lists and their options) with string formatting
instead, and hands anything else to the project's form renderer. The output is the same
as the templates': `tests/inbox/test_widgets.py` compares the two on every form of the
page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

_W = "django/forms/widgets/"


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: formatted, escaped unless it is safe already."""
    return str(value) if isinstance(value, SafeData) else conditional_escape(f"{value}")


def _attrs(attrs: Mapping[str, Any]) -> str:  # attrs.html
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{_text(value)}"')
    return "".join(out)


# Each function returns what its template renders, trailing newlines included (they show
# where a template includes another); the renderer strips the outermost, as Django's does.


def _input(w: Mapping[str, Any]) -> str:  # input.html
    value = "" if w["value"] is None else f' value="{_text(w["value"])}"'
    name = conditional_escape(w["name"])
    return (
        f'<input type="{conditional_escape(w["type"])}" name="{name}"{value}{_attrs(w["attrs"])}>\n'
    )


def _including_input(w: Mapping[str, Any]) -> str:  # text.html, hidden.html, checkbox.html …
    return _input(w) + "\n"


def _textarea(w: Mapping[str, Any]) -> str:
    value = conditional_escape(w["value"]) if w["value"] else ""
    name = conditional_escape(w["name"])
    return f'<textarea name="{name}"{_attrs(w["attrs"])}>\n{value}</textarea>\n'


def _option(w: Mapping[str, Any]) -> str:  # select_option.html
    label = conditional_escape(w["label"])
    return f'<option value="{_text(w["value"])}"{_attrs(w["attrs"])}>{label}</option>\n'


def _input_option(w: Mapping[str, Any]) -> str:  # input_option.html
    if not w["wrap_label"]:
        return _input(w) + "\n"
    target = w["attrs"].get("id")
    label_for = f' for="{conditional_escape(target)}"' if target else ""
    return f"<label{label_for}>{_input(w)} {conditional_escape(w['label'])}</label>\n"


def _choice_option(w: Mapping[str, Any]) -> str:  # radio_option.html, checkbox_option.html
    return _input_option(w) + "\n"


def _included(option: Mapping[str, Any]) -> str:
    """`{% include option.template_name with widget=option %}`."""
    render = WIDGETS.get(option["template_name"])
    if render is None:  # a template of the project's own: rendered (and stripped) there
        return str(get_default_renderer().render(option["template_name"], {"widget": option}))
    return render(option)


def _select(w: Mapping[str, Any]) -> str:
    parts = [f'<select name="{conditional_escape(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        parts += [f"\n  {_included(option)}" for option in options]
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _multiple_input(w: Mapping[str, Any]) -> str:  # multiple_input.html
    target = w["attrs"].get("id")
    css = w["attrs"].get("class")
    parts = [
        "<div",
        f' id="{conditional_escape(target)}"' if target else "",
        f' class="{conditional_escape(css)}"' if css else "",
        ">",
    ]
    for group, options, _index in w["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
        parts += [f"<div>\n    {_included(option)}</div>" for option in options]
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n")
    return "".join(parts)


def _choices(w: Mapping[str, Any]) -> str:  # radio.html, checkbox_select.html
    return _multiple_input(w) + "\n"


WIDGETS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    f"{_W}input.html": _input,
    **{
        f"{_W}{kind}.html": _including_input
        for kind in ("text", "hidden", "email", "url", "number", "password", "checkbox")
    },
    f"{_W}textarea.html": _textarea,
    f"{_W}select.html": _select,
    f"{_W}select_option.html": _option,
    f"{_W}input_option.html": _input_option,
    f"{_W}radio_option.html": _choice_option,
    f"{_W}checkbox_option.html": _choice_option,
    f"{_W}multiple_input.html": _multiple_input,
    f"{_W}radio.html": _choices,
    f"{_W}checkbox_select.html": _choices,
}


class PythonWidgets(BaseRenderer):
    """A form renderer for the item page's forms: `WIDGETS` in Python, the rest (forms,
    labels, error lists) through the project's renderer."""

    def get_template(self, template_name: str) -> Any:
        return get_default_renderer().get_template(template_name)

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        render = WIDGETS.get(template_name)
        if render is None:
            return get_default_renderer().render(template_name, context, request=request)
        return render(context["widget"]).strip()


RENDERER = PythonWidgets()
