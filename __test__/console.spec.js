'use strict'
// Issue 20: the emulator in a real browser (Debian's chromium, driven by playwright-core): the console shows the
// calls a client makes and steers the emulator through the control API; WeChat's authorization page sends the
// browser back to the platform with a code queryAuth accepts; the console and control API refuse other sites,
// other Hosts and browsers without the token.

const test = require('ava')
const http = require('node:http')
const fs = require('node:fs')
const { chromium } = require('playwright-core')
const { cloud, COMPONENT, recordingStore, serve } = require('./component-helpers.js')
// SF with the cash-paid biz_id: no bound account needed.
const { orderParams } = require('../scripts/soak.js')

const CHROMIUM = '/usr/bin/chromium'
const APP = { appid: 'wxconsoleapp000001', secret: 'console-app-secret-000000000001' }
const MERCHANT = 'wxconsolemerchant1'
const MINIPROGRAM = 'wxconsolelinkedmp1'

test.before(async (t) => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`)
  t.context.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] })
})

test.after.always(async (t) => {
  if (t.context.browser) await t.context.browser.close()
})

async function page(t) {
  const context = await t.context.browser.newContext()
  t.teardown(() => context.close())
  return context.newPage()
}

async function emulator(t, options = {}) {
  const emu = await cloud.startEmulator({ port: 0, apps: [APP], ...options })
  t.teardown(() => emu.close())
  return emu
}

test('the console URL carries a fresh token; the CLI-facing emulator has it too', async (t) => {
  const one = await emulator(t)
  const two = await emulator(t)
  t.regex(one.consoleUrl, /^http:\/\/127\.0\.0\.1:\d+\/__emulator\/ui\?token=[A-Za-z0-9]{32}$/)
  t.true(one.consoleUrl.startsWith(one.url))
  t.not(new URL(one.consoleUrl).searchParams.get('token'), new URL(two.consoleUrl).searchParams.get('token'))
})

test('a call made by a test appears in the console log, with its status, errcode and rid', async (t) => {
  const emu = await emulator(t)
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  const p = await page(t)
  await p.goto(emu.consoleUrl)
  await client.openapi.logistics.getAllAccount({})
  await emu.injectFault({ name: 'logistics.getAllDelivery', errcode: 45009 })
  const failed = await t.throwsAsync(client.openapi.logistics.getAllDelivery({}))
  const ok = p.locator('#call-rows tr[data-api="logistics.getAllAccount"]')
  await ok.first().waitFor()
  t.regex(await ok.first().innerText(), /logistics\.getAllAccount\s+200\s+0\s/)
  const bad = p.locator('#call-rows tr[data-api="logistics.getAllDelivery"]')
  await bad.first().waitFor()
  const text = await bad.first().innerText()
  t.true(text.includes('45009') && text.includes(failed.rid), text)
  t.is(await bad.first().getAttribute('class'), 'entry failed')
  // The token the client fetched is in the log as a call, never as a value.
  const tokens = p.locator('#call-rows tr[data-api="auth.getStableAccessToken"]')
  await tokens.first().click()
  const detail = await p.locator('#call-rows tr.detail').innerText()
  t.false(detail.includes(APP.secret))
  t.false((await p.content()).includes(APP.secret))
})

test('clicking "Approve" on a pending link changes what getLinkMiniprogram answers', async (t) => {
  const emu = await emulator(t)
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  await client.openapi.officialAccount.linkMiniprogram({ appid: MINIPROGRAM, notifyUsers: 1, showProfile: 0 })
  const before = await client.openapi.officialAccount.getLinkMiniprogram({})
  t.not(before.wxopens.items[0].status, 1)
  const p = await page(t)
  await p.goto(emu.consoleUrl)
  await p.locator(`.app[data-appid="${APP.appid}"] button`, { hasText: 'Approve' }).click()
  await p.locator('#output', { hasText: 'approveLink' }).waitFor()
  const after = await client.openapi.officialAccount.getLinkMiniprogram({})
  t.is(after.wxopens.items[0].status, 1)
  t.true((await p.locator('#output').innerText()).includes('"status": 1'))
})

test('clicking "Next path step" on an order moves it along the path getPath answers', async (t) => {
  const emu = await emulator(t)
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  const [openid] = await emu.openids(APP.appid)
  const { waybillId } = await client.openapi.logistics.addOrder(orderParams('console-walk', openid))
  t.is((await client.openapi.logistics.getPath({ deliveryId: 'SF', waybillId })).pathItemNum, 0)
  const p = await page(t)
  await p.goto(emu.consoleUrl)
  await p.locator(`.app[data-appid="${APP.appid}"] button`, { hasText: 'Next path step' }).click()
  await p.locator('#output', { hasText: 'advanceOrder' }).waitFor()
  const path = await client.openapi.logistics.getPath({ deliveryId: 'SF', waybillId })
  t.is(path.pathItemNum, 1)
  t.like(path.pathItemList[0], { actionType: 100001, actionMsg: '快件已揽收' })
})

/** The platform's site: its redirect_uri answers a page; resolves to { url, close }. */
async function platformSite(t) {
  const server = http.createServer((req, res) => res.end('back at the platform'))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return `http://127.0.0.1:${server.address().port}/wechat/authorized?state=42`
}

