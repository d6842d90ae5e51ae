"""The resolve pass: what each rule reads, recorded once on the model (bandstand.dsl.resolve)."""

from __future__ import annotations

import dataclasses
import pickle

from bandstand import load_framework
from bandstand.dsl.resolve import facts, rule_dependencies

FW2018 = "frameworks/hmip-youth-2018.yaml"
FW2011 = "frameworks/hmip-youth-cci-2011.yaml"


def test_the_load_records_the_facts_once():
    fw = load_framework(FW2018)
    assert fw.facts is not None  # the pass ran at load
    assert facts(fw) is fw.facts is facts(fw)


def test_2018_rules_read_what_the_published_rules_say():
    # Annexe 2 of the 2021 Bedfordshire report: a key question is banded on its share of cases, a
    # standard takes the lowest of its key questions, the overall sums the 12 core standards' scores
    f = facts(load_framework(FW2018))
    kq = f.rules["2.1.1"]
    assert kq.own_share and kq.cases_here and kq.share_table.id == "key_question" and kq.pooled is None
    standard = f.rules["2.1"]
    assert [n.id for n in standard.depends_on] == ["2.1.1", "2.1.2", "2.1.3"]
    assert not standard.own_share and not standard.cases_here and standard.share_table is None
    table, kind, members = f.rules["overall"].banded
    assert kind == "sum" and len(members) == 12 and all(m.counts_toward_overall for m in members)
    assert "2.1.1" in {n.id for n in f.evidence.share_rated} and "2.1" not in f.evidence.answered


def test_pooled_answers_are_cases_here_but_not_an_own_share():
    # the 2011 scheme pools the answers of an area's questions (pooled_share(children))
    fw = load_framework(FW2011)
    f = facts(fw)
    pooled = [k for k, r in f.rules.items() if r.pooled is not None]
    assert pooled
    for node_id in pooled:
        r = f.rules[node_id]
        assert r.cases_here and not r.own_share
        assert list(r.pooled) == [c.id for c in fw.nodes[node_id].children]
        assert node_id in f.evidence.figured and node_id not in f.evidence.own_share
        assert all(f.evidence.needed[c] == node_id for c in r.pooled)


def test_dependencies_are_those_the_checker_resolves():
    fw = load_framework(FW2018)
    f = facts(fw)
    for r in f.rated():
        assert list(r.depends_on) == rule_dependencies(r.site, fw)


def test_a_copy_or_a_pickle_resolves_again_on_use():
    fw = load_framework(FW2018)
    copy = dataclasses.replace(fw)
    assert copy.facts is None
    assert facts(copy) is not fw.facts and facts(copy).rules.keys() == fw.facts.rules.keys()
    back = pickle.loads(pickle.dumps(fw))
    assert back.facts is None and facts(back).evidence.needed == fw.facts.evidence.needed
