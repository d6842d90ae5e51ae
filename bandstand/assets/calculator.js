/* bandstand's rating calculator: a framework's compiled plan (bandstand/publish/calculator.py) run in the page.
 *
 * This is the second backend of bandstand's compiler. It runs the plan's steps as bandstand/engine/compile.py
 * runs its closures, explains and limits as bandstand/engine/evaluate.py does, and works out margins as
 * bandstand/engine/margins.py does, with exact rational arithmetic (BigInt numerator and denominator, as
 * Python's Fraction). Its result is the JSON of `bandstand evaluate --format json` (nodes, overall, limits
 * applied, partial). tests/test_calculator.py checks the two agree, node by node, over thousands of
 * evidence sets in a real browser. Nothing here evaluates text as code: the plan is data.
 */
(function () {
  "use strict";

  // -- exact rationals ----------------------------------------------------------------------------------

  function gcd(a, b) {
    if (a < 0n) a = -a;
    if (b < 0n) b = -b;
    while (b) { const t = a % b; a = b; b = t; }
    return a;
  }

  function Q(n, d) {
    if (d === undefined) d = 1n;
    if (d < 0n) { n = -n; d = -d; }
    const g = gcd(n, d);
    if (g > 1n) { n /= g; d /= g; }
    return { n: n, d: d, q: true };
  }

  function isQ(x) { return x !== null && typeof x === "object" && x.q === true; }
  function fromJ(p) { return p === null || p === undefined ? null : Q(BigInt(p[0]), BigInt(p[1])); }
  function int(k) { return Q(BigInt(k)); }
  function add(a, b) { return Q(a.n * b.d + b.n * a.d, a.d * b.d); }
  function sub(a, b) { return Q(a.n * b.d - b.n * a.d, a.d * b.d); }
  function mul(a, b) { return Q(a.n * b.n, a.d * b.d); }
  function div(a, b) { return Q(a.n * b.d, a.d * b.n); }
  function neg(a) { return Q(-a.n, a.d); }
  function cmp(a, b) { const x = a.n * b.d, y = b.n * a.d; return x < y ? -1 : x > y ? 1 : 0; }
  function floorDiv(a, b) { // BigInt floor division, b > 0
    const q = a / b;
    return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
  }
  function floorQ(a) { return floorDiv(a.n, a.d); }
  function str(a) { return a.d === 1n ? a.n.toString() : a.n.toString() + "/" + a.d.toString(); }
  // Python's round(Fraction): to the nearest integer, halves to even
  function roundEven(a) {
    const f = floorDiv(a.n, a.d), r = a.n - f * a.d; // 0 <= r < d
    if (2n * r > a.d || (2n * r === a.d && f % 2n !== 0n)) return f + 1n;
    return f;
  }

  // float(Fraction), correctly rounded (exact for the figures of any realistic framework)
  function toFloat(a) {
    const LIM = 9007199254740992n;
    let n = a.n, d = a.d;
    if (n < 0n ? -n <= LIM : n <= LIM) { if (d <= LIM) return Number(n) / Number(d); }
    // large: scale to 64 significant bits, then divide (not reached by bundled frameworks)
    const neg = n < 0n; if (neg) n = -n;
    let shift = BigInt(d.toString(2).length - n.toString(2).length + 64);
    const q = shift >= 0n ? (n << shift) / d : n / (d << -shift);
    const v = Number(q) * Math.pow(2, -Number(shift));
    return neg ? -v : v;
  }

  // the exact value of a double, as a rational
  function exactOfDouble(x) {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, x);
    const hi = buf.getUint32(0), lo = buf.getUint32(4);
    const sign = hi >>> 31 ? -1n : 1n;
    const exp = (hi >>> 20) & 0x7ff;
    let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    let e;
    if (exp === 0) { e = -1074; } else { mant |= 1n << 52n; e = exp - 1075; }
    if (e >= 0) return Q(sign * (mant << BigInt(e)));
    return Q(sign * mant, 1n << BigInt(-e));
  }

  // format(float(x), ".Nf"): the double's exact value rounded half to even, as Python formats it
  function fixed(a, places) {
    const exact = exactOfDouble(toFloat(a));
    const scale = 10n ** BigInt(places);
    let r = roundEven(mul(exact, Q(scale)));
    const negative = r < 0n; if (negative) r = -r;
    let digits = r.toString();
    if (places > 0) {
      digits = digits.padStart(places + 1, "0");
      digits = digits.slice(0, -places) + "." + digits.slice(-places);
    }
    return (negative && r !== 0n ? "-" : (negative ? "-" : "")) + digits;
  }

  // result.number(): an int when whole, else round(float(x), 4)
  function number(a) {
    if (a === null || a === undefined) return null;
    if (a.d === 1n) return Number(a.n);
    return Number(fixed(a, 4));
  }

  // -- the plan ------------------------------------------------------------------------------------------

  function prepare(raw) {
    if (raw.prepared) return raw.prepared;
    const plan = { raw: raw };
    plan.levels = raw.levels.map(function (lv, i) {
      return { gid: i, id: lv.id, label: lv.label, index: lv.index, score: fromJ(lv.score), level: true };
    });
    plan.tables = {};
    Object.keys(raw.tables).forEach(function (id) {
      const t = raw.tables[id];
      plan.tables[id] = {
        id: id, unit: t.unit, inferred: t.inferred, places: t.places, mode: t.mode,
        bands: t.bands.map(function (b) {
          return { level: plan.levels[b.level], min: fromJ(b.min), max: fromJ(b.max), below: fromJ(b.below),
                   text: b.text, upper: b.max !== null ? fromJ(b.max) : fromJ(b.below) };
        }),
      };
    });
    plan.nodes = raw.nodes.map(function (n, i) {
      const s = n.scores;
      return {
        id: n.id, slot: i, title: n.title, tier: n.tier, rated: n.rated, how: n.how, children: n.children,
        unrated: n.unrated, reference: n.reference, parent: n.parent, judged: n.judged,
        scale: n.scale.map(function (g) { return plan.levels[g]; }), scaleKey: n.scale.join(","),
        scores: s ? [fromJ(s[0]), fromJ(s[1]), s[2].map(fromJ)] : null,
        tierPlural: n.tierPlural, tierSingular: n.tierSingular,
      };
    });
    plan.index = {};
    plan.nodes.forEach(function (n) { plan.index[n.id] = n; });
    plan.steps = raw.steps.map(function (s) {
      return {
        node: plan.index[s.node], slot: plan.index[s.node].slot, expr: s.expr, ownShare: s.ownShare,
        shareTable: s.shareTable, judged: plan.index[s.node].how === "judgement",
        banded: s.banded,
        limits: s.limits.map(function (l) {
          return { id: l.id, cond: l.cond, atMost: l.atMost === null ? null : plan.levels[l.atMost],
                   atLeast: l.atLeast === null ? null : plan.levels[l.atLeast], description: l.description,
                   condition: l.condition, blocked: l.blocked };
        }),
      };
    });
    plan.stepOf = {};
    plan.steps.forEach(function (s) { plan.stepOf[s.node.id] = s; });
    plan.scoreSteps = {};
    raw.prepared = plan;
    return plan;
  }

  function bound(lim, level) {
    if (lim.atMost !== null && level.index > lim.atMost.index) level = lim.atMost;
    if (lim.atLeast !== null && level.index < lim.atLeast.index) level = lim.atLeast;
    return level;
  }

  // Rounding.ratio: num / den rounded as the table says, exactly
  function ratio(t, num, den) {
    if (t.places === null) return Q(num, den);
    const scale = 10n ** BigInt(t.places);
    num *= scale;
    const f = floorDiv(num, den), rem = num - f * den;
    let n;
    if (t.mode === "down") n = f;
    else if (t.mode === "up") n = rem === 0n ? f : f + 1n;
    else if (t.mode === "half_up") n = 2n * rem >= den ? f + 1n : f;
    else n = (2n * rem > den || (2n * rem === den && ((f % 2n) + 2n) % 2n === 1n)) ? f + 1n : f;
    return Q(n, scale);
  }
  function apply(t, x) { return t.places === null ? x : ratio(t, x.n, x.d); }
  const WHOLE = { places: 0, mode: "half_up" };

  function contains(b, x) {
    if (b.min !== null && cmp(x, b.min) < 0) return false;
    if (b.max !== null && cmp(x, b.max) > 0) return false;
    if (b.below !== null && cmp(x, b.below) >= 0) return false;
    return true;
  }
  function lookup(t, x) {
    for (let i = 0; i < t.bands.length; i++) if (contains(t.bands[i], x)) return t.bands[i];
    return null;
  }

  // -- values --------------------------------------------------------------------------------------------

  function NR(reason) { return { nr: true, reason: reason }; }
  function isNR(v) { return v !== null && typeof v === "object" && v.nr === true; }
  function isLevel(v) { return v !== null && typeof v === "object" && v.level === true; }

  function measureValue(m) {
    if (m.percent !== null) return m.percent;
    if (!m.of) return null;
    return Q(100n * m.yes, m.of);
  }

  // -- the interpreter: one evaluation's context ---------------------------------------------------------

  function Ctx(plan, measures, judgements) {
    this.plan = plan;
    this.ratings = new Array(plan.nodes.length).fill(null);
    this.measures = measures;
    this.judgements = judgements;
    this.trace = null;
    this.owner = null;
    this.override = null;
  }

  function measureOf(ctx, id) {
    if (ctx.override !== null && ctx.owner !== null && ctx.owner.id === id) return ctx.override;
    return Object.prototype.hasOwnProperty.call(ctx.measures, id) ? ctx.measures[id] : null;
  }

  function run(e, ctx) {
    switch (e.k) {
      case "num": return fromJ(e.v);
      case "str": return e.v;
      case "bool": return e.v;
      case "level": return ctx.plan.levels[e.v];
      case "table": return e.v;
      case "nodes": return e.v;
      case "neg": { const v = run(e.a, ctx); return isNR(v) ? v : neg(v); }
      case "not": { const v = run(e.a, ctx); return isNR(v) ? v : !v; }
      case "arith": {
        const x = run(e.a, ctx), y = run(e.b, ctx);
        if (isNR(x)) return x;
        if (isNR(y)) return y;
        if (e.op === "+") return add(x, y);
        if (e.op === "-") return sub(x, y);
        if (e.op === "*") return mul(x, y);
        if (y.n === 0n) return NR("division by zero in '" + e.text + "'");
        return div(x, y);
      }
      case "cmp": {
        let x = run(e.a, ctx), y = run(e.b, ctx);
        if (isNR(x)) return x;
        if (isNR(y)) return y;
        let c;
        if (isLevel(x)) c = x.index - y.index;
        else if (isQ(x)) c = cmp(x, y);
        else {
          if (e.op === "==") return x === y;
          if (e.op === "!=") return x !== y;
          c = x < y ? -1 : x > y ? 1 : 0;
        }
        switch (e.op) {
          case "==": return c === 0;
          case "!=": return c !== 0;
          case "<": return c < 0;
          case "<=": return c <= 0;
          case ">": return c > 0;
          default: return c >= 0;
        }
      }
      case "and": {
        const x = run(e.a, ctx);
        if (x === false) return false;
        const y = run(e.b, ctx);
        if (y === false) return false;
        if (isNR(x)) return x;
        if (isNR(y)) return y;
        return true;
      }
      case "or": {
        const x = run(e.a, ctx);
        if (x === true) return true;
        const y = run(e.b, ctx);
        if (y === true) return true;
        if (isNR(x)) return x;
        if (isNR(y)) return y;
        return false;
      }
      case "if": {
        const v = run(e.c, ctx);
        if (isNR(v)) return NR("cannot decide '" + e.text + "': " + v.reason);
        return v ? run(e.t, ctx) : run(e.o, ctx);
      }
      case "call": return CALLS[e.f](e, ctx);
    }
    throw new Error("unknown expression " + e.k);
  }

  function trace(ctx, event) { if (ctx.trace !== null) ctx.trace.push(event); }
  function rated(ctx, id) { const v = ctx.ratings[ctx.plan.index[id].slot]; return isLevel(v) ? v : null; }

  const CALLS = {
    share: function (e, ctx) {
      const m = measureOf(ctx, e.node);
      if (m === null) return NR("no cases or figures were given");
      const v = measureValue(m);
      if (v === null) return NR("no inspected case applied");
      trace(ctx, { t: "share", node: e.node, measure: m, value: v, pooled: false });
      return v;
    },
    pooled_share: function (e, ctx) {
      const own = measureOf(ctx, e.owner);
      if (own !== null) {
        const v = measureValue(own);
        if (v === null) return NR("no inspected case applied");
        trace(ctx, { t: "share", node: e.owner, measure: own, value: v, pooled: true });
        return v;
      }
      let yes = 0n, of = 0n;
      for (let i = 0; i < e.members.length; i++) {
        const id = e.members[i];
        const m = Object.prototype.hasOwnProperty.call(ctx.measures, id) ? ctx.measures[id] : null;
        if (m === null) continue;
        if (m.of === null) return NR(id + " has only a percentage, which cannot be pooled");
        yes += m.yes; of += m.of;
      }
      if (of === 0n) return NR("no applicable answers to pool");
      const v = Q(100n * yes, of);
      trace(ctx, { t: "share", node: e.owner, measure: { yes: yes, of: of, percent: null }, value: v, pooled: true });
      return v;
    },
    yes: function (e, ctx) { return counted(e, ctx, "yes"); },
    applicable: function (e, ctx) { return counted(e, ctx, "of"); },
    band: function (e, ctx) {
      const v = run(e.x, ctx);
      if (isNR(v)) return v;
      const t = ctx.plan.tables[e.table];
      const r = apply(t, v), b = lookup(t, r);
      if (b === null) return NR(str(r) + " falls in no band of '" + t.id + "'");
      trace(ctx, { t: "band", table: t, value: v, rounded: r, band: b });
      return b.level;
    },
    lowest: function (e, ctx) { return pick(e, ctx, "lowest"); },
    highest: function (e, ctx) { return pick(e, ctx, "highest"); },
    rating: function (e, ctx) {
      const v = ctx.ratings[ctx.plan.index[e.node].slot];
      if (v === null) return NR(e.node + " is not rated");
      if (isNR(v)) return NR(e.node + " is not rated (" + v.reason + ")");
      trace(ctx, { t: "ref", node: e.node });
      return v;
    },
    is_rated: function (e, ctx) { return isLevel(ctx.ratings[ctx.plan.index[e.node].slot]); },
    score: function (e, ctx) {
      const lv = run(e.x, ctx);
      if (isNR(lv)) return lv;
      if (lv.score === null) return NR("'" + lv.label + "' has no score");
      return lv.score;
    },
    sum_scores: function (e, ctx) {
      let total = Q(0n);
      for (let i = 0; i < e.members.length; i++) {
        const id = e.members[i], lv = ctx.ratings[ctx.plan.index[id].slot];
        if (!isLevel(lv)) {
          const why = isNR(lv) ? " (" + lv.reason + ")" : "";
          return NR(id + " is not rated" + why + ", so the scores cannot be added up");
        }
        if (lv.score === null) return NR(id + "'s rating '" + lv.label + "' has no score");
        total = add(total, lv.score);
      }
      trace(ctx, { t: "sum", nodes: e.members, total: total, maximum: fromJ(e.maximum), plural: e.plural });
      return total;
    },
    mean_score: function (e, ctx) {
      const scored = [];
      let sum = Q(0n);
      e.members.forEach(function (id) {
        const lv = ctx.ratings[ctx.plan.index[id].slot];
        if (isLevel(lv) && lv.score !== null) { scored.push(id); sum = add(sum, lv.score); }
      });
      if (!scored.length) return NR("none of the nodes is rated");
      const value = div(sum, int(scored.length));
      if (ctx.trace !== null) {
        trace(ctx, { t: "mean", nodes: scored, of: e.members.length, value: value,
                     plural: pluralOf(ctx.plan, scored) });
      }
      return value;
    },
    count: function (e, ctx) {
      const level = run(e.level, ctx);
      if (isNR(level)) return level;
      let k = 0;
      e.members.forEach(function (id) { if (ctx.ratings[ctx.plan.index[id].slot] === level) k++; });
      return int(k);
    },
    count_rated: function (e, ctx) {
      let k = 0;
      e.members.forEach(function (id) { if (isLevel(ctx.ratings[ctx.plan.index[id].slot])) k++; });
      return int(k);
    },
    nodes: function (e) { return e.members; },
    min: function (e, ctx) { return extreme(e, ctx, -1); },
    max: function (e, ctx) { return extreme(e, ctx, 1); },
    judgement: function (e, ctx) {
      const level = Object.prototype.hasOwnProperty.call(ctx.judgements, e.node) ? ctx.judgements[e.node] : null;
      trace(ctx, { t: "judgement", level: level });
      return level !== null ? level : NR(e.reason);
    },
    not_rated: function (e) { return NR(e.reason); },
  };

  function counted(e, ctx, which) {
    const m = measureOf(ctx, e.node);
    if (m === null) return NR("no cases or figures were given");
    if (m.of === null) return NR("only a percentage was given, not counts");
    return Q(which === "yes" ? m.yes : m.of);
  }

  function pick(e, ctx, func) {
    const got = [];
    e.members.forEach(function (id) {
      const lv = ctx.ratings[ctx.plan.index[id].slot];
      if (isLevel(lv)) got.push([id, lv]);
    });
    if (!got.length) return NR(e.none);
    let level = got[0][1];
    got.forEach(function (p) {
      if (func === "lowest" ? p[1].index < level.index : p[1].index > level.index) level = p[1];
    });
    if (ctx.trace !== null) {
      const chosen = got.filter(function (p) { return p[1] === level; }).map(function (p) { return p[0]; });
      trace(ctx, { t: "pick", func: func, chosen: chosen, level: level, plural: e.plural });
    }
    return level;
  }

  function extreme(e, ctx, sign) {
    const values = e.args.map(function (a) { return run(a, ctx); });
    for (let i = 0; i < values.length; i++) if (isNR(values[i])) return values[i];
    let best = values[0];
    for (let i = 1; i < values.length; i++) {
      const c = isLevel(best) ? values[i].index - best.index : cmp(values[i], best);
      if (c * sign > 0) best = values[i];
    }
    return best;
  }

  function pluralOf(plan, ids) {
    const tiers = {};
    let first = null, k = 0;
    ids.forEach(function (id) {
      const n = plan.index[id];
      if (n.tier !== null) { if (!(n.tier in tiers)) { tiers[n.tier] = true; k++; } if (first === null) first = n; }
    });
    return k === 1 ? first.tierPlural : "nodes";
  }

  // -- explaining (evaluate._explain) --------------------------------------------------------------------

  function fmt(x, unit) {
    if (x === null || x === undefined) return "-";
    const text = x.d === 1n ? x.n.toString() : fixed(x, 1);
    return text + (unit === "percent" ? "%" : "");
  }
  function decimal(x) {
    if (x.d === 1n) return x.n.toString();
    return fixed(x, 4).replace(/0+$/, "").replace(/\.$/, "");
  }

  function explain(value, events) {
    const clauses = [], decidedBy = [], fields = {};
    let any = false;
    function by(id) { if (decidedBy.indexOf(id) < 0) decidedBy.push(id); }
    events.forEach(function (e) {
      if (e.t === "judgement") {
        if (e.level !== null) clauses.push("judged by inspectors");
      } else if (e.t === "share") {
        any = true;
        fields.measure = e.measure; fields.pooled = e.pooled;
        const m = e.measure;
        if (m.of !== null && m.percent === null) {
          const unit = e.pooled ? "answers" : "cases";
          const shown = e.value.d !== 1n ? fmt(e.value, "percent") : fmt(Q(roundEven(e.value)), "percent");
          clauses.push(m.yes.toString() + " of " + m.of.toString() + " " + unit + " sufficient (" + shown + ")");
        } else {
          const pct = fmt(m.percent === null ? Q(roundEven(e.value)) : m.percent, "percent");
          clauses.push(pct + " sufficient (published figure)");
        }
      } else if (e.t === "band") {
        any = true;
        fields.value = e.value; fields.rounded = e.rounded; fields.table = e.table; fields.band = e.band;
        const t = e.table;
        const rounded = cmp(e.rounded, e.value) !== 0 ? "rounds to " + fmt(e.rounded, t.unit) + ", " : "";
        const note = t.inferred ? " (thresholds inferred, not published)" : "";
        clauses.push(rounded + "in the " + e.band.level.label + " band (" + e.band.text + ")" + note);
      } else if (e.t === "pick") {
        e.chosen.forEach(by);
        clauses.push("the " + e.func + " rating of its " + e.plural + ": " + e.chosen.join(", ") + " " +
                     (e.chosen.length === 1 ? "is" : "are") + " " + e.level.label);
      } else if (e.t === "sum") {
        any = true;
        fields.sum = e.total; fields.maximum = e.maximum;
        const of = e.maximum !== null ? " of " + fmt(e.maximum) : "";
        clauses.push("the scores of its " + e.nodes.length + " counted " + e.plural + " add up to " +
                     fmt(e.total) + of);
        e.nodes.forEach(by);
      } else if (e.t === "mean") {
        const r = e.nodes.length === e.of ? "" : " rated (of " + e.of + ")";
        clauses.push("the mean score of its " + e.nodes.length + r + " " + e.plural + " is " + decimal(e.value));
        e.nodes.forEach(by);
      }
    });
    if (isNR(value)) clauses.push("not rated: " + value.reason);
    else if (!clauses.length && isLevel(value)) clauses.push(value.label + " by its rule");
    return { reason: clauses.join("; "), decidedBy: decidedBy, fields: fields, any: any };
  }

  // -- binding what the reader entered (engine/bind.py, for judgements and figures) -----------------------

  function parseDecimal(text) {
    const m = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(String(text)) || /^\s*\.(\d+)\s*$/.exec(String(text));
    if (!m) return null;
    if (m.length === 2) return Q(BigInt(m[1]), 10n ** BigInt(m[1].length));
    const frac = m[2] || "";
    return Q(BigInt(m[1] + frac), 10n ** BigInt(frac.length));
  }

  function parseCount(text) {
    const s = String(text).trim();
    return /^\d+$/.test(s) ? BigInt(s) : null;
  }

  /* input: {judgements: {id: level id or null}, figures: {id: {percent: "64.5"} or {yes: 11, of: 17}}}
   * -> {errors: {id: message}} or the bound evidence */
  function bind(plan, input) {
    const raw = plan.raw, errors = {}, judgements = {}, measures = {};
    const given = input || {}, js = given.judgements || {}, fs = given.figures || {};
    const missing = [];
    raw.inputs.forEach(function (inp) {
      const node = plan.index[inp.node];
      if (inp.kind === "judgement") {
        const v = js[inp.node];
        if (v === null || v === undefined || v === "") {
          judgements[inp.node] = null;
          if (inp.required) missing.push(inp.node);
          return;
        }
        const lv = node.scale.filter(function (l) { return l.id === v; })[0];
        if (!lv) { errors[inp.node] = "'" + v + "' is not a level of this scale"; return; }
        judgements[inp.node] = lv;
        return;
      }
      const f = fs[inp.node];
      if (!f) return;
      const hasP = f.percent !== undefined && f.percent !== null && String(f.percent).trim() !== "";
      const hasY = f.yes !== undefined && f.yes !== null && String(f.yes).trim() !== "";
      const hasO = f.of !== undefined && f.of !== null && String(f.of).trim() !== "";
      if (!hasP && !hasY && !hasO) return;
      if (hasP && (hasY || hasO)) { errors[inp.node] = "give the percentage or the counts, not both"; return; }
      if (hasP) {
        const p = parseDecimal(f.percent);
        if (p === null || cmp(p, Q(100n)) > 0) { errors[inp.node] = "a percentage is a number from 0 to 100"; return; }
        measures[inp.node] = { yes: null, of: null, percent: p };
        return;
      }
      if (!(hasY && hasO)) { errors[inp.node] = "give both the cases judged sufficient and the cases inspected"; return; }
      const y = parseCount(f.yes), o = parseCount(f.of);
      if (y === null || o === null) { errors[inp.node] = "cases are counted in whole numbers"; return; }
      if (y > o) { errors[inp.node] = "sufficient (" + y + ") is more than inspected (" + o + ")"; return; }
      if (o > BigInt(raw.maxCases)) { errors[inp.node] = "at most " + raw.maxCases + " cases"; return; }
      measures[inp.node] = { yes: y, of: o, percent: null };
    });
    if (Object.keys(errors).length) return { errors: errors };
    raw.shareRated.forEach(function (id) { if (!measures[id]) missing.push(id); });
    const partial = missing.length > 0;
    let leftOut = [];
    if (partial) {
      raw.judgedRequired.forEach(function (id) { if (judgements[id] === null || judgements[id] === undefined) leftOut.push(id); });
      raw.needed.forEach(function (p) { if (!measures[p[0]] && plan.index[p[0]].rated) leftOut.push(p[0]); });
      const seen = {};
      leftOut = leftOut.filter(function (id) { if (seen[id]) return false; seen[id] = true; return true; });
      leftOut.sort(function (a, b) { return plan.index[a].slot - plan.index[b].slot; });
    }
    return { judgements: judgements, measures: measures, partial: partial, leftOut: leftOut };
  }

  // -- evaluate (engine/evaluate.py) ---------------------------------------------------------------------

  const MARGIN_RERUNS = 1000000;

  function evaluate(rawPlan, input) {
    const plan = prepare(rawPlan);
    const b = bind(plan, input);
    if (b.errors) return { errors: b.errors };
    const ctx = new Ctx(plan, b.measures, b.judgements);
    const traces = {}, applied = [], limitRefs = {};
    plan.steps.forEach(function (step) {
      ctx.owner = step.node;
      ctx.trace = [];
      let value = run(step.expr, ctx);
      traces[step.node.id] = ctx.trace;
      for (let i = 0; i < step.limits.length; i++) {
        if (!isLevel(value)) break;
        const lim = step.limits[i];
        ctx.trace = [];
        const holds = run(lim.cond, ctx);
        if (holds !== true) continue;
        const nw = bound(lim, value);
        if (nw !== value) {
          applied.push({ id: lim.id, node: step.node.id, before: value, after: nw, lim: lim });
          const refs = limitRefs[step.node.id] = limitRefs[step.node.id] || [];
          ctx.trace.forEach(function (ev) { if (ev.t === "ref") refs.push(ev.node); });
          value = nw;
        }
      }
      ctx.ratings[step.slot] = value;
    });
    ctx.trace = null;
    const budget = [MARGIN_RERUNS, 0];
    const results = buildResults(plan, ctx, traces, applied, limitRefs, b, budget);
    if (b.partial) markPartial(plan, results, b.leftOut);
    return toJson(plan, results, applied, b);
  }

  function buildResults(plan, ctx, traces, applied, limitRefs, b, budget) {
    const out = {};
    const limited = {};
    applied.forEach(function (a) { (limited[a.node] = limited[a.node] || []).push(a); });
    plan.nodes.forEach(function (n) {
      const m = Object.prototype.hasOwnProperty.call(b.measures, n.id) ? b.measures[n.id] : null;
      const r = { node: n, level: null, reason: "", how: n.how, measure: null, value: null, rounded: null, table: null,
                  band: null, decidedBy: [], margin: null, limits: [], maximum: null, pooled: false };
      out[n.id] = r;
      if (!n.rated) { r.reason = n.unrated; r.measure = m; return; }
      const value = ctx.ratings[n.slot];
      r.level = isLevel(value) ? value : null;
      const judged = n.how === "judgement";
      const ex = explain(value, traces[n.id] || []);
      let reason = ex.reason;
      r.decidedBy = ex.decidedBy;
      const f = ex.fields;
      if (ex.any) {
        r.measure = f.measure || (!judged ? m : null);
        r.value = f.sum !== undefined ? f.sum : (f.value !== undefined ? f.value : null);
        r.rounded = f.rounded || null; r.table = f.table || null; r.band = f.band || null;
        r.maximum = f.maximum !== undefined ? f.maximum : null;
        r.pooled = f.pooled || false;
      } else if (!judged) {
        r.measure = m;
      }
      (limited[n.id] || []).forEach(function (a) {
        r.limits.push(a.id);
        const what = a.lim.description || a.lim.condition;
        reason += "; limited from " + a.before.label + " to " + a.after.label + " by '" + a.id + "' (" + what + ")";
      });
      (limitRefs[n.id] || []).forEach(function (ref) { if (r.decidedBy.indexOf(ref) < 0) r.decidedBy.push(ref); });
      r.reason = reason;
    });
    plan.steps.forEach(function (step) {
      const res = out[step.node.id];
      if (res.level !== null) res.margin = margin(step, ctx, res, out, budget);
    });
    return out;
  }

  function idList(ids) {
    return ids.length <= 20 ? ids.join(", ") : ids.slice(0, 20).join(", ") + " and " + (ids.length - 20) + " more";
  }

  function markPartial(plan, results, leftOut) {
    if (!leftOut.length) return;
    leftOut.forEach(function (id) {
      const r = results[id];
      if (r && r.level === null) r.reason = "not rated: no evidence was given (the evidence is declared partial)";
    });
    const above = {}, order = [];
    function note(id, missing) {
      if (!(id in above)) { above[id] = []; order.push(id); }
      above[id].push(missing);
    }
    leftOut.forEach(function (id) {
      let p = plan.index[id].parent;
      while (p !== null) { note(p, id); p = plan.index[p].parent; }
      note("overall", id);
    });
    order.forEach(function (id) {
      const r = results[id];
      if (!r || r.level === null || !r.node.rated) return;
      r.reason += "; from partial evidence: no evidence for " + idList(above[id]);
    });
  }

  // -- margins (engine/margins.py) -----------------------------------------------------------------------

  function limitedBy(step, ctx, value) {
    let by = null;
    for (let i = 0; i < step.limits.length; i++) {
      if (!isLevel(value)) break;
      const lim = step.limits[i];
      if (run(lim.cond, ctx) !== true) continue;
      const nw = bound(lim, value);
      if (nw !== value) { value = nw; by = lim; }
    }
    return [value, by];
  }

  const MISSING = {};

  function whatIf(step, ctx, measure, ratings, raw) {
    const now = ctx.ratings, saved = [];
    Object.keys(ratings || {}).forEach(function (k) {
      const i = ctx.plan.index[k].slot;
      saved.push([i, now[i]]);
      now[i] = ratings[k];
    });
    const own = now[step.slot];
    now[step.slot] = null;
    ctx.owner = step.node; ctx.override = measure || null; ctx.trace = null;
    let value, fin;
    try {
      value = raw === undefined || raw === MISSING ? run(step.expr, ctx) : raw;
      fin = limitedBy(step, ctx, value);
    } finally {
      ctx.override = null;
      for (let j = saved.length - 1; j >= 0; j--) now[saved[j][0]] = saved[j][1];
      now[step.slot] = own;
    }
    return [isLevel(fin[0]) ? fin[0] : null, isLevel(value) ? value : null, fin[1]];
  }

  function firstTrue(ok, lo, hi) {
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (ok(mid)) hi = mid; else lo = mid + 1;
    }
    return lo;
  }

  function search(current, roomUp, roomDown, at) {
    const here = current.index;
    let up = null, down = null, blockedUp = null, blockedDown = null;
    const memo = new Map();
    function get(k) { let f = memo.get(k); if (f === undefined) { f = at(k); memo.set(k, f); } return f; }
    function above(lv) { return lv !== null && lv.index > here; }
    function below(lv) { return lv !== null && lv.index < here; }
    if (roomUp >= 0) {
      const top = get(roomUp);
      if (roomUp >= 1 && above(top[0])) {
        const k = firstTrue(function (k) { return above(get(k)[0]); }, 1, roomUp);
        up = [get(k)[0], k];
      } else if (above(top[1])) {
        const k = firstTrue(function (k) { return above(get(k)[1]); }, 0, roomUp);
        const lim = get(k)[2] || top[2];
        if (lim !== null) blockedUp = [get(k)[1], lim];
      }
    }
    if (roomDown >= 0) {
      const bottom = get(-roomDown);
      if (roomDown >= 1 && below(bottom[0])) {
        const k = firstTrue(function (k) { return below(get(-k)[0]); }, 1, roomDown);
        down = [get(-k)[0], k];
      } else if (below(bottom[1])) {
        const k = firstTrue(function (k) { return below(get(-k)[1]); }, 0, roomDown);
        const lim = get(-k)[2] || bottom[2];
        if (lim !== null) blockedDown = [get(-k)[1], lim];
      }
    }
    return [up, down, blockedUp, blockedDown];
  }

  function MStep(level, o) {
    const s = { level: level, moreYes: null, fewerYes: null, points: null, needs: null, unit: "cases", levels: null };
    Object.keys(o || {}).forEach(function (k) { s[k] = o[k]; });
    return s;
  }
  function Blocked(pair) { return { level: pair[0], limit: pair[1].id, condition: pair[1].blocked }; }
  function marginOf(found, upStep, downStep) {
    const out = { up: found[0] && upStep(found[0]), down: found[1] && downStep(found[1]),
                  blockedUp: found[2] && Blocked(found[2]), blockedDown: found[3] && Blocked(found[3]) };
    return out.up || out.down || out.blockedUp || out.blockedDown ? out : null;
  }
  function bitLength(n) { return n === 0n ? 0 : n.toString(2).length; }

  function margin(step, ctx, res, results, budget) {
    const current = res.level, m = res.measure, plan = ctx.plan;
    if (step.ownShare && m !== null) {
      if (m.of !== null && m.percent === null) {
        const unit = res.pooled ? "answers" : "cases";
        const table = step.shareTable;
        if (table !== null && res.table !== null && res.table.id === table && !step.limits.length) {
          const found = marginShare(plan.tables[table], m.yes, m.of, current);
          return { up: found[0] && MStep(found[0][0], { moreYes: found[0][1], unit: unit }),
                   down: found[1] && MStep(found[1][0], { fewerYes: found[1][1], unit: unit }),
                   blockedUp: null, blockedDown: null };
        }
        const cost = 2 * (bitLength(m.of) + 2);
        if (cost > budget[0]) { budget[1] += 1; return null; }
        budget[0] -= cost;
        const yes = Number(m.yes), of = Number(m.of);
        const found = search(current, of - yes, yes, function (k) {
          return whatIf(step, ctx, { yes: m.yes + BigInt(k), of: m.of, percent: null });
        });
        return marginOf(found, function (s) { return MStep(s[0], { moreYes: BigInt(s[1]), unit: unit }); },
                        function (s) { return MStep(s[0], { fewerYes: BigInt(s[1]), unit: unit }); });
      }
      if (m.percent !== null) {
        const v = m.percent, table = step.shareTable;
        let stepSize, found;
        if (table !== null && res.table !== null && res.table.id === table && !step.limits.length) {
          const t = plan.tables[table];
          stepSize = resolution(v, t);
          const bandAt = function (k) {
            const b = lookup(t, apply(t, add(v, mul(int(k), stepSize))));
            return b !== null ? b.level : null;
          };
          found = search(current, Number(floorQ(div(sub(Q(100n), v), stepSize))), Number(floorQ(div(v, stepSize))),
                         function (k) { const l = bandAt(k); return [l, l, null]; });
        } else {
          stepSize = resolution(v, res.table);
          found = search(current, Number(floorQ(div(sub(Q(100n), v), stepSize))), Number(floorQ(div(v, stepSize))),
                         function (k) {
                           return whatIf(step, ctx, { yes: null, of: null, percent: add(v, mul(int(k), stepSize)) });
                         });
        }
        const mk = function (s) { return MStep(s[0], { points: mul(int(s[1]), stepSize) }); };
        return marginOf(found, mk, mk);
      }
    }
    if (step.banded !== null && res.table !== null && res.table.id === step.banded.table && res.value !== null) {
      return marginBanded(step, ctx, res);
    }
    if (res.decidedBy.length && !step.judged) return marginChildren(step, ctx, res, results);
    return null;
  }

  function resolution(v, table) {
    const places = table !== null && table.places !== null ? table.places : 0;
    let d = 0;
    while (d < 4 && mul(v, Q(10n ** BigInt(d))).d !== 1n) d++;
    return Q(1n, 10n ** BigInt(Math.min(4, Math.max(places, d))));
  }

  function fineStep(table) {
    const places = table.places !== null ? table.places : 0;
    return Q(1n, 10n ** BigInt(Math.max(4, places + 2)));
  }

  function lcm(a, b) { return a / gcd(a, b) * b; }

  function scoreStep(scales) {
    const gaps = [];
    scales.forEach(function (s) { s[2].forEach(function (g) { if (g.n !== 0n) gaps.push(g); }); });
    if (!gaps.length) return [null, false];
    let den = 1n;
    gaps.forEach(function (g) { den = lcm(den, g.d); });
    let num = 0n;
    gaps.forEach(function (g) { num = gcd(num, g.n * (den / g.d)); });
    const g = Q(num, den);
    return [g, gaps.every(function (x) { return cmp(x, g) === 0; })];
  }

  function marginBanded(step, ctx, res) {
    const plan = ctx.plan, table = plan.tables[step.banded.table], kind = step.banded.kind;
    const members = step.banded.members.map(function (id) { return plan.index[id]; });
    const v = res.value, current = res.level;
    let levels = false, among = null, stepSize, lo, hi;
    if (kind === "sum" || kind === "mean") {
      const scored = members.filter(function (n) {
        const lv = ctx.ratings[n.slot];
        return isLevel(lv) && lv.score !== null;
      });
      const keys = [], byKey = {};
      scored.forEach(function (n) { if (!(n.scaleKey in byKey)) { byKey[n.scaleKey] = n.scores; keys.push(n.scaleKey); } });
      const key = keys.join("|");
      let found = plan.scoreSteps[key];
      if (found === undefined) found = plan.scoreSteps[key] = scoreStep(keys.map(function (k) { return byKey[k]; }));
      stepSize = found[0];
      const uniform = found[1];
      if (stepSize === null) return null;
      lo = Q(0n); hi = Q(0n);
      scored.forEach(function (n) { lo = add(lo, n.scores[0]); hi = add(hi, n.scores[1]); });
      if (kind === "mean") {
        const len = int(scored.length);
        stepSize = div(stepSize, len); lo = div(lo, len); hi = div(hi, len);
        if (uniform) { levels = true; among = amongText(members, scored); }
      }
    } else {
      stepSize = fineStep(table);
      const ends = [];
      table.bands.forEach(function (b) { if (b.min !== null) ends.push(b.min); });
      table.bands.forEach(function (b) {
        if (b.upper !== null) ends.push(b.max !== null ? b.max : sub(b.below, stepSize));
      });
      if (table.unit === "percent") { lo = Q(0n); hi = Q(100n); } else {
        ends.push(v);
        lo = ends.reduce(function (a, b) { return cmp(b, a) < 0 ? b : a; });
        hi = ends.reduce(function (a, b) { return cmp(b, a) > 0 ? b : a; });
      }
    }
    const bandAt = function (k) {
      const b = lookup(table, apply(table, add(v, mul(int(k), stepSize))));
      return b !== null ? b.level : null;
    };
    const roomUp = Number(floorQ(div(sub(hi, v), stepSize))), roomDown = Number(floorQ(div(sub(v, lo), stepSize)));
    let found;
    if (step.limits.length) {
      found = search(current, roomUp, roomDown, function (k) { return whatIf(step, ctx, null, null, bandAt(k)); });
    } else {
      found = search(current, roomUp, roomDown, function (k) { const l = bandAt(k); return [l, l, null]; });
    }
    const make = function (s) {
      if (levels) return MStep(s[0], { points: mul(int(s[1]), stepSize), levels: s[1], among: among });
      return MStep(s[0], { points: mul(int(s[1]), stepSize) });
    };
    return marginOf(found, make, make);
  }

  function amongText(members, scored) {
    const tiers = {};
    let k = 0;
    members.forEach(function (n) { if (n.tier !== null && !(n.tier in tiers)) { tiers[n.tier] = true; k++; } });
    let plural = "nodes", singular = "node";
    if (k === 1 && members[0].tier !== null) { plural = members[0].tierPlural; singular = members[0].tierSingular; }
    const ratedText = scored.length < members.length ? " rated" : "";
    if (scored.length === 1) return "its" + ratedText + " " + singular + " " + scored[0].id;
    return "its " + scored.length + ratedText + " " + plural;
  }

  function marginChildren(step, ctx, res, results) {
    const out = { up: null, down: null, blockedUp: null, blockedDown: null };
    const current = res.level;
    let needs = {};
    for (let i = 0; i < res.decidedBy.length; i++) {
      const child = results[res.decidedBy[i]];
      if (!child || child.margin === null || !child.margin.up) { needs = null; break; }
      needs[res.decidedBy[i]] = child.margin.up;
    }
    if (needs !== null && Object.keys(needs).length) {
      const ratings = {};
      Object.keys(needs).forEach(function (c) { ratings[c] = needs[c].level; });
      const w = whatIf(step, ctx, null, ratings);
      if (w[0] !== null && w[0].index > current.index) out.up = MStep(w[0], { needs: needs });
      else if (w[1] !== null && w[1].index > current.index && w[2] !== null) out.blockedUp = Blocked([w[1], w[2]]);
    } else if (current.index < step.node.scale.length - 1) {
      const w = whatIf(step, ctx);
      if (w[1] !== null && w[1].index > current.index && w[2] !== null) out.blockedUp = Blocked([w[1], w[2]]);
    }
    const downs = [];
    step.node.children.forEach(function (cid) {
      const child = results[cid];
      if (!child || child.level === null || child.margin === null || !child.margin.down) return;
      const s = child.margin.down;
      const size = s.fewerYes !== null ? Q(s.fewerYes) : s.points;
      downs.push([size === null, size === null ? Q(0n) : size, cid, s]);
    });
    downs.sort(function (a, b) { return (a[0] - b[0]) || cmp(a[1], b[1]); });
    for (let i = 0; i < downs.length; i++) {
      const cid = downs[i][2], s = downs[i][3];
      const ratings = {};
      ratings[cid] = s.level;
      const w = whatIf(step, ctx, null, ratings);
      if (w[0] !== null && w[0].index < current.index) {
        const nd = {};
        nd[cid] = s;
        out.down = MStep(w[0], { needs: nd });
        break;
      }
      if (w[1] !== null && w[1].index < current.index && w[2] !== null && out.blockedDown === null) {
        out.blockedDown = Blocked([w[1], w[2]]);
      }
    }
    if (out.down !== null) out.blockedDown = null;
    return out.up || out.down || out.blockedUp || out.blockedDown ? out : null;
  }

  function marginShare(table, yes, of, current) {
    const scale = table.places !== null ? 10n ** BigInt(table.places) : null;
    function levelAt(y) { const b = lookup(table, ratio(table, 100n * y, of)); return b !== null ? b.level : null; }
    function near(edge, lo, hi) {
      const n = edge.n, d = edge.d;
      let low, high;
      if (scale === null) { low = high = [n * of, d * 100n]; } else {
        low = [(n * scale - d) * of, d * scale * 100n];
        high = [(n * scale + d) * of, d * scale * 100n];
      }
      const a = floorDiv(low[0], low[1]), b = -floorDiv(-high[0], high[1]);
      return [a > lo ? a : lo, b < hi ? b : hi];
    }
    function first(ok, lo, hi) {
      while (lo < hi) { const mid = floorDiv(lo + hi, 2n); if (ok(mid)) hi = mid; else lo = mid + 1n; }
      return lo;
    }
    let upStep = null, downStep = null;
    const rises = [], falls = [];
    table.bands.forEach(function (b) {
      if (b.level.index > current.index && b.min !== null) rises.push(b.min);
      if (b.level.index < current.index && b.upper !== null) falls.push(b.upper);
    });
    if (rises.length && yes < of) {
      const edge = rises.reduce(function (a, b) { return cmp(b, a) < 0 ? b : a; });
      const ab = near(edge, yes + 1n, of), a = ab[0], b = ab[1];
      const up = function (y) { const lv = levelAt(y); return lv !== null && lv.index > current.index; };
      let y;
      if (a <= b && up(b) && (a === yes + 1n || !up(a - 1n))) y = first(up, a, b);
      else y = up(of) ? yes + first(function (k) { return up(yes + k); }, 1n, of - yes) : null;
      if (y !== null) upStep = [levelAt(y), y - yes];
    }
    if (falls.length && yes > 0n) {
      const edge = falls.reduce(function (a, b) { return cmp(b, a) > 0 ? b : a; });
      const ab = near(edge, 0n, yes - 1n), a = ab[0], b = ab[1];
      const down = function (k) { const lv = levelAt(yes - k); return lv !== null && lv.index < current.index; };
      let k;
      if (a <= b && down(yes - a) && (b === yes - 1n || !down(yes - b - 1n))) k = first(down, yes - b, yes - a);
      else k = down(yes) ? first(down, 1n, yes) : null;
      if (k !== null) downStep = [levelAt(yes - k), k];
    }
    return [upStep, downStep];
  }

  // -- the JSON of a result (engine/result.py to_json) ---------------------------------------------------

  function stepJson(s) {
    const out = { rating: s.level.id, label: s.level.label };
    if (s.moreYes !== null) out.more_yes = Number(s.moreYes);
    if (s.fewerYes !== null) out.fewer_yes = Number(s.fewerYes);
    if (s.unit !== "cases" && (s.moreYes !== null || s.fewerYes !== null)) out.unit = s.unit;
    if (s.points !== null) out.points = number(s.points);
    if (s.levels !== null && s.levels !== false) out.levels = s.levels;
    if (s.needs !== null) {
      out.needs = {};
      Object.keys(s.needs).forEach(function (k) { out.needs[k] = stepJson(s.needs[k]); });
    }
    return out;
  }
  function blockedJson(b) { return { rating: b.level.id, label: b.level.label, limit: b.limit, "while": b.condition }; }
  function marginJson(m) {
    const out = {};
    if (m.up) out.up = stepJson(m.up);
    if (m.down) out.down = stepJson(m.down);
    if (m.blockedUp) out.up_blocked = blockedJson(m.blockedUp);
    if (m.blockedDown) out.down_blocked = blockedJson(m.blockedDown);
    return out;
  }

  function percentOf(r) {
    const m = r.measure;
    if (m === null) return null;
    const v = measureValue(m);
    if (v === null) return null;
    if (m.percent !== null) return m.percent;
    return apply(r.table !== null && r.table.unit === "percent" ? r.table : WHOLE, v);
  }

  function nodeJson(r) {
    const out = { rating: r.level ? r.level.id : null };
    if (r.level) {
      out.label = r.level.label;
      if (r.level.score !== null) out.score = number(r.level.score);
    }
    if (r.measure !== null) {
      const p = percentOf(r);
      if (p !== null) out.percent = number(p);
      if (r.measure.of !== null) { out.yes = Number(r.measure.yes); out.of = Number(r.measure.of); }
    } else if (r.value !== null) {
      out.value = number(r.value);
    }
    if (r.decidedBy.length) out.decided_by = r.decidedBy.slice();
    if (r.margin !== null) out.margin = marginJson(r.margin);
    if (r.limits.length) out.limits_applied = r.limits.slice();
    const ref = r.node.reference;
    if (ref !== null) {
      const figures = {};
      ref.figures.forEach(function (f) { figures[f[0]] = number(fromJ(f[1])); });
      out.reference = { source: ref.source, figures: figures };
    }
    out.by = r.node.how;
    out.reason = r.reason;
    return out;
  }

  function toJson(plan, results, applied, b) {
    const out = {};
    const o = results.overall;
    if (o) {
      const overall = { rating: o.level ? o.level.id : null };
      if (o.level) overall.label = o.level.label;
      overall.score = number(o.value);
      overall.max_score = number(o.maximum);
      if (o.margin !== null) overall.margin = marginJson(o.margin);
      if (o.limits.length) overall.limits_applied = o.limits.slice();
      overall.reason = o.reason;
      out.overall = overall;
    }
    out.nodes = {};
    plan.nodes.forEach(function (n) { if (n.id !== "overall") out.nodes[n.id] = nodeJson(results[n.id]); });
    out.limits_applied = applied.map(function (a) {
      return { id: a.id, node: a.node, from: a.before.id, to: a.after.id, condition: a.lim.condition,
               description: a.lim.description };
    });
    if (b.partial) out.partial = { left_out: b.leftOut.slice() };
    if (plan.raw.inferred.length) out.inferred_thresholds = plan.raw.inferred.slice();
    return out;
  }

  // -- the form in the page ------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  const STYLE = [
    ".bsc-wrap{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem;align-items:start}",
    ".bsc-out{position:sticky;top:3.6rem;max-height:calc(100vh - 4.5rem);overflow:auto;padding-right:.3rem}",
    "@media (max-width:50em){.bsc-wrap{grid-template-columns:minmax(0,1fr)}.bsc-out{position:static;max-height:none}" +
      ".bsc-summary{position:sticky;top:2.4rem;z-index:2;background:var(--md-default-bg-color,#fff);padding:.3rem 0;" +
      "border-bottom:1px solid var(--md-default-fg-color--lightest,#ddd)}}",
    ".bsc-form{display:flex;flex-direction:column;gap:.4rem;margin:0}",
    ".bsc-field{border:1px solid var(--md-default-fg-color--lightest,#ccc);border-radius:.2rem;padding:.3rem .6rem;margin:0;min-width:0}",
    ".bsc-field legend,.bsc-field>label{font-size:.7rem;padding:0 .2rem}",
    ".bsc-id{font-weight:700}",
    ".bsc-row{display:flex;flex-wrap:wrap;gap:.2rem .6rem;align-items:end;margin:.1rem 0}",
    ".bsc-row label{font-size:.65rem;display:flex;flex-direction:column}",
    ".bsc-row input,.bsc-row select{font:inherit;font-size:.75rem;padding:.15rem .3rem;border:1px solid var(--md-default-fg-color--light,#666);border-radius:.15rem;background:var(--md-default-bg-color,#fff);color:var(--md-default-fg-color,#000)}",
    ".bsc-row input{width:4.5rem}",
    ".bsc-row select{max-width:100%}",
    ".bsc-row input:focus,.bsc-row select:focus{outline:2px solid var(--md-accent-fg-color,#526cfe);outline-offset:1px}",
    ".bsc-row input[aria-invalid=true]{border-color:#b00020}",
    ".bsc-error{color:#b00020;font-size:.65rem;margin:.1rem 0 0}",
    ".bsc-summary{font-size:.85rem;font-weight:700;margin:0 0 .4rem}",
    ".bsc-tree{list-style:none;padding-left:0;margin:0}",
    ".bsc-tree .bsc-tree{padding-left:.8rem;border-left:2px solid var(--md-default-fg-color--lightest,#ddd)}",
    ".bsc-node{margin:.3rem 0;font-size:.7rem;overflow-wrap:anywhere}",
    ".bsc-rating{font-weight:700}",
    ".bsc-why,.bsc-margin{display:block;color:var(--md-default-fg-color--light,#555)}",
    ".bsc-actions{margin:.4rem 0}",
    ".bsc-actions button{font:inherit;font-size:.7rem;padding:.2rem .6rem;border:1px solid var(--md-default-fg-color--light,#666);border-radius:.15rem;cursor:pointer}",
  ].join("\n");

  function marginText(m) {
    if (!m) return "";
    const parts = [];
    function stepText(s) {
      if (s.more_yes !== undefined) return s.more_yes + " more sufficient " + (s.unit || "cases");
      if (s.fewer_yes !== undefined) return s.fewer_yes + " fewer sufficient " + (s.unit || "cases");
      if (s.levels !== undefined) return s.levels + " level" + (s.levels === 1 ? "" : "s") + " (" + s.points + " points)";
      if (s.points !== undefined) return s.points + " points";
      if (s.needs) {
        return Object.keys(s.needs).map(function (k) { return k + " at " + s.needs[k].label; }).join(" and ");
      }
      return "";
    }
    if (m.up) parts.push("up to " + m.up.label + " with " + stepText(m.up));
    if (m.down) parts.push("down to " + m.down.label + " with " + stepText(m.down));
    if (m.up_blocked) parts.push("not above: " + m.up_blocked.label + " is held back by " + m.up_blocked.limit +
                                 " while " + m.up_blocked["while"]);
    if (m.down_blocked) parts.push("not below: " + m.down_blocked.label + " is held by " + m.down_blocked.limit +
                                   " while " + m.down_blocked["while"]);
    return parts.length ? "Margin: " + parts.join("; ") + "." : "";
  }

  function mount(root) {
    const ref = root.getAttribute("data-framework");
    const raw = (window.bandstandPlans || {})[ref];
    if (!raw) return;
    if (root.bandstandMounted) return;
    root.bandstandMounted = true;
    const plan = prepare(raw);
    const uid = "bsc-" + ref.replace(/[^A-Za-z0-9_-]/g, "-");
    root.textContent = "";
    if (!document.getElementById("bsc-style")) {
      document.head.appendChild(el("style", { id: "bsc-style", text: STYLE }));
    }
    const form = el("form", { class: "bsc-form", "aria-label": "Evidence for " + raw.framework.title });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    const fields = {};
    let k = 0;
    raw.inputs.forEach(function (inp) {
      const n = plan.index[inp.node];
      const id = uid + "-" + (k++);
      const errId = id + "-error";
      const err = el("p", { class: "bsc-error", id: errId, role: "alert", hidden: "" });
      if (inp.kind === "judgement") {
        const select = el("select", { id: id, "data-node": inp.node, "aria-describedby": errId });
        select.appendChild(el("option", { value: "", text: inp.required ? "not given" : "not rated" }));
        n.scale.forEach(function (lv) { select.appendChild(el("option", { value: lv.id, text: lv.label })); });
        const box = el("div", { class: "bsc-field" }, [
          el("label", { for: id }, [el("span", { class: "bsc-id", text: inp.node }),
                                    document.createTextNode(" " + (n.title || "") + " (judgement)")]),
          el("div", { class: "bsc-row" }, [select]), err]);
        form.appendChild(box);
        fields[inp.node] = { kind: "judgement", select: select, err: err };
      } else {
        const mk = function (suffix, text, mode) {
          const input = el("input", { id: id + suffix, type: "text", inputmode: mode, autocomplete: "off",
                                      "data-node": inp.node, "data-part": suffix.slice(1), "aria-describedby": errId });
          return [input, el("label", { for: id + suffix }, [document.createTextNode(text), input])];
        };
        const unit = inp.pooledBy ? "answers" : "cases";
        const yes = mk("-yes", "sufficient", "numeric"), of = mk("-of", "of " + unit, "numeric"),
              pct = mk("-percent", "or per cent", "decimal");
        const box = el("fieldset", { class: "bsc-field" }, [
          el("legend", {}, [el("span", { class: "bsc-id", text: inp.node }), document.createTextNode(
            " " + (n.title || "") + (inp.pooledBy ? " (answers, pooled into " + inp.pooledBy + ")" : ""))]),
          el("div", { class: "bsc-row" }, [yes[1], of[1], pct[1]]), err]);
        form.appendChild(box);
        fields[inp.node] = { kind: "figures", yes: yes[0], of: of[0], percent: pct[0], err: err };
      }
    });
    const summary = el("p", { class: "bsc-summary", role: "status", "aria-live": "polite", id: uid + "-summary" });
    const tree = el("div", { class: "bsc-results", id: uid + "-results" });
    const clear = el("button", { type: "button", text: "Clear all" });
    clear.addEventListener("click", function () {
      Object.keys(fields).forEach(function (id) {
        const f = fields[id];
        if (f.kind === "judgement") f.select.value = ""; else { f.yes.value = ""; f.of.value = ""; f.percent.value = ""; }
      });
      update();
    });
    const out = el("div", { class: "bsc-out", tabindex: "0", role: "region", "aria-label": "Ratings worked out" }, [tree]);
    root.appendChild(summary);
    root.appendChild(el("div", { class: "bsc-wrap" }, [
      el("div", { class: "bsc-in" }, [form, el("div", { class: "bsc-actions" }, [clear])]), out]));

    function read() {
      const input = { judgements: {}, figures: {} };
      Object.keys(fields).forEach(function (id) {
        const f = fields[id];
        if (f.kind === "judgement") input.judgements[id] = f.select.value || null;
        else input.figures[id] = { yes: f.yes.value, of: f.of.value, percent: f.percent.value };
      });
      return input;
    }

    function render(result) {
      tree.textContent = "";
      Object.keys(fields).forEach(function (id) {
        const f = fields[id], msg = result.errors && result.errors[id];
        f.err.textContent = msg || "";
        if (msg) f.err.removeAttribute("hidden"); else f.err.setAttribute("hidden", "");
        const inputs = f.kind === "judgement" ? [f.select] : [f.yes, f.of, f.percent];
        inputs.forEach(function (i) { if (msg) i.setAttribute("aria-invalid", "true"); else i.removeAttribute("aria-invalid"); });
      });
      if (result.errors) {
        summary.textContent = "Correct the marked figures to see the ratings.";
        return;
      }
      const o = result.overall;
      summary.textContent = o ? "Overall: " + (o.label || "not rated") + (o.score !== null ? " (score " + o.score +
        (o.max_score !== null ? " of " + o.max_score : "") + ")" : "") +
        (result.partial ? "; from partial evidence" : "") : "";
      const list = el("ul", { class: "bsc-tree" });
      if (o) list.appendChild(item("overall", raw.framework.title, o, null));
      const childrenOf = {};
      plan.nodes.forEach(function (n) {
        if (n.id === "overall") return;
        const key = n.parent === null ? "" : n.parent;
        (childrenOf[key] = childrenOf[key] || []).push(n);
      });
      function add(parentId, into) {
        (childrenOf[parentId] || []).forEach(function (n) {
          const r = result.nodes[n.id];
          if (!n.rated && !(childrenOf[n.id] || []).some(function (c) { return c.rated; }) && r.percent === undefined) return;
          const li = item(n.id, n.title, r, n);
          if (childrenOf[n.id]) {
            const sub = el("ul", { class: "bsc-tree" });
            add(n.id, sub);
            if (sub.childNodes.length) li.appendChild(sub);
          }
          into.appendChild(li);
        });
      }
      add("", list);
      tree.appendChild(list);
    }

    function item(id, title, r, n) {
      const rating = r.rating ? r.label : (n && !n.rated ? "" : "not rated");
      const head = el("span", {}, [
        el("strong", { text: (id === "overall" ? "Overall" : id) + (title ? " " + title : "") }),
        document.createTextNode(rating ? ": " : ""),
        rating ? el("span", { class: "bsc-rating", "data-rating": r.rating || "", text: rating }) : null,
      ]);
      return el("li", { class: "bsc-node", "data-node": id }, [
        head, el("span", { class: "bsc-why", text: r.reason }),
        r.margin ? el("span", { class: "bsc-margin", text: marginText(r.margin) }) : null,
      ]);
    }

    function update() {
      let result;
      try { result = evaluate(raw, read()); } catch (e) { summary.textContent = "The calculator failed: " + e; return; }
      root.bandstandResult = result;
      render(result);
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  window.bandstandCalculator = {
    evaluate: evaluate,
    /* many evidence sets at once, as JSON text (the browser test's batches) */
    evaluateMany: function (ref, inputs) {
      const raw = window.bandstandPlans[ref];
      return JSON.stringify(inputs.map(function (i) { return evaluate(raw, i); }));
    },
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".bandstand-calculator"), mount);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  // Material's instant navigation swaps pages without loading scripts again
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(start);
})();