test('the authorization page ends on the redirect URI with a code that queryAuth accepts, and pushes authorized', async (t) => {
  const emu = await emulator(t, { components: [COMPONENT], apps: [APP, { appid: MERCHANT, secret: 'merchant-secret-00000000000001', name: 'Console Merchant' }] })
  const client = cloud.createClient({ ...APP, component: COMPONENT, apiBase: emu.url, store: recordingStore() })
  const pushed = []
  client.component.on('authorized', (e) => pushed.push(e))
  const handler = await serve(client.component.pushHandler())
  t.teardown(handler.close)
  await emu.pushTicket(handler.url)
  const { preAuthCode } = await client.component.getPreAuthCode()
  const redirectUri = await platformSite(t)
  const link = client.component.authorizationUrl({ preAuthCode, redirectUri })
  t.true(link.startsWith(`${emu.url}/cgi-bin/componentloginpage?component_appid=${COMPONENT.appid}`), link)

  const p = await page(t)
  await p.goto(link)
  await p.locator(`input[name=authorizer_appid][value="${MERCHANT}"]`).check()
  await p.locator('input[name=permission_set]').evaluateAll((boxes) => boxes.forEach((b) => { b.checked = ['45', '71'].includes(b.value) }))
  await Promise.all([p.waitForURL((u) => u.pathname === '/wechat/authorized'), p.locator('button', { hasText: 'Authorize' }).click()])
  const back = new URL(p.url())
  t.is(back.searchParams.get('state'), '42')
  t.is(back.searchParams.get('expires_in'), '3600')
  const code = back.searchParams.get('auth_code')
  t.regex(code, /^queryauthcode@@@/)
  t.is(await p.locator('body').innerText(), 'back at the platform')

  t.is(pushed.length, 1)
  t.like(pushed[0], { authorizerAppid: MERCHANT, authorizationCode: code })
  const info = await client.component.queryAuth(code)
  t.is(info.authorizerAppid, MERCHANT)
  t.deepEqual(info.funcInfo.map((f) => f.funcscopeCategory.id).sort((a, b) => a - b), [45, 71])

  // The link authorizes once.
  await p.goto(link)
  t.regex(await p.locator('body').innerText(), /expired or was used/)
})

