"""Versions: the catalogue, picking a version by date, and versions written as changes (extends)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bandstand import BandstandError, Catalogue, evaluate, load_evidence, load_framework
from bandstand.catalogue import bundled_dir
from bandstand.cli import main
from bandstand.errors import format as fmt
from helpers import EXAMPLES


@pytest.fixture(scope="module")
def cat():
    return Catalogue()


def test_both_2018_versions_are_in_the_catalogue_with_their_dates(cat):
    entries = {e.ref: e for e in cat.entries()}
    original, current = entries["hmip-youth@2018-original"], entries["hmip-youth@2018"]
    assert (original.status, original.effective_from, original.effective_to) == ("superseded", "2018-06", "2021-06")
    assert (current.status, current.effective_from, current.extends) == ("published", "2021-07", "hmip-youth@2018-original")


@pytest.mark.parametrize("on, version", [("2018-06-15", "2018-original"), ("2019-05", "2018-original"),
                                         ("2021-06-30", "2018-original"), ("2021-07-01", "2018"),
                                         ("2023-01-10", "2018")])
def test_the_version_in_force_on_a_date(cat, on, version):
    assert cat.resolve("hmip-youth", on=on).version == version


def test_an_id_alone_is_the_latest_published_version(cat):
    assert cat.resolve("hmip-youth").version == "2018"


def test_no_version_in_force(cat):
    with pytest.raises(BandstandError, match="no version of 'hmip-youth' was in force on 2017-01-01"):
        cat.resolve("hmip-youth", on="2017-01-01")


def test_a_draft_is_in_force_on_no_date(tmp_path):
    """A draft version (with dates of its own) is chosen only by its version."""
    write(tmp_path, "draft.yaml", 'id: hmip-youth\nversion: 2025-draft\nextends: hmip-youth@2018\nstatus: draft\n'
                                  'effective: {from: 2025-01}\n')
    cat = Catalogue([tmp_path])
    assert cat.resolve("hmip-youth", on="2025-06-01").version == "2018"
    assert cat.resolve("hmip-youth").version == "2018"
    assert cat.resolve("hmip-youth@2025-draft").status == "draft"


def test_a_version_states_its_own_dates_and_status(tmp_path):
    """An extending version inherits neither when it was in force nor its status."""
    write(tmp_path, "mine.yaml", 'id: hmip-youth\nversion: mine\nextends: hmip-youth@2018\nstatus: draft\n')
    fw = Catalogue([tmp_path]).resolve("hmip-youth@mine")
    assert (fw.status, fw.effective_from, fw.effective_to) == ("draft", None, None)
    write(tmp_path, "mine.yaml", 'id: hmip-youth\nversion: mine\nextends: hmip-youth@2018\n')
    with pytest.raises(BandstandError, match="missing required field 'status'"):
        Catalogue([tmp_path]).resolve("hmip-youth@mine")


def test_versions_in_force_together_must_be_named(cat):
    """The five-judgement FJI was still run in 2017, beside the six-judgement one and its court variant."""
    with pytest.raises(BandstandError) as e:
        cat.resolve("hmip-youth-fji", on="2016-06")
    message = str(e.value)
    assert "3 versions of 'hmip-youth-fji' were in force on 2016-06" in message
    assert "2014: 2014-04 to 2016-12" in message and "2016-court: 2015-09 to 2016-08" in message
    assert "name one as hmip-youth-fji@VERSION" in message
    assert cat.resolve("hmip-youth-fji", on="2013-01").version == "2012"


def test_with_none_published_an_id_alone_is_the_version_in_force_last(cat):
    """Every FJI version is superseded: the id alone is the one whose time ended last (then began last):
    five judgements, as in Cambridgeshire's FJI (HMIP press release, February 2017), the last one found."""
    assert cat.resolve("hmip-youth-fji").version == "2012"


# -- the dates of each version, and where they come from -----------------------------------------------

