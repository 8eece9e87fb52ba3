"""The inline stylesheet and script of the HTML report (kept apart so html.py reads as structure).

The script only reads ``data-*`` attributes the page already has; it never inserts text from
the report, so escaping in html.py is the whole of the injection defence.
"""

TRACE_COLOURS = ("#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2", "#65a30d", "#dc2626",
                 "#4b5563", "#c2410c")
"""Distinguishable colours for trace ids, in order of first appearance on the timeline."""

CSS = """
:root { --fg: #1f2328; --dim: #656d76; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
  --confirmed: #cf222e; --likely: #bf8700; --unknown: #8250df; --ok: #1a7f37; --no-trace: #afb8c1;
  --error: #cf222e; --warn: #bf8700; --info: #57606a; --debug: #8c959f; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .3em 1.2em; align-items: baseline; padding: .6em 1.2em;
  background: #24292f; color: #f6f8fa; font-size: 13px; }
header .brand { font-weight: 700; font-size: 15px; }
header b { color: #8c959f; font-weight: 500; }
main { max-width: 1280px; margin: 0 auto; padding: 0 1.2em 2em; }
footer { text-align: center; color: var(--dim); font-size: 12px; padding: 1em; }
h1 { font-size: 22px; margin: .2em 0 .4em; }
h2 { font-size: 18px; margin: 1.2em 0 .5em; }
h3 { font-size: 15px; margin: 1em 0 .4em; }
summary h2, summary h3 { display: inline; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.dim { color: var(--dim); }
.verdict { margin-top: 1em; padding: .8em 1.2em; border-radius: 8px; border: 1px solid var(--line);
  border-left: 8px solid var(--unknown); background: var(--panel); }
.verdict.diagnosed { border-left-color: var(--confirmed); }
.verdict.ok { border-left-color: var(--ok); }
.verdict ol.summary { margin: .2em 0; padding-left: 1.4em; font-size: 15px; }
.badge { display: inline-block; padding: 0 .5em; border-radius: 1em; color: #fff; font-size: 12px;
  font-weight: 600; text-transform: uppercase; vertical-align: 2px; }
.v-confirmed.badge { background: var(--confirmed); } .v-likely.badge { background: var(--likely); }
.v-unknown.badge { background: var(--unknown); }
.finding { margin-top: 1.2em; padding: .2em 1.2em .8em; border: 1px solid var(--line); border-radius: 8px;
  border-top: 4px solid var(--unknown); }
.finding.v-confirmed { border-top-color: var(--confirmed); } .finding.v-likely { border-top-color: var(--likely); }
.finding .lead { font-size: 15px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: .4em 0; }
dt { color: var(--dim); } dd { margin: 0; overflow-wrap: anywhere; }
ol.steps { padding-left: 1.6em; } li.step { margin: .5em 0; }
.stephead { cursor: pointer; } .stephead.plain { cursor: auto; padding-left: 1.1em; }
.looked { background: var(--panel); padding: 0 .3em; border-radius: 4px; margin-right: .5em; }
.showed { color: var(--fg); }
details.more > summary { cursor: pointer; color: #0969da; font-size: 12px; margin: .2em 0; }
.prov { color: var(--dim); font-size: 12px; margin: .2em 0; }
.scroll { overflow-x: auto; }
table.rows { border-collapse: collapse; margin: .4em 0; font-size: 12.5px; }
table.rows th, table.rows td { border: 1px solid var(--line); padding: .15em .5em; text-align: left;
  vertical-align: top; max-width: 40em; overflow-wrap: anywhere; }
table.rows th { background: var(--panel); font-weight: 600; }
tr.missing td { color: var(--dim); }
.logline { margin: .35em 0; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.logline .where { background: var(--panel); padding: .1em .5em; font-size: 12px; border-bottom: 1px solid var(--line); }
.where .srv { font-weight: 600; } .where .file { font-family: ui-monospace, monospace; }
.logline pre { margin: 0; padding: .3em .5em; white-space: pre-wrap; word-break: break-all; max-height: 12em;
  overflow: auto; background: #fff; }
.legend { display: flex; flex-direction: column; gap: .4em; margin-bottom: .6em; font-size: 13px; }
.chip { display: inline-flex; align-items: center; gap: .35em; margin: .1em .2em; padding: .1em .6em;
  border: 1px solid var(--line); border-radius: 1em; background: #fff; cursor: pointer;
  font: 12px ui-monospace, monospace; }
.chip i { width: .8em; height: .8em; border-radius: 50%; background: var(--c); display: inline-block; }
.chip.active { border-color: var(--c); box-shadow: 0 0 0 2px var(--c) inset; }
.lvl { margin-right: .6em; }
.tl { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.tl-row { display: grid; grid-template-columns: var(--cols); border-top: 1px solid #eaeef2; }
.tl-head { position: sticky; top: 0; background: var(--panel); font-weight: 600; z-index: 1; border-top: 0; }
.lane-head { padding: .3em .6em; border-left: 1px solid var(--line); }
.lane-head:first-child { border-left: 0; }
.tl-row .time { grid-column: 1; padding: .35em .6em; font: 12px/1.35 ui-monospace, monospace; }
.card { margin: .3em .4em; padding: .25em .5em; border-left: 5px solid var(--c); border-radius: 4px;
  background: var(--panel); min-width: 0; }
.card.lvl-error { background: #fff5f5; } .card.lvl-warn { background: #fffbeb; }
.ev-finding .card { background: #f5f0ff; border-left-color: var(--unknown); }
.ev-head { display: flex; flex-wrap: wrap; gap: .4em; align-items: center; font-size: 12px; }
.ev-title { font-weight: 500; margin: .1em 0; overflow-wrap: anywhere; }
.lv { padding: 0 .45em; border-radius: 3px; color: #fff; font-weight: 600; font-size: 11px; }
.lv-error { background: var(--error); } .lv-warn { background: var(--warn); }
.lv-info { background: var(--info); } .lv-debug { background: var(--debug); }
.kind { color: var(--dim); } .times { font-weight: 700; color: var(--fg); } .cites { margin-left: auto; }
code.trace { border-bottom: 3px solid var(--c, var(--no-trace)); padding: 0 .2em; font-size: 11.5px; }
.card .logline { margin: .2em 0 0; } .card .logline pre { max-height: 7.5em; font-size: 12px; }
.card details summary { cursor: pointer; color: var(--dim); font-size: 12px; }
.card details pre { white-space: pre-wrap; word-break: break-all; margin: .2em 0; }
.hidden { display: none !important; }
@media (max-width: 800px) { .tl-row { grid-template-columns: 1fr !important; } .card { grid-column: 1 !important; } }
@media print { details { display: block; } .legend { display: none; } }
"""

