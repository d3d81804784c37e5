'use strict'
// One path to WeChat: cloud.component's helpers are the same calls as cloud.openapi.component.*, through the
// same exchange: retried when WeChat is busy (as their rows allow), reported by request/retry/response events,
// and bounded by the client's timeout.

const test = require('ava')
const net = require('node:net')
const { cloud, COMPONENT, recordingStore } = require('./component-helpers.js')

const TICKET_KEY = `wechat-openapi:{${COMPONENT.appid}}:component_verify_ticket`

/** Events are delivered on the JS thread just before the call settles; one macrotask makes sure. */
const settled = () => new Promise((resolve) => setImmediate(resolve))

/** Records the call events of `emitter` (a client, or `cloud` for the default one) until the test ends. */
function record(t, emitter) {
  const seen = []
  for (const kind of ['request', 'retry', 'response']) {
    const listener = (e) => seen.push({ kind, ...e })
    emitter.on(kind, listener)
    t.teardown(() => emitter.off(kind, listener))
  }
  return seen
}

/** A host that accepts connections and never answers. */
async function silentHost(t) {
  const sockets = []
  const server = net.createServer((s) => sockets.push(s))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { sockets.forEach((s) => s.destroy()); server.close() })
  return `http://127.0.0.1:${server.address().port}`
}

async function platformEmulator(t) {
  const emu = await cloud.startEmulator({ port: 0, components: [COMPONENT] })
  t.teardown(() => emu.close())
  return emu
}

test.serial('cloud.component.startPushTicket() against a WeChat that answers -1 once succeeds on the retry and emits request/retry/response', async (t) => {
  const emu = await platformEmulator(t)
  cloud.init({ component: COMPONENT, apiBase: emu.url, store: recordingStore() })
  const seen = record(t, cloud)
  await emu.injectFault({ name: 'component.startPushTicket', errcode: -1, times: 1 })
  t.like(await cloud.component.startPushTicket(), { errCode: 0 })
  await settled()
  t.deepEqual(seen.map((e) => e.kind), ['request', 'retry', 'request', 'response'])
  const [first, retry, second, response] = seen
  t.deepEqual([first.attempt, second.attempt], [1, 2])
  t.like(retry, { api: 'component.startPushTicket', attempt: 1, errCode: -1, category: 'busy', reason: 'transient' })
  t.like(response, { api: 'component.startPushTicket', attempts: 2, errCode: 0 })
  t.is(await emu.requestCount('component.startPushTicket'), 2)
})

test('cloud.component helpers and cloud.openapi.component.* make the same walk: same retries, same events', async (t) => {
  const emu = await platformEmulator(t)
  const store = recordingStore()
  const client = cloud.createClient({ component: COMPONENT, apiBase: emu.url, store })
  const walk = async (call) => {
    const seen = record(t, client)
    const result = await call().catch((e) => e)
    await settled()
    return { result, events: seen.map(({ kind, api, attempt, attempts, errCode, reason }) => ({ kind, api, attempt, attempts, errCode, reason })) }
  }
  // Idempotent: WeChat busy once, then the retry succeeds.
  await emu.injectFault({ name: 'component.startPushTicket', errcode: -1, times: 1 })
  const helper = await walk(() => client.component.startPushTicket())
  await emu.injectFault({ name: 'component.startPushTicket', errcode: -1, times: 1 })
  const row = await walk(() => client.openapi.component.startPushTicket({ componentAppid: COMPONENT.appid, componentSecret: COMPONENT.secret }))
  t.deepEqual(helper.events, row.events)
  t.deepEqual(helper.events.map((e) => e.kind), ['request', 'retry', 'request', 'response'])
  // Not idempotent: WeChat busy is final, for both, after one attempt. (startPushTicket minted a new ticket.)
  await emu.control('setTicket', { componentAppid: COMPONENT.appid, ticket: 'ticket@1' })
  await store.set(TICKET_KEY, 'ticket@1')
  await emu.injectFault({ name: 'component.getPreAuthCode', errcode: -1, times: 1 })
  const code = await walk(() => client.component.getPreAuthCode())
  await emu.injectFault({ name: 'component.getPreAuthCode', errcode: -1, times: 1 })
  const codeRow = await walk(() => client.openapi.component.getPreAuthCode({ componentAppid: COMPONENT.appid }))
  t.deepEqual(code.events, codeRow.events)
  t.deepEqual(code.events.map((e) => e.kind), ['request', 'response'])
  t.deepEqual([code.result.errCode, code.result.attempts, code.result.retryable], [-1, 1, false])
  t.deepEqual([codeRow.result.errCode, codeRow.result.attempts, codeRow.result.retryable], [-1, 1, false])
  t.true((await client.component.getPreAuthCode()).preAuthCode.startsWith('preauthcode@@@'))
})

/** A client with timeout: 1000 against a silent host, with a ticket stored (so the component token is asked for). */
async function silentPlatform(t) {
  const store = recordingStore()
  await store.set(TICKET_KEY, 'ticket@1')
  return cloud.createClient({ component: COMPONENT, apiBase: await silentHost(t), store, timeout: 1000 })
}

for (const [name, call] of [
  ['startPushTicket', (c) => c.component.startPushTicket()],
  ['getPreAuthCode', (c) => c.component.getPreAuthCode()],
  ['queryAuth', (c) => c.component.queryAuth('queryauthcode@@@1')],
]) {
  test(`with timeout: 1000 against a silent host, cloud.component.${name}() fails within about a second with -604102`, async (t) => {
    const client = await silentPlatform(t)
    const seen = record(t, client)
    const started = Date.now()
    const err = await t.throwsAsync(call(client))
    const took = Date.now() - started
    t.is(err.errCode, -604102)
    t.is(err.category, 'timeout')
    t.regex(err.errMsg, new RegExp(`^openapi\\.component\\.${name}:fail `))
    t.true(took >= 900 && took < 2500, `${took} ms`)
    await settled()
    t.like(seen.at(-1), { kind: 'response', api: `component.${name}`, errCode: -604102 })
  })
}
