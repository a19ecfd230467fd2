// The page's stylesheet: plain, readable, no web fonts, no external anything.
export const style = `
:root { --fg:#1d232b; --muted:#66707c; --line:#e3e6ea; --bg:#fff; --soft:#f6f7f9;
  --running:#2563eb; --ok:#15803d; --error:#c62828; --timeout:#b45309; --abandoned:#6b7280; --waiting:#9aa3ad; }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 20px 28px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; margin-bottom: 10px; }
h1 { font-size: 18px; margin: 0; }
h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 18px 0 6px; font-weight: 600; }
.pending { font-variant-numeric: tabular-nums; background: var(--soft); border: 1px solid var(--line); border-radius: 999px; padding: 1px 10px; }
.conn { color: var(--muted); font-size: 12px; margin-left: auto; }
.conn::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--waiting); margin-right: 6px; }
.conn.live::before { background: var(--ok); }
.conn.down::before { background: var(--error); }
svg { width: 100%; height: 120px; display: block; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; }
svg text { font: 10px system-ui, sans-serif; fill: var(--muted); }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; border-bottom: 1px solid var(--line); padding: 4px 6px; }
td { border-bottom: 1px solid var(--line); padding: 5px 6px; vertical-align: top; overflow-wrap: anywhere; }
th:nth-child(1) { width: 92px; } th:nth-child(4) { width: 76px; } th:nth-child(5) { width: 120px; }
.status { display: inline-block; min-width: 70px; text-align: center; font-size: 12px; font-weight: 600; border-radius: 4px; padding: 0 6px; color: #fff; background: var(--waiting); }
.s-running .status { background: var(--running); } .s-ok .status { background: var(--ok); }
.s-error .status { background: var(--error); } .s-timeout .status { background: var(--timeout); }
.s-abandoned .status { background: var(--abandoned); }
.name { font-weight: 600; }
.err, .msg { color: var(--error); font-weight: normal; font-size: 13px; }
.req { color: var(--muted); font-size: 13px; } .method { font-weight: 600; color: var(--fg); }
.dur { font-variant-numeric: tabular-nums; text-align: right; }
.delivery { font-size: .75em; color: #6b7280; }
.bar { display: inline-block; width: 70px; height: 8px; background: var(--line); border-radius: 4px; overflow: hidden; vertical-align: middle; margin-right: 6px; }
.bar > span { display: block; height: 100%; background: var(--running); }
.s-ok .bar > span { background: var(--ok); }
.count { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
ul { list-style: none; margin: 0; padding: 0; }
#failed li { padding: 5px 0; border-bottom: 1px solid var(--line); }
#failed .status { margin-right: 4px; }
#failed .url { color: var(--muted); font-size: 12px; display: block; }
.empty { color: var(--muted); font-style: italic; }
`
