/* chainrule's graph explorer: one recorded backward pass, shown node by node.
 *
 * Everything comes from the JSON written by viz.explore (viz/explorer/data.py):
 * the graph (tensor and op nodes, edges, name scopes), each tensor's value, the
 * engine's forward order and its backward steps (upstream gradient, the gradient
 * sent to each input), the leaves' gradients in accumulation order, and the
 * numerical gradient check done in Python. Nothing is fetched: no network.
 *
 * Parts: numbers and arrays (fmt, arr*), the replay state (state at a position of
 * the timeline), layout (a compound layered layout: each expanded scope is laid out
 * as a block, then placed as one item in its parent), drawing (one SVG string),
 * the inspector and step panels, search, pan/zoom, keys.
 */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("explorer-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var NODES = D.nodes, N = NODES.length;

  // -- numbers and arrays ---------------------------------------------------------------
  function num(v) {
    if (typeof v === "number") return v;
    if (v === "nan") return NaN;
    if (v === "inf") return Infinity;
    if (v === "-inf") return -Infinity;
    return Number(v);
  }
  function fmt(v) {
    v = num(v);
    if (Number.isNaN(v)) return "nan";
    if (!isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e-4 && a < 1e6) return String(Number(v.toPrecision(6)));
    return v.toExponential(4);
  }
  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }
  // An array is a scalar (a number, or "nan"/"inf"/"-inf") or {s: shape, n: size,
  // d: flat data (when kept), st: statistics, h: histogram, hd: first values}.
  function isScalar(a) { return a !== null && typeof a !== "object"; }
  function shapeText(a) {
    if (isScalar(a)) return "()";
    return "(" + a.s.join(", ") + (a.s.length === 1 ? ",)" : ")");
  }
  function arrSummary(a) {
    if (a === null || a === undefined) return "-";
    if (isScalar(a)) return fmt(a);
    if (a.d && a.d.length <= 6) return "[" + a.d.map(fmt).join(", ") + "]";
    var st = a.st;
    return shapeText(a) + " mean " + fmt(st.mean) + ", std " + fmt(st.std) + ", |.|\u2082 " +
      fmt(st.norm);
  }
  function arrNorm(a) { return isScalar(a) ? Math.abs(num(a)) : num(a.st.norm); }

  // -- timeline: 0 leaves | 1..F forward | F+1 seed | F+2..F+1+B backward | END leaves -------
  var F = D.forward.length, B = D.backward.length, END = F + B + 2;
  var fwdIndex = {}, contribs = {}, seedOf = {}, leafIndex = {}, stepOfTensor = {};
  D.forward.forEach(function (f, i) { fwdIndex[f.t] = i; });
  D.seeds.forEach(function (s) { seedOf[s.t] = s.g; });
  D.leaves.forEach(function (l, i) { leafIndex[l.t] = i; });
  D.backward.forEach(function (st, k) {
    stepOfTensor[st.t] = k;
    st.ins.forEach(function (c) {
      (contribs[c.to] = contribs[c.to] || []).push({ step: k, op: st.o, slot: c.slot, g: c.g,
                                                     local: c.local, up: st.up });
    });
  });
  var pos = END;

  function phase(p) {
    if (p === 0) return "leaves";
    if (p <= F) return "forward";
    if (p === F + 1) return "seed";
    if (p <= F + 1 + B) return "backward";
    return "end";
  }
  function valueShown(id, p) {
    var i = fwdIndex[id];
    return i === undefined || p > i;
  }
  // How many backward steps have run at position p (seed: 0).
  function stepsDone(p) { return p <= F ? -1 : Math.min(p - F - 1, B); }
  // {n: contributions arrived, total, complete, sum (scalars), seeded}
  function gradState(id, p) {
    var done = stepsDone(p), list = contribs[id] || [], seeded = id in seedOf;
    if (done < 0) return { n: 0, total: list.length, complete: false, seeded: false, any: false };
    var n = 0, sum = seeded && isScalar(seedOf[id]) ? num(seedOf[id]) : 0;
    list.forEach(function (c) {
      if (c.step < done) { n++; if (isScalar(c.g)) sum += num(c.g); }
    });
    var any = seeded || n > 0, total = list.length + (seeded ? 1 : 0);
    return { n: n + (seeded ? 1 : 0), total: total, complete: any && n === list.length,
             seeded: seeded, any: any, sum: sum };
  }

  // -- scopes and collapsing -------------------------------------------------------------
  var SC = D.scopes;               // path -> {title, parent, depth}
  var collapsed = {};
  D.collapsed.forEach(function (s) { collapsed[s] = true; });
  var chains = NODES.map(function (n) {          // every ancestor scope, outermost first
    if (!n.scope) return [];
    var parts = n.scope.split("/"), out = [];
    for (var k = 1; k <= parts.length; k++) out.push(parts.slice(0, k).join("/"));
    return out;
  });
  var scopeMembers = {};
  chains.forEach(function (c, id) {
    c.forEach(function (s) { (scopeMembers[s] = scopeMembers[s] || []).push(id); });
  });
  function repOf(id) {            // the visible item drawn for node id
    var c = chains[id];
    for (var k = 0; k < c.length; k++) if (collapsed[c[k]]) return "s:" + c[k];
    return "n:" + id;
  }

  // -- node boxes --------------------------------------------------------------------------
  var CH = 6.7, LINE = 15, PADX = 8, PADY = 5;
  function tensorLines(n, p) {
    var lines = [n.label], shown = valueShown(n.id, p);
    if (isScalar(n.value)) {
      lines.push("data " + (shown ? fmt(n.value) : "?"));
      if (n.rg) {
        var gs = gradState(n.id, p);
        lines.push("grad " + (!gs.any ? "-" : (gs.complete ? fmt(n.grad) : fmt(gs.sum) + " \u2026")));
      }
    } else {
      lines.push(shapeText(n.value) + " " + n.dtype);
      if (n.rg) {
        var g2 = gradState(n.id, p);
        lines.push("grad " + (!g2.any ? "-" : (g2.complete && n.grad !== null ?
          "norm " + fmt(arrNorm(n.grad)) : g2.n + "/" + g2.total + " in")));
      }
    }
    return lines;
  }
  function scopeLines(s, p) {       // the gradient line once the backward has finished
    var members = scopeMembers[s] || [], ops = 0;
    members.forEach(function (id) { if (NODES[id].k === "o") ops++; });
    var m = scopeMag(s);
    return [SC[s].title, ops + " ops, " + (members.length - ops) + " tensors",
            m === null || p !== END ? "+ expand" : "max |grad| " + fmt(m)];
  }
  function boxSize(lines, minW) {
    var w = 0;
    lines.forEach(function (l) { w = Math.max(w, l.length); });
    return { w: Math.max(minW, Math.ceil(w * CH) + 2 * PADX), h: lines.length * LINE + 2 * PADY };
  }
  function itemSize(key) {
    if (key[0] === "s") return boxSize(scopeLines(key.slice(2), END), 90);
    var n = NODES[+key.slice(2)];
    if (n.k === "o") return boxSize([n.title].concat(n.consts), 44);
    // sized for the final state plus room for a partial sum, so replay does not move boxes
    var lines = tensorLines(n, END);
    lines[lines.length - 1] += " \u2026";
    return boxSize(lines, 50);
  }

  // -- layout: layered, compound ----------------------------------------------------------
  var GAPX = 46, GAPY = 14, BPAD = 10, BHEAD = 20;
  var layout = {};                // key -> {x, y, w, h} (absolute); block keys "b:<scope>"
  function layoutBlock(scope) {
    var items = [], index = {};
    function add(key) { if (!(key in index)) { index[key] = items.length; items.push(key); } }
    var members = scope ? scopeMembers[scope] : NODES.map(function (n) { return n.id; });
    var depth = scope ? SC[scope].depth : 0;
    var itemOf = {};
    members.forEach(function (id) {
      var c = chains[id], key;
      if (c.length === depth) key = "n:" + id;
      else key = (collapsed[c[depth]] ? "s:" : "b:") + c[depth];
      itemOf[id] = key;
      add(key);
    });
    var succ = items.map(function () { return []; }), pred = items.map(function () { return []; });
    var seen = {};
    D.edges.forEach(function (e) {
      var a = itemOf[e[0]], b = itemOf[e[1]];
      if (a === undefined || b === undefined || a === b) return;
      var i = index[a], j = index[b], k = i + ">" + j;
      if (seen[k]) return;
      seen[k] = 1;
      succ[i].push(j); pred[j].push(i);
    });
    var sizes = items.map(function (key) {
      if (key[0] === "b") return layoutBlock(key.slice(2));
      return itemSize(key);
    });
    // rank: longest path to a sink (the roots' side); DFS ignores edges closing a cycle
    var rank = new Array(items.length), state = new Array(items.length).fill(0);
    for (var s0 = 0; s0 < items.length; s0++) {
      if (state[s0]) continue;
      var stack = [[s0, 0]];
      state[s0] = 1;
      while (stack.length) {
        var top = stack[stack.length - 1], v = top[0];
        if (top[1] < succ[v].length) {
          var u = succ[v][top[1]++];
          if (!state[u]) { state[u] = 1; stack.push([u, 0]); }
        } else {
          var r = 0;
          succ[v].forEach(function (u2) { if (state[u2] === 2) r = Math.max(r, rank[u2] + 1); });
          rank[v] = r; state[v] = 2; stack.pop();
        }
      }
    }
    var maxRank = 0;
    rank.forEach(function (r) { maxRank = Math.max(maxRank, r); });
    var cols = [];
    for (var c = 0; c <= maxRank; c++) cols.push([]);
    items.forEach(function (_, i) { cols[maxRank - rank[i]].push(i); });
    var order = new Array(items.length);
    function renumber() { cols.forEach(function (col) { col.forEach(function (i, k) { order[i] = k; }); }); }
    renumber();
    function sweep(neigh, list) {
      list.forEach(function (col) {
        var bary = {};
        col.forEach(function (i) {
          var ns = neigh[i];
          bary[i] = ns.length ? ns.reduce(function (s, j) { return s + order[j]; }, 0) / ns.length : order[i];
        });
        col.sort(function (a, b) { return bary[a] - bary[b] || order[a] - order[b]; });
        col.forEach(function (i, k) { order[i] = k; });
      });
    }
    if (items.length < 3000) {
      for (var it = 0; it < 4; it++) {
        sweep(pred, cols);
        sweep(succ, cols.slice().reverse());
      }
    }
    // x: columns left to right
    var colX = [], x = 0;
    cols.forEach(function (col, c) {
      var w = 0;
      col.forEach(function (i) { w = Math.max(w, sizes[i].w); });
      colX.push({ x: x, w: w });
      x += w + GAPX;
    });
    var px = new Array(items.length), py = new Array(items.length);
    cols.forEach(function (col, c) {
      var y = 0;
      col.forEach(function (i) {
        px[i] = colX[c].x + (colX[c].w - sizes[i].w) / 2;
        py[i] = y; y += sizes[i].h + GAPY;
      });
    });
    // y: pull each item toward its neighbours' centres, keeping order and gaps
    function place(col, neighOf) {
      var want = col.map(function (i) {
        var ns = neighOf(i);
        if (!ns.length) return py[i];
        var m = 0;
        ns.forEach(function (j) { m += py[j] + sizes[j].h / 2; });
        return m / ns.length - sizes[i].h / 2;
      });
      for (var k = 0; k < col.length; k++) {
        var i = col[k], lo = k ? py[col[k - 1]] + sizes[col[k - 1]].h + GAPY : -Infinity;
        py[i] = Math.max(want[k], lo);
      }
      for (k = col.length - 2; k >= 0; k--) {       // pull back up what was pushed too far
        var i2 = col[k], hi = py[col[k + 1]] - GAPY - sizes[i2].h;
        py[i2] = Math.min(py[i2], Math.max(hi, want[k]));
        if (k && py[i2] < py[col[k - 1]] + sizes[col[k - 1]].h + GAPY) break;
      }
    }
    if (items.length < 3000) {
      var both = function (i) { return pred[i].concat(succ[i]); };
      for (var pass = 0; pass < 3; pass++) {
        cols.forEach(function (col) { place(col, function (i) { return pred[i]; }); });
        cols.slice().reverse().forEach(function (col) { place(col, function (i) { return succ[i]; }); });
      }
      cols.forEach(function (col) { place(col, both); });
    }
    var minY = Infinity, maxY = -Infinity, maxX = 0;
    items.forEach(function (_, i) {
      minY = Math.min(minY, py[i]); maxY = Math.max(maxY, py[i] + sizes[i].h);
      maxX = Math.max(maxX, px[i] + sizes[i].w);
    });
    if (!items.length) { minY = 0; maxY = 0; }
    var offX = scope ? BPAD : 0, offY = scope ? BPAD + BHEAD : 0;
    var placed = items.map(function (key, i) {
      return { key: key, x: px[i] + offX, y: py[i] - minY + offY, w: sizes[i].w, h: sizes[i].h,
               block: sizes[i].block };
    });
    var title = scope ? SC[scope].title : "";
    var w = Math.max(maxX + 2 * offX, scope ? title.length * CH + 40 : 0);
    return { w: w, h: maxY - minY + offY + (scope ? BPAD : 0), block: placed, scope: scope };
  }
  function absolute(block, ox, oy) {
    block.block.forEach(function (it) {
      var box = { x: ox + it.x, y: oy + it.y, w: it.w, h: it.h };
      layout[it.key] = box;
      if (it.key[0] === "b") absolute(it.block ? { block: it.block } : it, box.x, box.y);
    });
  }
  function doLayout() {
    layout = {};
    var top = layoutBlock("");
    absolute(top, 0, 0);
    return top;
  }

  // -- colours (log scale of mean |grad|, as viz.colors) -----------------------------------
  function hex(c) { return [1, 3, 5].map(function (i) { return parseInt(c.substr(i, 2), 16); }); }
  var ANCH = D.palette.anchors.map(hex);
  function interp(t) {
    t = Math.min(Math.max(t, 0), 1) * (ANCH.length - 1);
    var i = Math.min(Math.floor(t), ANCH.length - 2), f = t - i;
    return "#" + ANCH[i].map(function (a, k) {
      var v = Math.round(a + (ANCH[i + 1][k] - a) * f).toString(16);
      return v.length < 2 ? "0" + v : v;
    }).join("");
  }
  function position(m) {
    var lo = Math.log10(D.scale.lo), hi = Math.log10(D.scale.hi);
    if (m <= 0) return 0;
    if (hi === lo) return 1;
    return Math.min(Math.max((Math.log10(m) - lo) / (hi - lo), 0), 1);
  }
  function fillFor(m) {
    if (m === null || m === undefined || !D.scale) return null;
    m = num(m);
    if (!isFinite(m)) return D.palette.nonfinite;
    return interp(position(m));
  }
  function scopeMag(s) {
    var best = null;
    (scopeMembers[s] || []).forEach(function (id) {
      var n = NODES[id];
      if (n.k === "t" && n.mag !== null) {
        var m = num(n.mag);
        if (best === null || !isFinite(m) || (isFinite(best) && m > best)) best = m;
      }
    });
    return best;
  }

  // -- drawing ----------------------------------------------------------------------------
  var selected = null, matches = {};
  function textBlock(lines, x, y0, anchorMid, w) {
    var s = "<text>";
    lines.forEach(function (l, i) {
      s += '<tspan x="' + (anchorMid ? w / 2 : PADX) + '" y="' + (y0 + PADY + LINE * i + 11) + '"' +
        (i === 0 ? ' class="t0"' : "") + ">" + esc(l) + "</tspan>";
    });
    return s + "</text>";
  }
  function nodeSvg(key) {
    var box = layout[key], cls = "node", inner, lines, fill = null, dark = false;
    if (key[0] === "s") {
      var s = key.slice(2);
      lines = scopeLines(s, pos);
      if (pos === END) fill = fillFor(scopeMag(s));
      cls += " scope-node" + (matches[key] ? " match" : "");
      inner = '<rect class="box" width="' + box.w + '" height="' + box.h + '" rx="6"' +
        (fill ? ' style="fill:' + fill + '"' : "") + "/>";
      dark = fill && fill !== D.palette.nonfinite && position(scopeMag(s)) > 0.6;
      return '<g class="' + cls + (dark ? " dark" : "") + '" data-key="' + esc(key) + '" data-scope="' +
        esc(s) + '" transform="translate(' + box.x + "," + box.y + ')">' + inner +
        textBlock(lines, 0, 0, true, box.w) + "</g>";
    }
    var id = +key.slice(2), n = NODES[id];
    if (n.k === "o") {
      lines = [n.title].concat(n.consts);
      cls += " op";
      var st = stepOfTensor[n.out];
      if (st !== undefined && phase(pos) === "backward" && stepsDone(pos) === st + 1) cls += " current";
      if (fwdIndex[n.out] !== undefined && pos === fwdIndex[n.out] + 1) cls += " current";
      inner = '<rect class="box" width="' + box.w + '" height="' + box.h + '" rx="' + box.h / 2 + '"/>';
    } else {
      lines = tensorLines(n, pos);
      cls += " tensor" + (n.leaf ? " leaf" : "") + (n.param ? " param" : "") +
        (D.roots.indexOf(id) >= 0 ? " root" : "");
      if (!valueShown(id, pos)) cls += " pending";
      var gs = gradState(id, pos);
      if (n.rg && gs.any && !gs.complete) cls += " partial";
      if (gs.complete || (pos === END && n.grad !== null)) {
        fill = fillFor(n.mag);
        if (fill) dark = n.mag !== null && isFinite(num(n.mag)) && position(num(n.mag)) > 0.6;
        if (n.status === "nonfinite") cls += " nonfinite";
      }
      var cur = D.backward[stepsDone(pos) - 1];
      if (cur && cur.t === id && phase(pos) === "backward") cls += " current";
      if (phase(pos) === "forward" && D.forward[pos - 1].t === id) cls += " current";
      inner = '<rect class="box" width="' + box.w + '" height="' + box.h + '" rx="2"' +
        (fill ? ' style="fill:' + fill + '"' : "") + "/>";
    }
    if (drawn && drawn.lod) {                 // zoomed far out: the box and its colour only
      return '<g class="' + cls + (selected === key ? " selected" : "") + '" data-key="' + key +
        '" data-id="' + id + '" transform="translate(' + box.x + "," + box.y + ')">' + inner + "</g>";
    }
    if (selected === key) cls += " selected";
    if (matches[key]) cls += " match";
    if (dark) cls += " dark";
    return '<g class="' + cls + '" data-key="' + key + '" data-id="' + id + '"' +
      (n.name ? ' data-name="' + esc(n.name) + '"' : "") + ' transform="translate(' + box.x + "," +
      box.y + ')">' + inner + textBlock(lines, 0, 0, n.k === "o", box.w) + "</g>";
  }
  function blockSvg(top) {
    var out = [];
    (function walk(items) {
      items.forEach(function (it) {
        if (it.key[0] !== "b") return;
        var s = it.key.slice(2), b = layout[it.key];
        if (drawn && !hit(b, drawn)) return;
        out.push('<g class="cluster" data-scope="' + esc(s) + '"><rect x="' + b.x + '" y="' + b.y +
          '" width="' + b.w + '" height="' + b.h + '" rx="8"/><g class="cluster-head" data-scope="' +
          esc(s) + '"><rect x="' + b.x + '" y="' + b.y + '" width="' + b.w + '" height="' + BHEAD +
          '" rx="8"/><text x="' + (b.x + 8) + '" y="' + (b.y + 14) + '">\u2212 ' + esc(SC[s].title) +
          "</text></g></g>");
        walk(it.block);
      });
    })(top.block);
    return out.join("");
  }
  var edgeLabels = [];
  function edgeSvg() {
    var out = [], seen = {};
    edgeLabels = [];
    var cur = phase(pos) === "backward" ? D.backward[stepsDone(pos) - 1] : null;
    D.edges.forEach(function (e) {
      var a = repOf(e[0]), b = repOf(e[1]);
      if (a === b) return;
      var k = a + ">" + b;
      if (seen[k]) return;
      seen[k] = 1;
      var p = layout[a], q = layout[b];
      if (!p || !q) return;
      if (drawn && drawn.x0 > -Infinity) {
        var bx = Math.min(p.x, q.x), by = Math.min(p.y, q.y);
        if (!hit({ x: bx, y: by, w: Math.max(p.x + p.w, q.x + q.w) - bx,
                   h: Math.max(p.y + p.h, q.y + q.h) - by }, drawn)) return;
      }
      var x1 = p.x + p.w, y1 = p.y + p.h / 2, x2 = q.x, y2 = q.y + q.h / 2;
      var dx = Math.max(30, Math.abs(x2 - x1) / 2);
      var hot = cur && ((e[1] === cur.o && e[2] >= 0) || (e[0] === cur.o));
      out.push('<path class="edge' + (hot ? " hot" : "") + '" d="M' + x1 + "," + y1 + " C" + (x1 + dx) +
        "," + y1 + " " + (x2 - dx) + "," + y2 + " " + x2 + "," + y2 + '"/>');
      if (hot && e[1] === cur.o) {       // the gradient this step sends back along the edge
        var c = cur.ins.filter(function (c) { return c.slot === e[2]; })[0];
        var lx = x2 - Math.min(50, Math.max(0, x2 - x1) / 2);      // near the op's end
        if (c) edgeLabels.push('<text class="edge-label" x="' + lx + '" y="' +
          (y2 - 6) + '" text-anchor="middle">\u2190 ' +
          esc(isScalar(c.g) ? fmt(c.g) : shapeText(c.g)) + "</text>");
      }
    });
    return out.join("");
  }
  var lastTop = null, size = { w: 0, h: 0 };
  // Big graphs draw only what is near the view (and boxes without text when zoomed far out):
  // the browser's work grows with the elements on the page, not with the graph.
  var CULL = 1500, LOD_ZOOM = 0.4, keys = [], drawn = null;
  function viewRect(margin) {
    var r = $("graph").getBoundingClientRect(), w = r.width / view.k, h = r.height / view.k;
    var x0 = -view.x / view.k, y0 = -view.y / view.k;
    return { x0: x0 - margin * w, y0: y0 - margin * h, x1: x0 + w * (1 + margin),
             y1: y0 + h * (1 + margin), lod: keys.length > CULL && view.k < LOD_ZOOM };
  }
  function hit(b, r) { return b.x <= r.x1 && b.x + b.w >= r.x0 && b.y <= r.y1 && b.y + b.h >= r.y0; }
  function draw() {
    var cull = keys.length > CULL;
    drawn = cull ? viewRect(0.6) : { x0: -Infinity, y0: -Infinity, x1: Infinity, y1: Infinity, lod: false };
    var shown = cull ? keys.filter(function (k) { return hit(layout[k], drawn); }) : keys;
    $("viewport").innerHTML = '<g class="clusters">' + blockSvg(lastTop) + '</g><g class="edges">' +
      edgeSvg() + '</g><g class="nodes' + (drawn.lod ? " lod" : "") + '">' + shown.map(nodeSvg).join("") +
      '</g><g class="edge-labels">' + edgeLabels.join("") + "</g>";
    $("graph").setAttribute("data-drawn", shown.length);
  }
  function render(relayout) {
    if (relayout || !lastTop) {
      lastTop = doLayout();
      size = { w: lastTop.w, h: lastTop.h };
      keys = Object.keys(layout).filter(function (k) { return k[0] !== "b"; });
      $("graph").setAttribute("data-visible", keys.length);
    }
    draw();
    applyView(true);
    renderStep();
    if (selected) renderInspector(selected);
  }

  // -- pan and zoom -----------------------------------------------------------------------
  var view = { x: 0, y: 0, k: 1 };
  var pending = false;
  function applyView(now) {
    $("viewport").setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
    if (keys.length <= CULL || !drawn) return;
    var r = viewRect(0);
    if (r.lod === drawn.lod && r.x0 >= drawn.x0 && r.y0 >= drawn.y0 && r.x1 <= drawn.x1 &&
        r.y1 <= drawn.y1) return;                 // still inside what is drawn
    if (now === true) { draw(); return; }
    if (!pending) {
      pending = true;
      requestAnimationFrame(function () { pending = false; applyView(true); });
    }
  }
  var MIN_READABLE = 0.75;
  function fit(readable) {
    var r = $("graph").getBoundingClientRect();
    if (!r.width || !size.w) return;
    var k = Math.min(1.4, Math.min((r.width - 30) / size.w, (r.height - 30) / size.h));
    if (readable && k < MIN_READABLE) {      // too small to read: readable size, the roots in view
      view.k = MIN_READABLE;
      var root = layout[repOf(D.roots[0])] || { x: size.w, y: size.h / 2, w: 0, h: 0 };
      view.x = Math.min(15, r.width - 40 - (root.x + root.w) * view.k);
      view.y = r.height / 2 - (root.y + root.h / 2) * view.k;
    } else {
      view.k = Math.max(k, 0.02);
      view.x = (r.width - size.w * view.k) / 2;
      view.y = Math.max(15, (r.height - size.h * view.k) / 2);
    }
    applyView(true);
  }
  function zoom(f, cx, cy) {
    var r = $("graph").getBoundingClientRect();
    if (cx === undefined) { cx = r.width / 2; cy = r.height / 2; }
    view.x = cx - (cx - view.x) * f; view.y = cy - (cy - view.y) * f; view.k *= f;
    applyView();
  }
  function centerOn(key) {
    var b = layout[key], r = $("graph").getBoundingClientRect();
    if (!b) return;
    if (view.k < 0.6) view.k = 0.9;
    view.x = r.width / 2 - (b.x + b.w / 2) * view.k;
    view.y = r.height / 2 - (b.y + b.h / 2) * view.k;
    applyView(true);
  }

  // -- the step panel ---------------------------------------------------------------------
  function nm(id) {
    var n = NODES[id];
    if (n.k === "o") return n.title;
    return n.label;
  }
  function row(cls, html) { return '<div class="' + cls + '">' + html + "</div>"; }
  function numSpan(cls, v) {
    return '<span class="' + cls + '" data-value="' + esc(isScalar(v) ? v : "") + '">' +
      esc(isScalar(v) ? fmt(v) : arrSummary(v)) + "</span>";
  }
  function renderStep() {
    var ph = phase(pos), html = "", title;
    $("pos").textContent = pos + " / " + END;
    $("step").setAttribute("data-phase", ph);
    $("step").setAttribute("data-pos", pos);
    if (ph === "leaves") {
      title = "Forward, start: the leaves hold their values";
      html = row("note", D.leafCount + " leaf tensors (inputs and parameters). Next: each op " +
        "computes its output, in the engine's topological order.");
    } else if (ph === "forward") {
      var f = D.forward[pos - 1], n = NODES[f.t], op = NODES[f.o];
      title = "Forward " + pos + " / " + F + ": " + nm(f.t) + " = " + op.title + "(" +
        op.ins.filter(function (i) { return i !== null; }).map(nm).concat(op.consts).join(", ") + ")";
      var args = op.ins.map(function (i) {
        return i === null ? "" : nm(i) + " = " + numSpan("v", NODES[i].value);
      }).filter(Boolean);
      html = row("eq", args.join("<br>")) + row("eq", "\u2192 " + esc(nm(f.t)) + " = " +
        numSpan("fwd-value", n.value));
    } else if (ph === "seed") {
      title = "Backward starts: the seed gradient";
      html = D.seeds.map(function (s) {
        return row("eq", "d" + esc(nm(s.t)) + "/d" + esc(nm(s.t)) + " = " + numSpan("seed", s.g));
      }).join("");
    } else if (ph === "backward") {
      var k = stepsDone(pos) - 1, st = D.backward[k], on = NODES[st.o];
      title = "Backward " + (k + 1) + " / " + B + ": " + on.title + ".backward for " + nm(st.t);
      html = row("eq", "upstream d" + esc(D.rootName) + "/d" + esc(nm(st.t)) + " = " +
        numSpan("upstream", st.up) + ' <span class="dim">(complete: every consumer has sent its share)</span>');
      st.ins.forEach(function (c) {
        var to = NODES[c.to], line;
        if (isScalar(st.up) && isScalar(c.g) && c.local !== null && c.local !== undefined) {
          line = "\u2192 " + esc(nm(c.to)) + ": " + numSpan("up", st.up) + " \u00d7 " +
            numSpan("local", c.local) + ' <span class="dim">(local d' + esc(nm(st.t)) + "/d" +
            esc(nm(c.to)) + ")</span> = " + numSpan("down", c.g);
        } else {
          line = "\u2192 " + esc(nm(c.to)) + " " + shapeText(to.value) + ": " + on.title +
            ".backward(upstream " + shapeText(st.up) + ") = " + numSpan("down", c.g) +
            ' <a href="#" class="show" data-show="step:' + k + ":" + c.slot + '">values</a>';
        }
        var gs = gradState(c.to, pos);
        line += ' <span class="dim">[' + esc(nm(c.to)) + ": " + gs.n + " of " + gs.total +
          " contributions in" + (gs.complete ? ", complete" : "") + "]</span>";
        html += row("eq contrib", line);
      });
      if (!st.ins.length) html += row("note", "no input of this op requires a gradient");
    } else {
      title = "Done: the engine wrote each leaf's total into .grad";
      html = row("note", D.leaves.length + " leaf gradients accumulated, in this order: " +
        D.leaves.slice(0, 12).map(function (l) { return esc(nm(l.t)); }).join(", ") +
        (D.leaves.length > 12 ? ", \u2026" : "") + ". Click a node to see its value and gradient.");
    }
    $("step-title").textContent = title;
    $("step-body").innerHTML = html;
  }

  // -- the inspector ----------------------------------------------------------------------
  function histSvg(h) {
    if (!h) return "";
    var max = Math.max.apply(null, h.c.concat([1])), w = 240, bh = 40, bw = w / h.c.length;
    var bars = h.c.map(function (c, i) {
      var hh = c / max * bh;
      return '<rect x="' + (i * bw) + '" y="' + (bh - hh) + '" width="' + Math.max(bw - 1, 1) +
        '" height="' + hh + '"/>';
    }).join("");
    return '<svg class="hist" width="' + w + '" height="' + (bh + 14) + '">' + bars +
      '<text x="0" y="' + (bh + 12) + '">' + esc(fmt(h.lo)) + '</text><text x="' + w +
      '" y="' + (bh + 12) + '" text-anchor="end">' + esc(fmt(h.hi)) + "</text></svg>";
  }
  function arrayTable(a) {
    if (a.s.length === 2 && a.s[1] <= 32) {
      var rows = [];
      for (var i = 0; i < a.s[0]; i++)
        rows.push(a.d.slice(i * a.s[1], (i + 1) * a.s[1]).map(fmt).join("  "));
      return rows.join("\n");
    }
    return a.d.map(fmt).join("  ");
  }
  var shown = {};
  function arrBlock(a, cls, key) {
    if (a === null || a === undefined) return '<div class="' + cls + '">-</div>';
    if (isScalar(a)) return '<div class="' + cls + '" data-value="' + esc(a) + '">' + fmt(a) + "</div>";
    var out = '<div class="' + cls + '" data-n="' + a.n + '">' + esc(shapeText(a)) + ", " + a.n + " values";
    var st = a.st;
    out += '<div class="stats">mean ' + fmt(st.mean) + ", std " + fmt(st.std) + ", min " + fmt(st.min) +
      ", max " + fmt(st.max) + ", L2 norm " + fmt(st.norm) +
      (st.nan || st.inf ? ', <b class="bad">' + st.nan + " nan, " + st.inf + " inf</b>" : "") + "</div>";
    if (a.d && a.n <= D.inlineElements) {
      out += '<pre class="values">' + esc(arrayTable(a)) + "</pre>";
    } else {
      out += histSvg(a.h);
      if (a.d) {
        out += '<a href="#" class="show" data-show="' + esc(key) + '">' + (shown[key] ? "hide" : "show") +
          " all " + a.n + " values</a>";
        if (shown[key]) out += '<pre class="values">' + esc(arrayTable(a)) + "</pre>";
      } else {
        out += '<div class="dim">first values: ' + a.hd.map(fmt).join(", ") + " \u2026 (only " +
          "statistics kept: more than max_full_elements=" + D.maxFull + ")</div>";
      }
    }
    return out + "</div>";
  }
  function kv(k, v) { return "<tr><th>" + esc(k) + "</th><td>" + v + "</td></tr>"; }
  function renderInspector(key) {
    var html = "";
    if (key[0] === "s") {
      var s = key.slice(2), members = scopeMembers[s] || [];
      html = "<h3>" + esc(SC[s].title) + "</h3><table>" + kv("scope", esc(s)) +
        kv("nodes", members.length) + kv("largest mean |grad|", esc(fmt(scopeMag(s) === null ? "nan" : scopeMag(s)))) +
        "</table>" + '<button class="expand" data-scope="' + esc(s) + '">expand</button>';
      $("inspector").innerHTML = html;
      return;
    }
    var id = +key.slice(2), n = NODES[id];
    if (n.k === "o") {
      html = "<h3>op " + esc(n.title) + ' <span class="dim">(' + esc(n.op) + ")</span></h3><table>" +
        kv("scope", esc(n.scope || "-")) + kv("inputs", n.ins.map(function (i) {
          return i === null ? "const" : esc(nm(i)) + " " + esc(shapeText(NODES[i].value));
        }).join(", ")) + kv("output", esc(nm(n.out)) + " " + esc(shapeText(NODES[n.out].value))) +
        (n.consts.length ? kv("constants", esc(n.consts.join(", "))) : "") + "</table>";
      var k = stepOfTensor[n.out];
      if (k === undefined) {
        html += '<p class="dim">The engine did not run this op\'s backward (no gradient reached it).</p>';
      } else {
        var st = D.backward[k];
        html += "<h4>Backward (step " + (k + 1) + " of " + B + "): the vector-Jacobian products it applied</h4>" +
          '<div class="lbl">upstream gradient of ' + esc(nm(st.t)) + "</div>" + arrBlock(st.up, "upstream", "up:" + k);
        st.ins.forEach(function (c) {
          html += '<div class="lbl">to input ' + c.slot + " (" + esc(nm(c.to)) + ")" +
            (c.local !== null && c.local !== undefined ? ": local gradient " + numSpan("local", c.local) : "") +
            "</div>" + arrBlock(c.g, "jvp", "step:" + k + ":" + c.slot);
        });
      }
      $("inspector").innerHTML = html;
      return;
    }
    var gs = gradState(id, END);
    html = "<h3>" + esc(n.name || "tensor") + "</h3><table>" +
      kv("shape", esc(shapeText(n.value))) + kv("dtype", esc(n.dtype)) +
      kv("kind", n.leaf ? (n.param ? "parameter (leaf)" : "leaf") : "made by " + esc(NODES[n.by].title)) +
      kv("requires grad", n.rg ? "yes" : "no") + (n.scope ? kv("scope", esc(n.scope)) : "") + "</table>" +
      '<h4>value</h4>' + arrBlock(n.value, "value", "v:" + id) +
      '<h4>gradient d' + esc(D.rootName) + "/d" + esc(n.name || "tensor") + "</h4>" +
      (n.rg ? arrBlock(n.grad, "grad", "g:" + id) : '<div class="grad dim">does not require grad</div>');
    var list = contribs[id] || [];
    if (list.length + (id in seedOf ? 1 : 0) > 0) {
      var terms = [];
      if (id in seedOf) terms.push({ what: "the seed", g: seedOf[id], step: -1 });
      list.forEach(function (c) {
        terms.push({ what: NODES[c.op].title + " (backward step " + (c.step + 1) + ")", g: c.g, step: c.step });
      });
      var done = stepsDone(pos);
      html += "<h4>sum over its consumers, in arrival order</h4><ol class=\"sum\">" +
        terms.map(function (t) {
          var arrived = t.step < 0 ? done >= 0 : t.step < done;
          return '<li class="' + (arrived ? "arrived" : "waiting") + '">' + numSpan("term", t.g) + " from " + esc(t.what) + "</li>";
        }).join("") + "</ol>";
      if (terms.every(function (t) { return isScalar(t.g); })) {
        html += '<div class="eq sumline">' + terms.map(function (t) { return esc(fmt(t.g)); }).join(" + ") +
          " = " + numSpan("total", n.grad) + "</div>";
      }
    }
    if (n.leaf && id in leafIndex) {
      html += '<div class="dim">accumulated into .grad as leaf ' + (leafIndex[id] + 1) + " of " +
        D.leaves.length + " at the end of backward</div>";
    }
    var chk = D.check.leaves[id];
    if (chk) {
      html += "<h4>numerical check (central differences, float64)</h4><table class=\"check\">" +
        kv("analytic", numSpan("analytic", chk.a)) + kv("numerical", numSpan("numerical", chk.n)) +
        kv("relative error", '<span class="relerr ' + (chk.ok ? "ok" : "bad") + '">' + esc(fmt(chk.rel)) +
        "</span>" + (chk.ok ? " \u2713" : " \u2717 mismatch")) + "</table>";
    }
    $("inspector").innerHTML = html;
  }

  // -- search -----------------------------------------------------------------------------
  var hits = [], hitAt = -1;
  function search(q) {
    matches = {}; hits = []; hitAt = -1;
    q = q.trim().toLowerCase();
    if (q) {
      NODES.forEach(function (n) {
        var text = ((n.name || "") + " " + n.title + " " + (n.op || "")).toLowerCase();
        if (text.indexOf(q) >= 0) hits.push(n.id);
      });
      Object.keys(SC).forEach(function (s) {
        if (SC[s].title.toLowerCase().indexOf(q) >= 0 || s.toLowerCase() === q) hits.push("s:" + s);
      });
    }
    hits.forEach(function (h) { matches[typeof h === "number" ? repOf(h) : h] = true; });
    $("hits").textContent = q ? hits.length + " match" + (hits.length === 1 ? "" : "es") : "";
    render(false);
  }
  function nextHit() {
    if (!hits.length) return;
    hitAt = (hitAt + 1) % hits.length;
    var h = hits[hitAt], key;
    if (typeof h === "number") {
      chains[h].forEach(function (s) { delete collapsed[s]; });
      key = "n:" + h;
    } else key = h;
    matches = {};
    hits.forEach(function (x) { matches[typeof x === "number" ? repOf(x) : x] = true; });
    select(key, true);
  }

  // -- interaction ------------------------------------------------------------------------
  function select(key, relayout) {
    selected = key;
    render(relayout);
    renderInspector(key);
    centerOn(key);
  }
  function toggle(scope) {
    if (collapsed[scope]) delete collapsed[scope]; else collapsed[scope] = true;
    render(true);
  }
  function go(p) {
    pos = Math.max(0, Math.min(END, p));
    render(false);
    var ph = phase(pos), cur = null;
    if (ph === "forward") cur = D.forward[pos - 1].t;
    else if (ph === "backward") cur = D.backward[stepsDone(pos) - 1].t;
    if (cur !== null) keepInView(repOf(cur));
  }
  function keepInView(key) {
    var b = layout[key], r = $("graph").getBoundingClientRect();
    if (!b) return;
    var x = view.x + b.x * view.k, y = view.y + b.y * view.k;
    if (x < 10 || y < 10 || x + b.w * view.k > r.width - 10 || y + b.h * view.k > r.height - 10) {
      view.x = r.width / 2 - (b.x + b.w / 2) * view.k;
      view.y = r.height / 2 - (b.y + b.h / 2) * view.k;
      applyView(true);
    }
  }
  var timer = null;
  function play() {
    if (timer) { clearInterval(timer); timer = null; $("play").textContent = "\u25b6 play"; return; }
    if (pos === END) pos = 0;
    $("play").textContent = "\u275a\u275a pause";
    timer = setInterval(function () {
      if (pos >= END) { play(); return; }
      go(pos + 1);
    }, 700);
  }
  $("graph").addEventListener("click", function (ev) {
    var head = ev.target.closest(".cluster-head");
    if (head) { toggle(head.getAttribute("data-scope")); return; }
    var g = ev.target.closest(".node");
    if (!g) return;
    var key = g.getAttribute("data-key");
    if (key[0] === "s") {
      var s = key.slice(2);
      delete collapsed[s];
      selected = key;
      render(true);
      renderInspector(key);
      return;
    }
    selected = key;
    render(false);
    renderInspector(key);
  });
  $("inspector").addEventListener("click", function (ev) {
    var a = ev.target.closest("[data-show]");
    if (a) { ev.preventDefault(); var k = a.getAttribute("data-show"); shown[k] = !shown[k]; renderInspector(selected); return; }
    var b = ev.target.closest("button.expand");
    if (b) toggle(b.getAttribute("data-scope"));
  });
  $("step-body").addEventListener("click", function (ev) {
    var a = ev.target.closest("[data-show]");
    if (!a) return;
    ev.preventDefault();
    var parts = a.getAttribute("data-show").split(":"), st = D.backward[+parts[1]];
    selected = "n:" + st.o;
    shown[a.getAttribute("data-show")] = true;
    render(false);
    renderInspector(selected);
  });
  $("first").onclick = function () { go(0); };
  $("prev").onclick = function () { go(pos - 1); };
  $("next").onclick = function () { go(pos + 1); };
  $("last").onclick = function () { go(END); };
  $("to-backward").onclick = function () { go(F + 1); };
  $("play").onclick = play;
  $("fit").onclick = function () { fit(false); };
  $("zoom-in").onclick = function () { zoom(1.25); };
  $("zoom-out").onclick = function () { zoom(0.8); };
  $("expand-all").onclick = function () { collapsed = {}; render(true); fit(true); };
  $("collapse-all").onclick = function () {
    collapsed = {};
    Object.keys(SC).forEach(function (s) { if (SC[s].depth === 1) collapsed[s] = true; });
    render(true); fit(true);
  };
  $("search").addEventListener("input", function (ev) { search(ev.target.value); });
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); nextHit(); }
    ev.stopPropagation();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.target.tagName === "INPUT") return;
    if (ev.key === "ArrowRight") { go(pos + 1); ev.preventDefault(); }
    else if (ev.key === "ArrowLeft") { go(pos - 1); ev.preventDefault(); }
    else if (ev.key === "Home") go(0);
    else if (ev.key === "End") go(END);
    else if (ev.key === " ") { play(); ev.preventDefault(); }
    else if (ev.key === "/") { $("search").focus(); ev.preventDefault(); }
  });
  var drag = null;
  $("graph").addEventListener("mousedown", function (ev) {
    if (ev.target.closest(".node") || ev.target.closest(".cluster-head")) return;
    drag = { x: ev.clientX - view.x, y: ev.clientY - view.y };
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    view.x = ev.clientX - drag.x; view.y = ev.clientY - drag.y; applyView();
  });
  window.addEventListener("mouseup", function () { drag = null; });
  $("graph").addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = $("graph").getBoundingClientRect();
    if (ev.ctrlKey || ev.metaKey || !ev.shiftKey) zoom(ev.deltaY < 0 ? 1.1 : 1 / 1.1, ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });

  // -- legend and start -------------------------------------------------------------------
  function legend() {
    if (!D.scale) return '<span class="dim">no gradients to colour by</span>';
    var cells = [], lo = Math.log10(D.scale.lo), hi = Math.log10(D.scale.hi);
    for (var i = 0; i < 5; i++) {
      var m = Math.pow(10, lo + (hi - lo) * i / 4), t = i / 4;
      cells.push('<span class="cell' + (t > 0.6 ? " dark" : "") + '" style="background:' + interp(t) + '">' +
        esc(m.toExponential(1)) + "</span>");
    }
    cells.push('<span class="cell" style="background:' + D.palette.nonfinite + '">NaN/Inf</span>');
    return "mean |grad| (log scale): " + cells.join("");
  }
  $("legend").innerHTML = legend();
  $("check-summary").innerHTML = esc(D.check.summary);
  $("check-summary").className = D.check.ok === false ? "bad" : (D.check.ok ? "ok" : "dim");
  $("notes").innerHTML = D.notes.map(esc).join("<br>");
  lastTop = doLayout();
  size = { w: lastTop.w, h: lastTop.h };
  keys = Object.keys(layout).filter(function (k) { return k[0] !== "b"; });
  $("graph").setAttribute("data-visible", keys.length);
  fit(true);
  render(false);
  // The page may be laid out later than its script runs (in a report's iframe, a hidden tab):
  // fit once it has a size, and again whenever it is resized before the user moved the view.
  var userMoved = false;
  function firstFit() {
    var r = $("graph").getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && !userMoved) fit(true);
  }
  firstFit();
  window.addEventListener("load", firstFit);
  if (window.ResizeObserver) new ResizeObserver(firstFit).observe($("graph-wrap"));
  ["mousedown", "wheel", "keydown", "click"].forEach(function (ev) {
    $("app").addEventListener(ev, function () { userMoved = true; }, true);
  });
  window.explorer = { go: go, pos: function () { return pos; }, end: END, forward: F, backward: B,
                      select: function (id) { select("n:" + id, false); }, toggle: toggle,
                      collapsed: function () { return Object.keys(collapsed); } };
  document.body.setAttribute("data-ready-ms", performance.now().toFixed(1));
  document.body.setAttribute("data-ready", "1");
  requestAnimationFrame(function () {          // after the first frame is painted
    setTimeout(function () {
      document.body.setAttribute("data-painted-ms", performance.now().toFixed(1));
    }, 0);
  });
})();
