"""docs/rules.md is generated from the catalog and must match it."""

from __future__ import annotations

import re

from helpers import ROOT, run_cli

from realtime_migrate import catalog, docgen


def test_rules_page_is_current() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == docgen.render(), "docs/rules.md is stale: run `python -m realtime_migrate.docgen`"


def test_rule_command_prints_docs() -> None:
    for rule in catalog.all_rules():
        proc = run_cli(["rule", rule.code])
        assert proc.returncode == 0, proc.stderr
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
            assert heading in proc.stdout


def test_unknown_rule_is_a_usage_error() -> None:
    proc = run_cli(["rule", "RTM999"])
    assert proc.returncode == 2
    assert "RTM999" in proc.stderr


def test_rules_table_lists_every_rule() -> None:
    proc = run_cli(["rules"])
    assert proc.returncode == 0
    for rule in catalog.all_rules():
        assert rule.code in proc.stdout and rule.name in proc.stdout


def test_readme_rules_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = "README rules table is stale: run `python -m realtime_migrate.docgen`"
    assert readme == docgen.render_readme(readme), stale
    for rule in catalog.all_rules():
        assert rule.code in readme and rule.name in readme, f"README lacks {rule.code}"


def reference_rows() -> list[str]:
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    return re.findall(r"^\|\s*([A-J](?:T|R)?\d+)\s*\|", text, re.MULTILINE)


def test_every_reference_row_maps_to_a_rule_or_a_reason() -> None:
    """Each row of the project's protocol reference maps to a rule code, or says why no rule is needed."""
    rows = reference_rows()
    assert len(rows) > 100 and len(rows) == len(set(rows))
    mapped = docgen.reference_map()
    unmapped = [r for r in rows if r not in mapped and r not in docgen.ROWS_WITHOUT_RULE]
    assert not unmapped, f"rows with neither a rule nor a reason: {unmapped}"


def test_every_cited_row_exists_in_the_reference() -> None:
    """A rule cites a row (`E7`) or a whole section (`H`, `E-S` for section E's session table)."""
    text = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    known = set(reference_rows()) | set(re.findall(r"^## ([A-Z]{1,2})\. ", text, re.MULTILINE))
    cited = {ref.split("-")[0] if "-" in ref else ref
             for ref in set(docgen.reference_map()) | set(docgen.ROWS_WITHOUT_RULE)}
    assert not cited - known, f"rules cite rows that docs/protocol.md lacks: {sorted(cited - known)}"