def test_court_work_was_judged_when_doncaster_was_published(cat):
    """HMIP's press release of September 2015, 'Doncaster needs to improve': six key areas ending 'the
    effectiveness of governance and court work and reports'. The court-work variant was in force then."""
    court = {e.version: e for e in cat.entries() if e.id == "hmip-youth-fji"}["2016-court"]
    assert court.in_force("2015-09") and court.effective_from == "2015-09"
    assert court.in_force("2016-08") and not court.in_force("2016-09")  # Newcastle, August 2016: the last found


def test_interventions_were_judged_from_peterborough_to_lewisham(cat):
    """Six key areas ending 'the delivery of interventions': Peterborough (HMIP press release, April 2014), the
    first found; 'work to deliver interventions': Lewisham (December 2016), the last found."""
    entry = {e.version: e for e in cat.entries() if e.id == "hmip-youth-fji"}["2014"]
    assert (entry.effective_from, entry.effective_to) == ("2014-04", "2016-12")


def test_the_cci_ended_with_the_last_report_found(cat):
    """'The CCI programme ended in spring 2012' (Ministry of Justice); the last CCI report found is Leicestershire
    and Rutland's (HMIP press release, June 2012)."""
    entry = {e.ref: e for e in cat.entries()}["hmip-youth-cci@2011"]
    assert (entry.effective_from, entry.effective_to) == ("2009-04", "2012-06")


def test_every_date_in_force_names_its_source(cat):
    """Each bundled version's first and last dates have an entry in effective.sources, saying what it shows."""
    for entry in cat.entries():
        fw = cat.resolve(entry.ref)
        dated = {s["date"]: s for s in fw.effective_sources}
        for date in filter(None, (fw.effective_from, fw.effective_to)):
            assert date in dated, f"{fw.ref}: no source for {date}"
            assert dated[date]["shows"].strip() and dated[date]["source"].strip()


def test_a_source_date_must_be_a_date_of_the_calendar(tmp_path):
    write(tmp_path, "v.yaml", 'id: hmip-youth\nversion: v\nextends: hmip-youth@2018\nstatus: draft\n'
                              'effective: {from: 2025-01, sources: [{date: 2025-02-30, shows: x, source: y}]}\n')
    with pytest.raises(BandstandError, match="'2025-02-30' is not a date of the calendar"):
        Catalogue([tmp_path]).resolve("hmip-youth@v")


# -- two versions in force: the evidence decides ------------------------------------------------------

FJI = bundled_dir() / "examples" / "hmip-youth-fji"
FIVE = {"reoffending": "good", "public": "good", "children": "good", "sentence": "good", "governance": "good"}


def fji_evidence(tmp_path, date: str, extra: dict | None = None, partial: bool = False) -> Path:
    judgements = {**FIVE, **(extra or {})}
    return write(tmp_path, "yot.yaml", f"subject: A YOT\ndate: {date}\n" + ("partial: true\n" if partial else "")
                 + "judgements: {" + ", ".join(f"{k}: {v}" for k, v in judgements.items()) + "}\n")


def test_of_two_versions_in_force_the_one_the_evidence_fits_is_used(tmp_path, capsys):
    """Bromley, February 2015 (seed 003: 'four out of five of six key judgements'), without naming a version:
    the five- and six-judgement FJIs were both in force, and only the six-judgement one has interventions."""
    bromley = tmp_path / "bromley.yaml"
    bromley.write_text("".join(line for line in (FJI / "bromley-2015.yaml").read_text().splitlines(True)
                               if not line.startswith("framework:")))
    with pytest.raises(SystemExit) as e:
        main(["evaluate", "hmip-youth-fji", str(bromley), "--format", "json"])
    out, err = capsys.readouterr()
    assert e.value.code == 0 and '"version": "2014"' in out
    assert err.splitlines() == [
        "bandstand: using hmip-youth-fji@2014: of the 2 versions in force on 2015-02 (the evidence's date), the only "
        "one whose nodes match the evidence's judgements and key questions (2012 has no node 'interventions')"]


