'use strict'
// Issue 27, class 4: a push is handled only once its listeners succeeded. WeChat's retry that arrives while a slow
// listener still runs must not be answered 'success' before that: it waits for the first run and is answered
// as it is (or fails, so WeChat retries later); when the first run fails, a later retry runs the listeners again.

const test = require('ava')
const { cloud, COMPONENT, serve, post, pushXml } = require('../component-helpers.js')

const APP = { appid: 'wxretryrun00000001', secret: 'retryrunsecret0000000000000001' }
const TOKEN = 'retry-run-token'
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA'
const now = () => Math.floor(Date.now() / 1000)

function deferred() {
  let resolve
  const promise = new Promise((r) => (resolve = r))
  return { promise, resolve }
}

/** A listener that waits for `gate`, then throws the first time and succeeds after. */
function slowThenFailsOnce(runs, gate) {
  return async () => {
    runs.push('start')
    await gate.promise
    if (runs.filter((r) => r === 'start').length === 1) throw new Error('database down')
  }
}

function accountPush(mc, orderId) {
  const xml = `<xml><ToUserName>gh_x</ToUserName><FromUserName>o</FromUserName><CreateTime>${now()}</CreateTime><MsgType>event</MsgType><Event>add_waybill</Event><OrderID>${orderId}</OrderID></xml>`
  return mc.encryptPush(xml)
}

const intakes = {
  'client.push': () => {
    const client = cloud.createClient({ ...APP, push: { token: TOKEN, encodingAesKey: KEY } })
    const mc = new cloud.crypto.MsgCrypt({ token: TOKEN, encodingAesKey: KEY, appid: APP.appid })
    return { api: client.push, event: 'add_waybill', push: accountPush(mc, 'o-1'), handler: client.push.pushHandler() }
  },
  "component.handlePush ('authorized')": () => {
    const client = cloud.createClient({ component: COMPONENT })
    const mc = new cloud.crypto.MsgCrypt({ token: COMPONENT.token, encodingAesKey: COMPONENT.encodingAesKey, appid: COMPONENT.appid })
    const push = mc.encryptPush(pushXml(COMPONENT.appid, 'authorized', { AuthorizerAppid: 'wxmerchant00000001', AuthorizationCode: 'code@@@slow' }))
    return { api: client.component, event: 'authorized', push, handler: client.component.pushHandler() }
  },
}

for (const [name, make] of Object.entries(intakes)) {
  test(`${name}: a retry while the first run is running is never answered success before it succeeded`, async (t) => {
    const { api, event, push, handler } = make()
    const runs = []
    const gate = deferred()
    api.on(event, slowThenFailsOnce(runs, gate))
    const server = await serve(handler)
    t.teardown(server.close)
    const first = post(server.url, push.query, push.body)
    await new Promise((resolve) => setTimeout(resolve, 100))
    t.deepEqual(runs, ['start'])
    // WeChat's retry, while the listener still runs.
    let retryDone = false
    const retry = post(server.url, push.query, push.body).then((r) => ((retryDone = true), r))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const early = retryDone ? await retry : undefined
    t.not(early && early.text, 'success', 'the retry was answered success while the listener had not succeeded')
    gate.resolve()
    t.is((await first).status, 500, 'the first run failed')
    const answered = await retry
    t.not(answered.status, 200, 'the retry is answered as the first run was, or as a failure')
    // The push was lost if no later retry reaches the listeners.
    t.deepEqual(await post(server.url, push.query, push.body), { status: 200, text: 'success' })
    t.deepEqual(runs, ['start', 'start'], 'the listener ran again after it failed')
    t.deepEqual(await post(server.url, push.query, push.body), { status: 200, text: 'success' })
    t.deepEqual(runs, ['start', 'start'], 'and not again once it succeeded')
  })

  test(`${name}: a retry while a run that succeeds is running is answered success only after it`, async (t) => {
    const { api, event, push } = make()
    const order = []
    const gate = deferred()
    api.on(event, async () => {
      order.push('listener started')
      await gate.promise
      order.push('listener done')
    })
    const first = api.handlePush(push).then((a) => (order.push(`first: ${a}`), a))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const retry = api.handlePush(push).then((a) => (order.push(`retry: ${a}`), a), (e) => (order.push('retry failed'), e))
    await new Promise((resolve) => setTimeout(resolve, 50))
    t.deepEqual(order, ['listener started'], 'the retry waits (or fails), never answers first')
    gate.resolve()
    t.is(await first, 'success')
    const r = await retry
    t.true(r === 'success' || r instanceof Error)
    t.is(order.indexOf('listener done') < order.findIndex((o) => o.startsWith('retry')), true, order.join(', '))
    t.is(order.filter((o) => o === 'listener started').length, 1, 'the listener ran once')
  })
}
