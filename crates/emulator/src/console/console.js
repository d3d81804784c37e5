'use strict'
// The console: reads the emulator and steers it through the control API tests use (POST /__emulator/<action>),
// sending this start's token (from the page's URL) with each request. No framework, no build step.

const token = new URLSearchParams(location.search).get('token') || ''
const $ = (id) => document.getElementById(id)

async function control(action, args = {}) {
  const response = await fetch('/__emulator/' + action, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-emulator-token': token },
    body: JSON.stringify(args),
  })
  const out = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }))
  if (!out.ok) throw new Error(out.error)
  return out.result
}

/** An element with attributes (`on…` are listeners) and children (text or nodes). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value)
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value)
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child))
  }
  return node
}

const table = (head, rows) => el('table', {}, el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))), el('tbody', {}, rows))
const row = (...cells) => el('tr', {}, cells.map((c) => el('td', {}, c)))
const time = (ms) => new Date(ms).toTimeString().slice(0, 8) + '.' + String(ms % 1000).padStart(3, '0')
const button = (label, action, args) => el('button', { type: 'button', onclick: () => act(action, args) }, label)

function show(action, result) {
  $('output').textContent = `${action}: ${typeof result === 'string' ? result : JSON.stringify(result, null, 2)}`
}

async function act(action, args) {
  try {
    show(action, await control(action, args))
  } catch (e) {
    show(action, e.message)
  }
  await refresh()
}

// Calls: the journal, newest on top. The emulator cannot see a client's attempts; a request identical to a
// failed one from the same caller (same API, caller and body) within 30 s is shown as its retry.
let lastSeq = 0
let paused = false
const lastByKey = new Map()
const seenApis = new Set()

function attemptOf(entry) {
  const key = [entry.api, entry.appid, entry.componentAppid, entry.method, entry.requestBody].join('\n')
  const before = lastByKey.get(key)
  const attempt = before && before.failed && entry.at - before.at < 30000 ? before.attempt + 1 : 1
  if (lastByKey.size > 5000) lastByKey.clear()
  lastByKey.set(key, { at: entry.at, failed: entry.status !== 200 || entry.errcode !== 0, attempt })
  return attempt
}

function addCall(entry) {
  const attempt = attemptOf(entry)
  const failed = entry.status !== 200 || entry.errcode !== 0
  const line = el(
    'tr',
    { class: failed ? 'entry failed' : 'entry', 'data-api': entry.api, 'data-seq': entry.seq },
    [time(entry.at), entry.api, entry.status, entry.errcode, entry.ms.toFixed(2), entry.rid || '', entry.appid || entry.componentAppid || '', attempt > 1 ? `retry ${attempt - 1}` : ''].map((c) => el('td', {}, c)),
  )
  line.addEventListener('click', () => {
    if (line.nextSibling && line.nextSibling.classList.contains('detail')) return line.nextSibling.remove()
    const detail = `${entry.method} ${entry.path}${entry.query ? '?' + entry.query : ''}\n${entry.requestBody}\n→ ${entry.errmsg}\n${entry.responseBody}`
    line.after(el('tr', { class: 'detail' }, el('td', { colspan: 8 }, el('pre', {}, detail))))
  })
  const rows = $('call-rows')
  rows.prepend(line)
  while (rows.children.length > 500) rows.lastChild.remove()
  if (!seenApis.has(entry.api)) {
    seenApis.add(entry.api)
    $('endpoints').append(el('option', { value: entry.api }))
  }
}

async function pollCalls() {
  if (paused) return
  for (const entry of await control('journal', { since: lastSeq })) {
    lastSeq = entry.seq
    addCall(entry)
  }
}

// Pushes: the emulator's push log, newest on top; its error text while the emulator has none.
async function pollPushes() {
  let log
  try {
    log = await control('pushLog')
  } catch (e) {
    // Until the emulator keeps a push log, its answer says so (the list of known actions left out).
    return replace('push-rows', el('p', { class: 'problem', title: e.message }, e.message.split('; known:')[0]))
  }
  const items = log.slice().reverse().map((p) =>
    el('div', { class: 'push', 'data-id': p.id, 'data-event': p.event, 'data-outcome': p.outcome },
      el('b', {}, p.event), ' → ', el('code', {}, p.to), ' ', el('span', { class: p.outcome }, p.outcome),
      el('br'), `${time(p.at)} · ${p.appid || ''}${p.componentAppid ? ' via ' + p.componentAppid : ''} · ${p.format} ${p.mode}`,
      el('ol', {}, p.attempts.map((a) => el('li', {}, `${time(a.at)} ${a.status ?? '—'} ${a.answer ?? ''} ${a.error ?? ''} (${Math.round(a.ms)} ms)`))),
    ),
  )
  replace('push-rows', items.length ? items : el('p', {}, 'No pushes yet.'))
}

// State: apps, platforms and tokens, redrawn only when they change (so a half-typed form survives).
const drawn = {}
function replace(id, content) {
  const key = content instanceof Node ? content.outerHTML : content.map((n) => n.outerHTML).join('')
  if (drawn[id] === key) return
  drawn[id] = key
  $(id).replaceChildren(...[content].flat())
}

const REVIEW = { 0: 'bound', 1: 'in review', 2: 'rejected' }
const LINK = { 1: 'linked', 2: 'awaiting the mini program', 3: 'refused', 12: 'awaiting the account' }

function drawApp(appid, app) {
  const accounts = (app.logisticsAccounts || []).map((a) => {
    const settle = (statusCode) => ({ appid, accounts: [{ bizId: a.biz_id, deliveryId: a.delivery_id, alias: a.alias, quotaNum: a.quota_num, remarkContent: a.remark_content, statusCode, remarkWrongMsg: statusCode ? 'refused in the emulator console' : '' }] })
    const actions = a.status_code === 1 ? [button('Approve review', 'seedAccounts', settle(0)), button('Reject', 'seedAccounts', settle(2))] : []
    return row(a.biz_id, a.delivery_id, a.alias, REVIEW[a.status_code] ?? a.status_code, a.quota_num, actions)
  })
  const links = (app.links || []).map((l) => {
    const pending = l.status === 2 || l.status === 12
    const args = { appid, miniprogramAppid: l.appid }
    return row(l.appid, LINK[l.status] ?? l.status, pending ? [button('Approve', 'approveLink', args), button('Refuse', 'rejectLink', args)] : '')
  })
  const orders = (app.orders || []).map((o) =>
    row(o.orderId, o.deliveryId, o.waybillId, o.orderStatus ? 'cancelled' : 'open', o.pathItems, o.orderStatus ? '' : button('Next path step', 'advanceOrder', { appid, orderId: o.orderId })))
  const usage = Object.entries(app.usage || {}).map(([api, n]) => `${api} ${JSON.stringify(n)}`).join(' · ')
  return el('div', { class: 'app', 'data-appid': appid },
    el('h3', {}, app.name, ' ', el('code', {}, appid)),
    `${app.subject}${app.openAppid ? ' · open platform ' + app.openAppid : ''}${app.printers && app.printers.length ? ' · printers: ' + app.printers.length : ''}`,
    accounts.length ? table(['biz_id', 'Courier', 'Alias', 'Review', 'Quota', ''], accounts) : null,
    links.length ? table(['Mini program link', 'Status', ''], links) : null,
    orders.length ? table(['Order', 'Courier', 'Waybill', 'Status', 'Path events', ''], orders) : null,
    usage ? el('p', {}, el('small', {}, 'Quota used: ', usage)) : null,
  )
}

function drawPlatform(appid, platform, apps) {
  const authorizers = platform.authorizers.map((a) =>
    row(a.authorizerAppid, a.permissionSets.join(', '), new Date(a.authTime * 1000).toLocaleString(), button('Unauthorize', 'unauthorize', { componentAppid: appid, authorizerAppid: a.authorizerAppid })))
  const authorize = el('form', { onsubmit: (event) => {
    event.preventDefault()
    const form = new FormData(event.target)
    const permissionSets = String(form.get('sets')).split(/[\s,]+/).filter(Boolean).map(Number)
    act('authorize', { componentAppid: appid, authorizerAppid: form.get('authorizer'), permissionSets })
  } },
  el('select', { name: 'authorizer' }, apps.map((a) => el('option', { value: a }, a))), ' sets ', el('input', { name: 'sets', value: '45,71', size: 8 }), el('button', {}, 'Authorize'))
  const pushTicket = el('form', { onsubmit: (event) => {
    event.preventDefault()
    act('pushTicket', { componentAppid: appid, url: new FormData(event.target).get('url') })
  } }, el('input', { name: 'url', type: 'url', placeholder: "the platform's push URL", required: true, size: 30 }), el('button', {}, 'Push a ticket now'))
  return el('div', { class: 'platform', 'data-appid': appid },
    el('h3', {}, el('code', {}, appid)),
    `ticket ${platform.ticketValid ? 'valid' : 'none or expired'} · authorization codes not yet exchanged: ${platform.pendingAuthorizationCodes} · ${platform.pushRequests} ticket-push requests `,
    button('Set a fresh ticket', 'setTicket', { componentAppid: appid }),
    pushTicket,
    authorizers.length ? table(['Authorizer', 'Permission sets', 'Authorized', ''], authorizers) : el('p', {}, 'No authorizers yet.'),
    authorize,
  )
}

async function pollState() {
  const state = await control('state')
  const skew = state.skewSeconds ? ` (+${state.skewSeconds} s)` : ''
  $('clock').textContent = `clock ${new Date(state.unixTime * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC${skew}`
  const components = state.components || {}
  const apps = Object.keys(state.apps).filter((a) => !(a in components))
  replace('app-list', Object.entries(state.apps).map(([appid, app]) => drawApp(appid, app)))
  const platforms = Object.entries(components).map(([appid, p]) => drawPlatform(appid, p, apps))
  replace('platform-list', platforms.length ? platforms : el('p', {}, 'No platforms configured (components in the emulator options).'))
  replace('token-rows', (state.tokens || []).map((t) => row(t.kind, t.appid || '', t.componentAppid || '', `${t.expiresIn} s${t.replaced ? ' (replaced)' : ''}`, (t.permissionSets || []).join(', '))))
}

async function refresh() {
  try {
    await Promise.all([pollCalls(), pollState(), pollPushes()])
    $('status').textContent = ''
    $('status').className = ''
  } catch (e) {
    $('status').textContent = e.message
    $('status').className = 'error'
  }
}

$('pause').addEventListener('click', (event) => {
  paused = !paused
  event.target.textContent = paused ? 'Resume' : 'Pause'
})
$('advance').addEventListener('submit', (event) => {
  event.preventDefault()
  act('advanceTime', { seconds: Number(new FormData(event.target).get('seconds')) })
})
$('fault').addEventListener('submit', (event) => {
  event.preventDefault()
  const form = new FormData(event.target)
  act('injectFault', { name: form.get('name'), errcode: Number(form.get('errcode')), times: Number(form.get('times')) })
})
$('any').addEventListener('submit', (event) => {
  event.preventDefault()
  const form = new FormData(event.target)
  let args
  try {
    args = JSON.parse(form.get('args') || '{}')
  } catch (e) {
    return show(form.get('action'), `arguments are not JSON: ${e.message}`)
  }
  act(form.get('action'), args)
})

control('actions').then(
  (actions) => $('action-names').append(...actions.map((a) => el('option', { value: a.name, title: a.doc }, `${a.name} ${a.args}`))),
  (e) => show('actions', e.message),
)
refresh()
setInterval(refresh, 1000)