def test_doncaster_2015_is_read_as_the_court_work_variant(capsys):
    """HMIP press release, September 2015: Doncaster was judged on 'court work and reports'. Its evidence names no
    version; of the three in force that month, only the court-work variant has that judgement."""
    with pytest.raises(SystemExit) as e:
        main(["evaluate", "hmip-youth-fji", str(FJI / "doncaster-2015.yaml"), "--format", "json"])
    out, err = capsys.readouterr()
    assert e.value.code == 0 and '"version": "2016-court"' in out
    assert "using hmip-youth-fji@2016-court: of the 3 versions in force on 2015-09" in err
    assert "(2012 has no node 'court_work'; 2014 has no node 'court_work' and needs a judgement for " \
           "'interventions')" in err
    assert len(err.splitlines()) == 1


def test_the_evidence_decides_on_a_date_asked_too(cat):
    ev = load_evidence(FJI / "bromley-2015.yaml")
    choice = cat.choose("hmip-youth-fji", on="2016-06-01", evidence=ev)
    assert (choice.framework.ref, choice.how) == ("hmip-youth-fji@2014", "fitted")
    assert "of the 3 versions in force on 2016-06-01 (the date asked)" in choice.note
    assert "2016-court has no node 'interventions' and needs a judgement for 'court_work'" in choice.note


def test_five_judgements_fit_only_the_five_judgement_version(tmp_path, cat):
    """In October 2015 three versions were in force; five judgements leave the six-judgement ones short."""
    choice = cat.choose("hmip-youth-fji", evidence=load_evidence(fji_evidence(tmp_path, "2015-10")))
    assert choice.framework.version == "2012"
    assert "2014 needs a judgement for 'interventions'" in choice.note


@pytest.mark.parametrize("extra, partial", [
    ({"interventions": "good", "court_work": "good"}, False),  # fits none: each lacks one of them
    ({}, True),  # partial: the five fit all three
])
def test_when_none_or_several_fit_the_version_must_be_named(tmp_path, cat, extra, partial):
    ev = load_evidence(fji_evidence(tmp_path, "2016-06", extra, partial))
    with pytest.raises(BandstandError, match=r"3 versions of 'hmip-youth-fji' were in force on 2016-06 \(2012: "
                                             r"2012-09 to 2017-02; .*name one as hmip-youth-fji@VERSION"):
        cat.choose("hmip-youth-fji", evidence=ev)


