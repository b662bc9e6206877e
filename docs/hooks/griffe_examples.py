"""Griffe extension: chainrule's ``Example:`` docstring sections are Google-style ``Examples:``.

The house style heads each docstring's runnable example with ``Example:``; the Google parser
takes that singular as an admonition of Markdown text, where ``>>>`` lines read as nested
quotes and printed lists as link references. As ``Examples:`` they are code.
"""
import re

import griffe

EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.M)


class ExampleSections(griffe.Extension):
    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
