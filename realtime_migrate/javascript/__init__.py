"""JavaScript, TypeScript and HTML pages' inline scripts: the same rules, the same data, matchers over a
tree-sitter tree.

Browser WebRTC clients, Node relays and TypeScript SDK users speak the same preview protocol as Python code,
so the rule codes, rename tables, URL rewrites and session reshaping are the ones the Python matchers use
(`protocol`, the rule files' options, `ga_tables`, `azure_urls.rewrite_template`). Only the
reading of the code differs: tree-sitter (`tree-sitter-javascript`, `tree-sitter-typescript`), imported when
a file of these languages has passed the prefilter. Findings and fixes are ordinary `Finding`s with text
edits, so the one fix engine applies them (non-overlapping edits, re-scan until stable, and a result that
must parse without errors).

The pieces, in the order data flows: `source` (which files, the programs of an HTML page, the parser),
`context` (one program: positions, edits, findings and when they are notes), `nodes` (small readers of
nodes), `analysis` (the matchers, one walk per program) and `reshape` (a payload object in its GA shape).
What they cover is listed in the README ("JavaScript and TypeScript").
"""

from realtime_migrate.javascript.analysis import analyse
from realtime_migrate.javascript.source import SUFFIXES, first_error, parses, programs

__all__ = ["SUFFIXES", "analyse", "first_error", "parses", "programs"]
