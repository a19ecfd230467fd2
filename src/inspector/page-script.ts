// The page's script, as source text: it follows GET <mount>/events and renders the same
// markup as rows.ts does on the server. Everything from the server goes in through
// textContent or attributes set as data, never through innerHTML.
export const script = String.raw`
(() => {
  const $ = (id) => document.getElementById(id)
  const tasks = new Map()
  let limit = 200, pending = 0, skew = 0, drawn = false
  const failedStatus = (s) => s === 'error' || s === 'timeout' || s === 'abandoned'
  const duration = (ms) => ms < 1 ? '<1 ms' : ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s'
  const now = () => Date.now() + skew

  function add(entry) {
    tasks.delete(entry.id)
    tasks.set(entry.id, entry)
    if (tasks.size > limit) tasks.delete(tasks.keys().next().value)
  }

  function apply(e) {
    if (typeof e.pending === 'number') pending = e.pending
    const entry = tasks.get(e.id)
    switch (e.type) {
      case 'snapshot':
        tasks.clear(); limit = e.history; skew = e.at - Date.now()
        for (const t of e.tasks) tasks.set(t.id, t)
        break
      case 'registered':
        add({ id: e.id, name: e.name, method: e.request.method, url: e.request.url, status: 'waiting', registeredAt: e.at })
        break
      case 'started':
        if (entry && entry.status === 'waiting') { entry.status = 'running'; entry.startedAt = e.at }
        break
      case 'progress':
        if (entry && entry.endedAt === undefined) { entry.done = e.done; entry.total = e.total }
        break
      case 'ended': {
        const r = e.report
        const t = entry || { id: e.id, name: r.name, method: r.request.method, url: r.request.url, registeredAt: e.at }
        if (!entry) add(t)
        t.status = r.status; t.endedAt = e.at; t.durationMs = r.durationMs; t.delivery = r.delivery
        if (r.error) t.error = r.error
        break
      }
      case 'closing':
        setConnection('down', 'server closing')
        break
    }
    schedule()
  }

  function el(tag, className, text) {
    const node = document.createElement(tag)
    if (className) node.className = className
    if (text !== undefined) node.textContent = text
    return node
  }

  function row(t) {
    const tr = el('tr', 's-' + t.status)
    tr.dataset.id = t.id
    const status = el('td'); status.append(el('span', 'status', t.status))
    const name = el('td', 'name', t.name)
    if (t.error) name.append(el('div', 'err', t.error.name + ': ' + t.error.message))
    const req = el('td', 'req')
    req.append(el('span', 'method', t.method), ' ', el('span', 'url', t.url))
    const ms = t.durationMs !== undefined ? t.durationMs : t.startedAt !== undefined ? now() - t.startedAt : undefined
    const dur = el('td', 'dur', ms === undefined ? '' : duration(ms))
    if (t.delivery) { const d = el('span', 'delivery', t.delivery); d.title = 'how delivery was known'; dur.append(' ', d) }
    const prog = el('td', 'prog')
    if (t.done !== undefined) {
      if (t.total) {
        const bar = el('span', 'bar'), fill = el('span')
        fill.style.width = Math.min(100, Math.max(0, (t.done / t.total) * 100)).toFixed(1) + '%'
        bar.append(fill); prog.append(bar)
      }
      prog.append(el('span', 'count', t.total === undefined ? String(t.done) : t.done + '/' + t.total))
    }
    tr.append(status, name, req, dur, prog)
    return tr
  }

  function failure(t) {
    const li = el('li', 's-' + t.status)
    li.append(el('span', 'status', t.status), ' ', el('span', 'name', t.name), ' ',
      el('span', 'msg', t.error ? t.error.name + ': ' + t.error.message : t.status), el('span', 'url', t.method + ' ' + t.url))
    return li
  }

  const SVG = 'http://www.w3.org/2000/svg'
  const colors = { ok: '#15803d', error: '#c62828', timeout: '#b45309', abandoned: '#6b7280' }
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag)
    for (const k in attrs) node.setAttribute(k, attrs[k])
    if (text !== undefined) node.textContent = text
    return node
  }

  // Each finished task is a dot: when it ended (x) and how long it ran (y).
  function chart(list) {
    const box = $('chart'), W = box.clientWidth || 600, H = 120, L = 44, R = 10, T = 10, B = 18
    box.setAttribute('viewBox', '0 0 ' + W + ' ' + H)
    box.replaceChildren()
    const done = list.filter((t) => t.endedAt !== undefined)
    if (done.length === 0) { box.append(svg('text', { x: L, y: H / 2 }, 'durations appear here as tasks finish')); return }
    const t1 = Math.max(now(), ...done.map((t) => t.endedAt)), t0 = Math.min(...done.map((t) => t.endedAt), t1 - 10000)
    const max = Math.max(1, ...done.map((t) => t.durationMs))
    const x = (at) => L + ((at - t0) / Math.max(1, t1 - t0)) * (W - L - R)
    const y = (ms) => H - B - (ms / max) * (H - T - B)
    box.append(svg('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#d5d9de' }))
    box.append(svg('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#d5d9de' }))
    box.append(svg('text', { x: L - 4, y: T + 8, 'text-anchor': 'end' }, duration(max)))
    box.append(svg('text', { x: L - 4, y: H - B, 'text-anchor': 'end' }, '0'))
    box.append(svg('text', { x: L, y: H - 4 }, Math.round((t1 - t0) / 1000) + ' s ago'))
    box.append(svg('text', { x: W - R, y: H - 4, 'text-anchor': 'end' }, 'now'))
    for (const t of done) {
      const dot = svg('circle', { cx: x(t.endedAt).toFixed(1), cy: y(t.durationMs).toFixed(1), r: 3.5, fill: colors[t.status] || '#6b7280', 'fill-opacity': 0.8 })
      dot.append(svg('title', {}, t.name + ' ' + t.status + ' ' + duration(t.durationMs)))
      box.append(dot)
    }
  }

  function render() {
    drawn = false
    const list = [...tasks.values()]
    $('pending').textContent = pending + ' pending'
    const rows = list.slice().reverse().map(row)
    if (rows.length === 0) { const tr = el('tr'); const td = el('td', 'empty', 'no tasks yet'); td.colSpan = 5; tr.append(td); rows.push(tr) }
    $('tasks').replaceChildren(...rows)
    const failures = list.filter((t) => failedStatus(t.status)).reverse().map(failure)
    if (failures.length === 0) failures.push(el('li', 'empty', 'none'))
    $('failed').replaceChildren(...failures)
    chart(list)
  }

  function schedule() {
    if (drawn) return
    drawn = true
    requestAnimationFrame(render)
  }

  function setConnection(state, text) {
    const c = $('conn'); c.className = 'conn ' + state; c.textContent = text
  }

  // Relative to where the page is mounted, with or without its trailing slash.
  const here = location.pathname.endsWith('/') ? location.pathname : location.pathname + '/'
  const source = new EventSource(here + 'events')
  source.onopen = () => setConnection('live', 'live')
  source.onmessage = (message) => apply(JSON.parse(message.data))
  source.onerror = () => setConnection('down', source.readyState === EventSource.CLOSED ? 'disconnected: reload to retry' : 'reconnecting…')
  // Running tasks' durations tick while nothing else changes.
  setInterval(() => { for (const t of tasks.values()) if (t.status === 'running') return schedule() }, 250)
})()
`