test('the pushes panel shows every push the emulator sent, and how it was answered', async (t) => {
  const emu = await emulator(t, { components: [COMPONENT] })
  const client = cloud.createClient({ component: COMPONENT, apiBase: emu.url, store: recordingStore() })
  const handler = await serve(client.component.pushHandler())
  t.teardown(handler.close)
  const refusing = await serve((req, res) => { res.statusCode = 500; res.end('not now') })
  t.teardown(refusing.close)
  const p = await page(t)
  await p.goto(emu.consoleUrl)
  await emu.pushTicket(handler.url)
  await emu.pushTicket(refusing.url).catch(() => {}) // answered 500 every time: retried, then given up
  const delivered = p.locator('#push-rows .push[data-event="component_verify_ticket"][data-outcome="delivered"]')
  await delivered.first().waitFor()
  t.true((await delivered.first().innerText()).includes(new URL(handler.url).pathname))
  const failed = p.locator('#push-rows .push[data-outcome="failed"]')
  await failed.first().waitFor()
  t.regex(await failed.first().innerText(), /500/)
  const log = await emu.control('pushLog', {})
  t.is(log.filter((e) => e.outcome === 'failed').length, 1)
  t.true(log.find((e) => e.outcome === 'failed').attempts.length > 1, 'a push not answered success is retried')
  // No ticket or secret reaches the page.
  const { ticket } = await emu.setTicket(COMPONENT.appid)
  const text = await p.locator('body').innerText()
  for (const secret of [COMPONENT.secret, COMPONENT.encodingAesKey, ticket]) t.false(text.includes(secret))
})

test('cross-origin pages, other Hosts and browsers without the token are refused', async (t) => {
  const emu = await emulator(t)
  const p = await page(t)
  // The console without its token, or with another.
  const bare = await p.goto(`${emu.url}/__emulator/ui`)
  t.is(bare.status(), 403)
  const wrong = await p.goto(`${emu.url}/__emulator/ui?token=${'x'.repeat(32)}`)
  t.is(wrong.status(), 403)
  // Same origin, but a script without the token: refused; with it: answered.
  const open = await p.goto(emu.consoleUrl)
  t.is(open.status(), 200)
  t.is(await open.headerValue('x-frame-options'), 'DENY')
  const token = new URL(emu.consoleUrl).searchParams.get('token')
  const asked = (headers) => p.evaluate(async (h) => {
    const r = await fetch('/__emulator/state', { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body: '{}' })
    return { status: r.status, body: await r.json() }
  }, headers)
  const without = await asked({})
  t.is(without.status, 403)
  t.regex(without.body.error, /console's token/)
  t.is((await asked({ 'x-emulator-token': token })).status, 200)

  // Another site's page cannot drive the control API, even knowing the token.
  const evil = http.createServer((req, res) => res.end('<!doctype html><title>elsewhere</title>'))
  await new Promise((resolve) => evil.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => evil.close(resolve)))
  await emu.injectFault({ name: 'logistics.getAllAccount', errcode: 45009, times: 5 })
  await p.goto(`http://localhost:${evil.address().port}/`)
  const attempts = await p.evaluate(async ({ url, token }) => {
    const tries = [
      { mode: 'no-cors', headers: { 'content-type': 'text/plain' } },
      { mode: 'cors', headers: { 'content-type': 'application/json', 'x-emulator-token': token } },
    ]
    return Promise.all(tries.map((init) => fetch(`${url}/__emulator/clearFaults`, { method: 'POST', body: '{}', ...init }).then((r) => r.type, (e) => e.name)))
  }, { url: emu.url, token })
  t.deepEqual(attempts, ['opaque', 'TypeError'])
  t.is((await emu.control('state')).pendingFaults, 5, 'the injected faults are all still there')
  const refused = await fetch(`${emu.url}/__emulator/state`, { method: 'POST', headers: { 'content-type': 'application/json', origin: `http://localhost:${evil.address().port}`, 'x-emulator-token': token }, body: '{}' })
  t.is(refused.status, 403)
  // Another Host (DNS rebinding) is refused for the console and the control API alike.
  const rebound = await request(emu.url, '/__emulator/ui?token=' + token, { host: 'attacker.example' })
  t.is(rebound.status, 403)
  const control = await request(emu.url, '/__emulator/state', { host: 'attacker.example', 'content-type': 'application/json' }, 'POST')
  t.is(control.status, 403)
  // Tools (tests, the JS emulator, the CLI, curl) need no token.
  const tool = await fetch(`${emu.url}/__emulator/requestCounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.is(tool.status, 200)
})

/** A request with a Host header of our choosing (fetch does not let one set it). */
function request(base, path, headers, method = 'GET') {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, path, method, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode }))
    })
    req.on('error', reject)
    req.end(method === 'POST' ? '{}' : undefined)
  })
}