def test_mismatches_compare_node_ids_not_levels(tmp_path, cat):
    from bandstand.catalogue import mismatches

    fw = cat.resolve("hmip-youth-fji@2014")
    ev = load_evidence(fji_evidence(tmp_path, "2015-10", {"interventions": "no such level"}))
    assert mismatches(fw, ev) == []
    ev = load_evidence(fji_evidence(tmp_path, "2015-10", {"court_work": "good", "1.1": "good"}))
    assert mismatches(fw, ev) == ["has no node 'court_work'", "has no node '1.1'",
                                  "needs a judgement for 'interventions'"]
    assert mismatches(cat.resolve("hmip-youth@2018"), load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml")) == []
    original = mismatches(cat.resolve("hmip-youth@2018-original"),
                          load_evidence(EXAMPLES / "bedfordshire-2021-cases.yaml"))
    assert "has no node '4.1'" in original


def test_a_published_rating_stands_in_for_the_nodes_beneath_it(cat):
    """Evidence may give a standard's published rating (issue 11, part 4) instead of its key questions."""
    from bandstand.catalogue import mismatches

    ev = load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml")
    ev.figures = {k: f for k, f in ev.figures.items() if not k.startswith("2.1.")}
    assert mismatches(cat.resolve("hmip-youth@2018"), ev) == [
        "needs evidence for '2.1.1'", "needs evidence for '2.1.2'", "needs evidence for '2.1.3'"]
    ev.published = {"2.1": "inadequate"}
    assert mismatches(cat.resolve("hmip-youth@2018"), ev) == []
    ev.published = {"9.9": "inadequate"}
    assert "has no node '9.9'" in mismatches(cat.resolve("hmip-youth@2018"), ev)


# -- the evidence's date outside the version's dates --------------------------------------------------

def test_evidence_dated_outside_the_version_named_is_warned_of(tmp_path, capsys):
    """Bedfordshire's figures dated 2019 under hmip-youth@2018 (in force from 2021-07): one warning line."""
    ev = tmp_path / "bed.yaml"
    ev.write_text((EXAMPLES / "bedfordshire-2021-published.yaml").read_text().replace("date: 2021-12", "date: 2019-05"))
    for ref in ("hmip-youth@2018", "hmip-youth"):  # named on the command line, or by the evidence
        with pytest.raises(SystemExit) as e:
            main(["evaluate", ref, str(ev)])
        err = capsys.readouterr().err
        assert e.value.code == 0
        assert f"{ev}: warning: the evidence is dated 2019-05, outside the dates of hmip-youth@2018 (from 2021-07)" \
            in err.splitlines()


def test_evidence_dated_inside_or_a_draft_is_not_warned_of(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "hmip-youth@2018", str(EXAMPLES / "bedfordshire-2021-published.yaml")])
    assert "warning" not in capsys.readouterr().err
    draft = write(tmp_path, "draft.yaml", 'id: hmip-youth\nversion: 2025-draft\nextends: hmip-youth@2018\n'
                                          'status: draft\neffective: {from: 2025-01}\n')
    with pytest.raises(SystemExit):
        main(["evaluate", str(draft), str(EXAMPLES / "bedfordshire-2021-published.yaml")])
    assert "outside the dates" not in capsys.readouterr().err


def test_many_inspections_outside_a_version_give_one_warning(tmp_path, capsys):
    folder = tmp_path / "many"
    folder.mkdir()
    text = (EXAMPLES / "bedfordshire-2021-published.yaml").read_text()
    for year in ("2019", "2020"):
        (folder / f"{year}.yaml").write_text(text.replace("date: 2021-12", f"date: {year}-05"))
    with pytest.raises(SystemExit) as e:
        main(["evaluate", "hmip-youth@2018", str(folder), "--format", "jsonl"])
    err = capsys.readouterr().err
    assert e.value.code == 0
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert warnings == ["bandstand: warning: some inspections are dated outside the dates of hmip-youth@2018 "
                        "(first: Bedfordshire YOS: the evidence is dated 2019-05, outside the dates of "
                        "hmip-youth@2018 (from 2021-07))"]


@pytest.mark.parametrize("on", ["2021-13", "2021-02-30", "21-02-01", "2021-7"])
def test_a_date_that_is_not_in_the_calendar_is_refused(on, capsys):
    with pytest.raises(SystemExit) as e:
        main(["evaluate", "hmip-youth", str(EXAMPLES / "bedfordshire-2021-published.yaml"), "--on", on])
    assert e.value.code == 2
    assert f"expected a date written YYYY-MM-DD (or YYYY-MM), got '{on}'" in capsys.readouterr().err


def test_the_first_published_version_has_12_standards_and_no_resettlement(cat):
    original, current = cat.resolve("hmip-youth@2018-original"), cat.resolve("hmip-youth@2018")
    assert [n.id for n in original.counted] == [n.id for n in current.counted]
    assert len(original.counted) == 12
    assert "4.1" not in original.nodes and original.limits == []
    assert original.nodes["3.4"].title == "Joint working"
    assert current.nodes["3.4"].title == "Out-of-court disposal policy and provision"
    assert [lim.id for lim in current.limits] == ["resettlement-inadequate"]


def test_each_node_knows_the_file_its_definition_came_from(cat):
    current = cat.resolve("hmip-youth@2018")
    assert Path(current.nodes["2.1.1"].pos.file).name == "hmip-youth-2018-original.yaml"
    assert Path(current.nodes["4.1"].pos.file).name == "hmip-youth-2018.yaml"
    assert Path(current.nodes["3.4"].pos.file).name == "hmip-youth-2018.yaml"
    assert Path(current.bands["key_question"].pos.file).name == "hmip-youth-2018-original.yaml"


