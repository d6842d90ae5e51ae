"""The MkDocs plugin's own work: naming frameworks in mkdocs.yml, and placing their pages in the nav."""

from __future__ import annotations

import re

import pytest
from mkdocs.exceptions import PluginError

from bandstand.mkdocs_plugin import _expand_nav, load_frameworks
from bandstand.publish import Plan
from helpers import ROOT, copy_framework


def refs(frameworks) -> list[str]:
    return [fw.ref for fw in frameworks]


def test_frameworks_by_id_version_file_and_folder(tmp_path):
    copy_framework(tmp_path / "methodology", lambda t: t.replace('version: "2018"', 'version: "2019"'))
    assert refs(load_frameworks(["hmip-youth@2018"], tmp_path)) == ["hmip-youth@2018"]
    # an id alone publishes every version of it
    assert refs(load_frameworks(["hmip-youth"], tmp_path)) == ["hmip-youth@2018-original", "hmip-youth@2018"]
    assert refs(load_frameworks(["methodology/youth-2018.yaml"], tmp_path)) == ["hmip-youth@2019"]
    # a folder publishes every framework file in it: the copied 2018 version and the version it extends
    assert refs(load_frameworks(["methodology"], tmp_path)) == ["hmip-youth@2018-original", "hmip-youth@2019"]


def test_unusable_names_fail_in_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    for spec, message in [
        ("hmip-adult", "bandstand: 'hmip-adult' is neither a framework file, a folder nor a known framework "
                       "(known: bucks-yos-plan@2023, cqc-asc@2022, hmip-youth@2018-original, hmip-youth@2018, "
                       "hmip-youth-cci@2011, hmip-youth-fji@2012, hmip-youth-fji@2014, hmip-youth-fji@2016-court, "
                       "yjb-indicators@2016-17)"),
        ("hmip-youth@2099", "bandstand: cannot publish hmip-youth@2099: bandstand: error: framework 'hmip-youth' "
                            "has no version '2099'; versions: 2018-original, 2018 [input.framework]"),
        ("empty", "bandstand: the folder empty holds no framework files"),
    ]:
        with pytest.raises(PluginError) as e:
            load_frameworks([spec], tmp_path)
        assert str(e.value) == message


def test_a_broken_file_fails_with_its_located_diagnostics(tmp_path):
    copy_framework(tmp_path / "fw", lambda t: t.replace("rule: lowest(children)", "rule: lowest(children"))
    with pytest.raises(PluginError) as e:
        load_frameworks(["fw/youth-2018.yaml"], tmp_path)
    # the tiers' rules are inherited: the error points into the version they are written in
    assert str(e.value) == ("bandstand: cannot publish fw/youth-2018.yaml: fw/youth-2018-original.yaml:136:26: "
                            "error: expected ')' or ',' but the expression ended [syntax.expression]")
    copy_framework(tmp_path / "two", lambda t: t.replace("rule: lowest(children)", "rule: lowest(children")
                   .replace("at_most: good", "at_most: gold"))
    with pytest.raises(PluginError) as e:
        load_frameworks(["two/youth-2018.yaml"], tmp_path)
    lines = str(e.value).splitlines()
    assert lines[0] == "bandstand: cannot publish two/youth-2018.yaml:"
    assert lines[1:] == [
        "two/youth-2018-original.yaml:136:26: error: expected ')' or ',' but the expression ended [syntax.expression]",
        "two/youth-2018.yaml:63:14: error: level 'gold' is not on scale 'rating' (did you mean 'good'?) "
        "[check.unknown-level]"]


def test_the_frameworks_entry_of_the_nav_becomes_their_section():
    plan = Plan(nav=["frameworks/index.md", {"A framework": ["frameworks/a/index.md"]}])
    nav = [{"Home": "index.md"}, {"Read": ["guide.md", "frameworks/index.md"]}, {"Published": "frameworks/index.md"}]
    assert _expand_nav(nav, plan) == [
        {"Home": "index.md"},
        {"Read": ["guide.md", {"Frameworks": plan.nav}]},
        {"Published": plan.nav},
    ]
    assert nav[1] == {"Read": ["guide.md", "frameworks/index.md"]}  # the configured nav is left as it was


def test_the_plugin_is_registered():
    from importlib.metadata import entry_points

    (entry,) = [e for e in entry_points(group="mkdocs.plugins") if e.name == "bandstand"]
    assert entry.value == "bandstand.mkdocs_plugin:BandstandPlugin"
    assert (ROOT / "mkdocs.yml").read_text(encoding="utf-8").count("- bandstand:") == 1


def test_no_frameworks_is_a_warning(tmp_path):
    from helpers import build_site, site_config

    done = build_site(site_config(tmp_path, []), tmp_path / "site")
    assert done.returncode != 0  # --strict
    assert ("WARNING -  bandstand: no frameworks to publish; name them under 'frameworks:' in mkdocs.yml"
            in done.stderr.splitlines())


def test_an_mkdocs_without_generated_files_is_refused_in_one_line(tmp_path, monkeypatch, caplog):
    # MkDocs 1.5.3 (which mkdocs-material 9.5 accepts) has no File.generated: the build used to stop
    # with "AttributeError: type object 'File' has no attribute 'generated'" and a traceback
    import mkdocs
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort
    from mkdocs.structure.files import File

    from helpers import site_config

    monkeypatch.delattr(File, "generated")
    monkeypatch.setattr(mkdocs, "__version__", "1.5.3")
    config = load_config(str(site_config(tmp_path, ["hmip-youth@2018"])), site_dir=str(tmp_path / "site"))
    with pytest.raises(Abort):
        build(config)
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "bandstand: the plugin needs MkDocs 1.6 or later (this is MkDocs 1.5.3); install it with "
        "pip install 'bandstand[docs]' or pip install 'mkdocs>=1.6'"]
    assert not (tmp_path / "site").exists()


def test_a_site_with_only_the_plugin_renders_every_page(tmp_path):
    """A mkdocs.yml naming no Markdown extensions: warnings are admonitions, removed words struck through.

    The "what changed" pages showed a literal ~~Joint working~~ and the inferred-thresholds warning a raw
    "!!! warning" on every page of the 2011 scheme, because neither extension was enabled.
    """
    from helpers import build_site, site_config

    config = site_config(tmp_path, ["hmip-youth", "hmip-youth-cci"])
    assert "markdown_extensions" not in config.read_text(encoding="utf-8")
    done = build_site(config, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    pages = sorted((tmp_path / "site" / "frameworks").rglob("*.html"))
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert "!!! " not in source and "~~" not in source and "{#" not in source, page
        assert "```" not in source, page  # the rating diagram's fence is read (pymdownx.superfences), not shown
    cci = (tmp_path / "site" / "frameworks" / "hmip-youth-cci" / "2011" / "index.html").read_text(encoding="utf-8")
    assert '<div class="admonition warning">' in cci and "Thresholds inferred, not published" in cci
    assert '<pre class="mermaid"><code>flowchart TD' in cci
    changes = (tmp_path / "site" / "frameworks" / "hmip-youth" / "2018" / "changes" / "index.html")
    assert re.search(r"<del>[^<]+</del>", changes.read_text(encoding="utf-8"))
