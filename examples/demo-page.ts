// The seed scenario as a page: a button fires the ajax request, the answer comes back at
// once, and the inspector beside it (mounted at /_tasks/) shows the work finishing afterwards.
export const demoPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>finish-request demo</title>
<style>
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d232b; background: #f6f7f9; }
main { display: grid; grid-template-columns: minmax(300px, 380px) 1fr; gap: 20px; padding: 20px; min-height: 100vh; }
section { background: #fff; border: 1px solid #e3e6ea; border-radius: 8px; padding: 18px 20px; }
h1 { font-size: 20px; margin: 0 0 6px; }
p { color: #4b5561; margin: 0 0 14px; }
button { font: inherit; font-weight: 600; border: 0; border-radius: 6px; padding: 8px 16px; cursor: pointer; margin: 0 8px 8px 0; }
#export { background: #2563eb; color: #fff; }
#fail { background: #fff; color: #c62828; border: 1px solid #c62828; }
ol { padding-left: 20px; margin: 12px 0 0; }
li { margin-bottom: 8px; }
.rtt { font-weight: 700; font-variant-numeric: tabular-nums; }
code { font-size: 13px; background: #f1f3f5; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
iframe { width: 100%; height: 100%; min-height: 560px; border: 0; }
.inspector { padding: 0; overflow: hidden; }
@media (max-width: 800px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<main>
<section>
<h1>Answer now, finish afterwards</h1>
<p><b>Export</b> posts to <code>/export</code>. The server answers at once; the statistics write
and the zip (with progress per file) run after the answer was delivered. Watch them in the
inspector on the right.</p>
<button id="export" type="button">Export</button>
<button id="fail" type="button">Send a receipt (fails)</button>
<ol id="answers" aria-live="polite"></ol>
</section>
<section class="inspector"><iframe src="/_tasks/" title="Tasks inspector"></iframe></section>
</main>
<script>
const answers = document.getElementById('answers')
async function post(path) {
  const started = performance.now()
  const response = await fetch(path, { method: 'POST' })
  const body = await response.text()
  const ms = performance.now() - started
  const li = document.createElement('li')
  const rtt = document.createElement('span')
  rtt.className = 'rtt'
  rtt.textContent = ms.toFixed(1) + ' ms'
  const code = document.createElement('code')
  code.textContent = body
  li.append('POST ' + path + ' answered in ', rtt, ': ', code)
  li.dataset.status = String(response.status)
  answers.prepend(li)
}
document.getElementById('export').onclick = () => post('/export')
document.getElementById('fail').onclick = () => post('/receipt')
</script>
</body>
</html>
`