def test_evidence_date_picks_the_version(capsys, tmp_path):
    ev = tmp_path / "old.yaml"
    ev.write_text("subject: A YOT in 2019\ndate: 2019-05\njudgements: {'1.1': good, '1.2': good, '1.3': good, "
                  "'1.4': good, '3.4': good}\nkey_questions: {" + ", ".join(
                      f"'{k}': {{percent: 70}}" for k in (
                          "2.1.1 2.1.2 2.1.3 2.2.1 2.2.2 2.2.3 2.3.1 2.3.2 2.3.3 2.4.1 2.4.2 2.4.3 "
                          "3.1.1 3.1.2 3.1.3 3.2.1 3.2.2 3.2.3 3.3.1 3.3.2 3.3.3").split()) + "}\n")
    with pytest.raises(SystemExit) as e:
        main(["evaluate", "hmip-youth", str(ev), "--format", "json"])
    out, err = capsys.readouterr()
    assert e.value.code == 0
    assert '"version": "2018-original"' in out
    assert "using hmip-youth@2018-original, in force on 2019-05" in err


# -- writing a version as changes ------------------------------------------------------------------

BASE = """\
id: toy
version: "1"
title: Toy
status: published
effective: {from: 2020-01}
scales:
  - id: r
    levels:
      - {id: low, label: Low, score: 0}
      - {id: high, label: High, score: 1}
bands:
  - id: pct
    scale: r
    unit: percent
    rounding: {places: 0}
    bands:
      - {level: low, min: 0, max: 59}
      - {level: high, min: 60, max: 100}
  - id: total
    scale: r
    bands:
      - {level: low, min: 0, max: 1}
      - {level: high, min: 2, max: 2}
tiers:
  - {id: standard, label: Standard, rule: lowest(children), counts_toward_overall: true}
  - {id: question, label: Question, rule: "band(share(), pct)"}
parts: [{id: p, label: P}]
nodes:
  - id: a
    title: Alpha
    part: p
    children: [{id: a1, question: Is alpha done?}, {id: a2, question: Is alpha reviewed?}]
  - id: b
    title: Beta
    part: p
    children: [{id: b1, question: Is beta done?}]
overall:
  rule: band(sum_scores(counted), total)
"""


