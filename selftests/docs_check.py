#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# make check: each reST file given parses with no docutils warning (a
# malformed table, a bad indent, an unknown role).  Sphinx's toctree is
# the one directive plain docutils lacks: it is taken as it stands.
import io
import sys

import docutils.core
from docutils.parsers.rst import Directive, directives


class TocTree(Directive):
    has_content = True
    optional_arguments = 0
    option_spec = {'maxdepth': directives.unchanged,
                   'caption': directives.unchanged}

    def run(self):
        return []


directives.register_directive('toctree', TocTree)
failed = 0
for path in sys.argv[1:]:
    warnings = io.StringIO()
    with open(path, encoding='utf-8') as f:
        docutils.core.publish_doctree(
            f.read(), source_path=path,
            settings_overrides={'report_level': 2, 'halt_level': 5,
                                'warning_stream': warnings})
    if warnings.getvalue():
        failed = 1
        sys.stdout.write(warnings.getvalue())
sys.exit(failed)