JS = """
(function () {
  var events = Array.prototype.slice.call(document.querySelectorAll('#timeline .ev'));
  var tl = document.querySelector('#timeline .tl');
  if (!tl || !events.length) { document.documentElement.setAttribute('data-ready', '1'); return; }
  var original = events.slice();
  var activeTrace = null;
  var count = document.getElementById('tl-count');
  function levelOn(level) {
    var box = document.querySelector('.legend input[data-level="' + level + '"]');
    return !box || box.checked;
  }
  function apply() {
    var shown = 0;
    events.forEach(function (ev) {
      var ok = levelOn(ev.getAttribute('data-level')) &&
        (activeTrace === null || ev.getAttribute('data-trace') === activeTrace);
      ev.classList.toggle('hidden', !ok);
      if (ok) { shown++; }
    });
    if (count) { count.textContent = shown + ' of ' + events.length + ' events'; }
  }
  Array.prototype.forEach.call(document.querySelectorAll('.legend .chip'), function (chip) {
    chip.addEventListener('click', function () {
      var t = chip.getAttribute('data-trace');
      activeTrace = activeTrace === t ? null : t;
      Array.prototype.forEach.call(document.querySelectorAll('.legend .chip'), function (c) {
        c.classList.toggle('active', c.getAttribute('data-trace') === activeTrace);
      });
      apply();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('.legend input[data-level]'), function (box) {
    box.addEventListener('change', apply);
  });
  var group = document.getElementById('group-trace');
  if (group) {
    group.addEventListener('change', function () {
      var order = {};
      Array.prototype.forEach.call(document.querySelectorAll('.legend .chip'), function (c, i) {
        order[c.getAttribute('data-trace')] = i;
      });
      var list = original.slice();
      if (group.checked) {
        list.sort(function (a, b) {
          var ta = a.getAttribute('data-trace'), tb = b.getAttribute('data-trace');
          var oa = ta in order ? order[ta] : 1e9, ob = tb in order ? order[tb] : 1e9;
          return oa - ob || original.indexOf(a) - original.indexOf(b);
        });
      }
      list.forEach(function (ev) { tl.appendChild(ev); });
      events = list;
    });
  }
  apply();
  document.documentElement.setAttribute('data-ready', '1');
})();
"""