def write(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ext(body: str, extends: str = "toy@1") -> str:
    return f'id: toy\nversion: "2"\nextends: {extends}\ntitle: Toy two\nstatus: draft\n{body}'


def problems(path: Path) -> list[str]:
    with pytest.raises(BandstandError) as e:
        load_framework(path)
    return [fmt(d) for d in e.value.diagnostics]


def test_an_extension_changes_wording_thresholds_and_adds_nodes(tmp_path):
    write(tmp_path, "toy-1.yaml", BASE)
    path = write(tmp_path, "toy-2.yaml", ext("""\
bands:
  - id: pct
    scale: r
    unit: percent
    rounding: {places: 0}
    bands:
      - {level: low, min: 0, max: 69}
      - {level: high, min: 70, max: 100}
changes:
  - update: a1
    set: {question: Is alpha done well enough?}
  - add: {id: a3, question: Is alpha recorded?}
    under: a
    after: a1
  - remove: a2
"""))
    fw = load_framework(path)
    assert [c.id for c in fw.nodes["a"].children] == ["a1", "a3"]
    assert fw.nodes["a1"].question == "Is alpha done well enough?"
    assert [b.max for b in fw.bands["pct"].bands] == [69, 100]
    assert fw.title == "Toy two" and fw.examples == []
    assert Path(fw.nodes["a3"].pos.file).name == "toy-2.yaml"
    assert Path(fw.nodes["b1"].pos.file).name == "toy-1.yaml"


def test_removing_a_node_others_refer_to_is_an_error_located_at_the_reference(tmp_path):
    write(tmp_path, "toy-1.yaml", BASE.replace("overall:\n", 'limits:\n  - {id: cap, applies_to: overall, when: '
                                                            'rating("b") == low, at_most: low}\noverall:\n'))
    path = write(tmp_path, "toy-2.yaml", ext("changes:\n  - remove: b\n"))
    (line,) = problems(path)
    assert line.startswith(str(tmp_path / "toy-1.yaml") + ":")
    assert "unknown node 'b': it was removed by the change at" in line and "toy-2.yaml:7" in line
    assert line.endswith("[check.unknown-node]")


def test_renaming_a_node_others_refer_to_is_an_error(tmp_path):
    write(tmp_path, "toy-1.yaml", BASE.replace("overall:\n", 'limits:\n  - {id: cap, applies_to: overall, when: '
                                                            'rating("b") == low, at_most: low}\noverall:\n'))
    path = write(tmp_path, "toy-2.yaml", ext("changes:\n  - rename: b\n    to: beta\n"))
    (line,) = problems(path)
    assert "it was renamed to 'beta' by the change at" in line


@pytest.mark.parametrize("change, message", [
    ("  - remove: z9\n", "toy-2.yaml:7:13: error: no node 'z9' in the framework being extended [extend.unknown-node]"),
    ("  - update: a11\n    set: {title: X}\n",
     "toy-2.yaml:7:13: error: no node 'a11' in the framework being extended (did you mean 'a1'?) [extend.unknown-node]"),
    ("  - add: {id: a1}\n    under: a\n",
     "toy-2.yaml:7:15: error: cannot add 'a1': id a1 exists already [extend.duplicate-id]"),
    ("  - rename: a1\n    to: b1\n",
     "toy-2.yaml:8:9: error: cannot rename 'a1' to 'b1': a node 'b1' exists already [extend.duplicate-id]"),
    ("  - remove_limit: nope\n", "toy-2.yaml:7:19: error: no limit 'nope' in the framework being extended "
                                 "[extend.unknown]"),
])
def test_bad_changes_are_located(tmp_path, change, message):
    write(tmp_path, "toy-1.yaml", BASE)
    path = write(tmp_path, "toy-2.yaml", ext("changes:\n" + change))
    assert problems(path) == [str(tmp_path / message.split(":", 1)[0]) + ":" + message.split(":", 1)[1]]


def test_an_unknown_change_says_which_are_known(tmp_path):
    write(tmp_path, "toy-1.yaml", BASE)
    path = write(tmp_path, "toy-2.yaml", ext("changes:\n  - remvoe: a1\n"))
    (line,) = problems(path)
    assert "expected a mapping with one of: remove, rename, replace, update, add, remove_limit, remove_band" in line
    assert "did you mean" in line


@pytest.mark.parametrize("extends, expected", [
    ("toy@9", "no framework 'toy@9' found"),
    ("../../etc/passwd", "'../../etc/passwd' leaves the framework's folder"),
    ("/etc/passwd", "'/etc/passwd' leaves the framework's folder"),
    ("missing.yaml", "no file 'missing.yaml' next to toy-2.yaml"),
])
def test_a_base_that_cannot_be_found_is_located_at_extends(tmp_path, extends, expected):
    write(tmp_path, "toy-1.yaml", BASE)
    path = write(tmp_path, "toy-2.yaml", ext("", extends=extends))
    (line,) = problems(path)
    assert line.startswith(f"{path}:3:10: error: {expected}")
    assert line.endswith("[extend.base]")


def test_a_framework_that_extends_itself(tmp_path):
    path = write(tmp_path, "toy-2.yaml", ext("", extends="toy-2.yaml"))
    assert problems(path) == [f"{path}:3:10: error: toy-2.yaml extends itself; a version must extend another version, and bases must not lead back to it [extend.cycle]"]


def test_a_cycle_of_extensions(tmp_path):
    write(tmp_path, "a.yaml", 'id: toy\nversion: a\nextends: b.yaml\nstatus: draft\n')
    write(tmp_path, "b.yaml", 'id: toy\nversion: b\nextends: a.yaml\nstatus: draft\n')
    (line,) = problems(tmp_path / "a.yaml")
    assert "is part of a cycle (a.yaml -> b.yaml -> a.yaml)" in line and "[extend.cycle]" in line


def test_a_catalogue_folder_can_hold_versions_that_extend_bundled_ones(tmp_path):
    write(tmp_path, "mine.yaml", 'id: hmip-youth\nversion: 2018-mine\nextends: hmip-youth@2018\n'
                                 'title: Mine\nstatus: draft\n')
    cat = Catalogue([tmp_path])
    fw = cat.resolve("hmip-youth@2018-mine")
    assert "4.1" in fw.nodes and fw.title == "Mine"
    assert cat.resolve("hmip-youth").version == "2018"  # a draft is not the latest published


def test_bedfordshire_under_the_first_published_version(cat):
    """The 2018 result without resettlement: the same 12 standards, so the same 14/36."""
    from bandstand.compare import adapt

    ev, notes = adapt(load_evidence(EXAMPLES / "bedfordshire-2021-published.yaml"), cat.resolve("hmip-youth@2018-original"))
    r = evaluate(cat.resolve("hmip-youth@2018-original"), ev)
    assert (r.overall.level.id, r.overall.value) == ("requires_improvement", 14)
    assert notes == ["evidence for 4.1 left out: not in hmip-youth@2018-original"]


def test_the_bundled_folder_has_no_framework_that_fails_to_load(cat):
    for entry in cat.entries():
        assert cat.load_path(entry.path).diagnostics == [], entry.ref


def test_a_copy_of_the_bundled_pair_loads_from_another_folder(tmp_path):
    for name in ("hmip-youth-2018.yaml", "hmip-youth-2018-original.yaml"):
        shutil.copy(bundled_dir() / name, tmp_path / name)
    fw = load_framework(tmp_path / "hmip-youth-2018.yaml")
    assert Path(fw.nodes["2.1"].pos.file).parent == tmp_path


def test_a_text_extending_a_bundled_version_finds_it_in_the_catalogue(tmp_path):
    """bandstand.load_framework_text looks in the catalogue; the DSL's own function only beside the file."""
    import bandstand
    from bandstand.dsl import load_framework_text as dsl_load_text

    text = 'id: hmip-youth\nversion: mine\nextends: hmip-youth@2018\nstatus: draft\n'
    fw = bandstand.load_framework_text(text, str(tmp_path / "mine.yaml"))
    assert (fw.ref, fw.nodes["2.1.1"].question) == ("hmip-youth@mine", Catalogue().resolve("hmip-youth@2018")
                                                     .nodes["2.1.1"].question)
    with pytest.raises(BandstandError, match="no framework 'hmip-youth@2018' found"):
        dsl_load_text(text, str(tmp_path / "mine.yaml"))
    assert dsl_load_text(text, str(tmp_path / "mine.yaml"), resolver=Catalogue().find).ref == "hmip-youth@mine"


def test_the_catalogue_lists_a_draft_after_every_adopted_version(tmp_path, capsys, monkeypatch):
    """A draft is in force on no date: planned dates earlier than an adopted version's do not list it before it."""
    write(tmp_path, "early.yaml", 'id: hmip-youth\nversion: 2019-draft\nextends: hmip-youth@2018\nstatus: draft\n'
                                  'effective: {from: 2019-01}\n')
    cat = Catalogue([tmp_path])
    assert [e.version for e in cat.entries() if e.id == "hmip-youth"] == ["2018-original", "2018", "2019-draft"]
    monkeypatch.setenv("BANDSTAND_PATH", str(tmp_path))
    with pytest.raises(SystemExit) as done:
        main(["list"])
    assert done.value.code == 0
    rows = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.startswith("hmip-youth@")]
    assert rows == ["hmip-youth@2018-original", "hmip-youth@2018", "hmip-youth@2019-draft"]
