"""Dependencies point one way (issue 19): no import loops, nothing reaching up a layer.

Imports inside functions count: hiding one there does not remove the dependency. bench/architecture.py
holds the analysis and prints the counts.
"""

from __future__ import annotations

from bench.architecture import import_graph, import_loops, upward_imports


def test_no_module_imports_itself_through_others() -> None:
    loops = import_loops(import_graph())
    assert loops == [], "import loops: " + "; ".join(" <-> ".join(group) for group in loops)


def test_nothing_imports_the_layer_above_it_or_the_ingest_api() -> None:
    upward = upward_imports(import_graph())
    assert upward == [], "upward imports: " + "; ".join(f"{source} -> {target}" for source, target in upward)


def test_the_analysis_finds_a_loop_hidden_in_a_function() -> None:
    graph = {
        "trackmycrime.a": {"trackmycrime.b"},
        "trackmycrime.b": {"trackmycrime.a"},
        "trackmycrime.c": set(),
    }
    assert import_loops(graph) == [["trackmycrime.a", "trackmycrime.b"]]
    # The real tree: cli.py imports notify/cli.py only inside a function, and that edge is seen.
    assert "trackmycrime.notify.cli" in import_graph()["trackmycrime.cli"]


def test_the_analysis_finds_an_upward_import() -> None:
    graph = {
        "trackmycrime.auth.csrf": {"trackmycrime.pages"},
        "trackmycrime.property": {"trackmycrime.ingest.x"},
    }
    assert upward_imports(graph) == [
        ("trackmycrime.auth.csrf", "trackmycrime.pages"),
        ("trackmycrime.property", "trackmycrime.ingest.x"),
    ]
