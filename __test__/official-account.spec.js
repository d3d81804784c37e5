'use strict'
// Issue 29, part 2: an official account's day through the real addon against the emulator over real HTTP — a
// menu created and read back, a follower tagged, a template message sent and its TEMPLATESENDJOBFINISH push
// received, a parametric QR code created, its image fetched as a PNG, its scan pushed and answered with a
// passive text reply in safe mode; bad input refused before I/O naming the field; WeChat's codes as OpenApiErrors.

const test = require('ava')
const { PNG } = require('pngjs')
const jsQR = require('jsqr')
const { cloud, serve, until } = require('./component-helpers.js')

const APP = { appid: 'wxofficialaccount01', secret: 'official-account-secret-00000001' }
const TOKEN = 'official-push-token'
const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aA'

async function start() {
  const emu = await cloud.startEmulator({ port: 0, apps: [APP] })
  const client = cloud.createClient({ ...APP, apiBase: emu.url, push: { token: TOKEN, encodingAesKey: KEY } })
  const server = await serve(client.push.pushHandler())
  await emu.setPushTarget({ appid: APP.appid, url: server.url, format: 'xml', mode: 'safe', token: TOKEN, encodingAesKey: KEY })
  return { emu, client, server, close: async () => { await server.close(); await emu.close() } }
}

test('an official account day: menu, tags, a template message and its push, a QR code scanned and answered', async (t) => {
  const { emu, client, close } = await start()
  t.teardown(close)
  const oa = client.openapi.officialAccount
  const [alice, bob] = await emu.openids(APP.appid)

  const button = [{ type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC' }, { name: '菜单', subButton: [{ type: 'view', name: '搜索', url: 'https://www.soso.com/' }] }]
  t.is((await oa.menu.create({ button })).errMsg, 'openapi.officialAccount.menu.create:ok')
  const menu = await oa.menu.get({})
  t.deepEqual(menu.menu.button[0], { type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC', subButton: [] })
  t.is(menu.menu.button[1].subButton[0].url, 'https://www.soso.com/')

  const { tag } = await oa.tags.create({ tag: { name: '星标用户' } })
  await oa.tags.batchTagging({ openidList: [alice], tagid: tag.id })
  t.deepEqual((await oa.tags.getIdList({ openid: alice })).tagidList, [tag.id])
  t.deepEqual((await oa.tags.get({})).tags, [{ id: tag.id, name: '星标用户', count: 1 }])
  const taken = await t.throwsAsync(oa.tags.create({ tag: { name: '星标用户' } }))
  t.true(taken instanceof cloud.OpenApiError)
  t.is(taken.errCode, 45157)
  const followers = await oa.user.getList({})
  t.is(followers.total, 3)
  t.deepEqual((await oa.user.info({ openid: alice })).tagidList, [tag.id])

  const finished = []
  client.push.on('templatesendjobfinish', (event) => { finished.push(event) })
  const templateId = await emu.addOfficialTemplate({ title: '订单支付成功', keys: ['first', 'keyword1', 'remark'] })
  const data = { first: { value: '您好，您的订单已支付' }, keyword1: { value: '¥9.90' }, remark: { value: '欢迎再次光临' } }
  const { msgid } = await oa.messageTemplate.send({ touser: bob, templateId, url: 'https://example.com/order/1', data })
  const event = await until(() => finished[0], 'TEMPLATESENDJOBFINISH')
  t.is(event.Event, 'TEMPLATESENDJOBFINISH')
  t.is(event.MsgID, String(msgid))
  t.is(event.Status, 'success')
  t.is(event.FromUserName, bob)
  const unknown = await t.throwsAsync(oa.messageTemplate.send({ touser: bob, templateId: 'nope', data }))
  t.is(unknown.errCode, 40037)

  const qr = await oa.qrcode.create({ expireSeconds: 600, actionName: 'QR_SCENE', actionInfo: { scene: { sceneId: 2024 } } })
  t.is(qr.expireSeconds, 600)
  const image = await fetch(`${emu.url}/cgi-bin/showqrcode?ticket=${encodeURIComponent(qr.ticket)}`)
  t.is(image.headers.get('content-type'), 'image/png')
  // Decoded by a reader of its own (jsQR, not the crate that drew it): the code carries the ticket's URL.
  const png = PNG.sync.read(Buffer.from(await image.arrayBuffer()))
  const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
  t.truthy(decoded, 'a readable QR code')
  t.is(decoded.data, qr.url)

  const scans = []
  client.push.on('scan', (event) => {
    scans.push(event)
    return cloud.replies.text(event, `欢迎回来，场景 ${event.EventKey}`)
  })
  const scanned = await emu.scanQrcode(APP.appid, { openid: alice, ticket: qr.ticket })
  t.is(scanned.event, 'SCAN')
  t.is(scans[0].Ticket, qr.ticket)
  t.like(scanned.reply, { ToUserName: alice, MsgType: 'text', Content: '欢迎回来，场景 2024' })
  const log = await emu.pushLog({ appid: APP.appid })
  t.true(log.some((entry) => entry.event === 'SCAN' && entry.mode === 'safe'))
})

test('a first follow through a QR code pushes subscribe with qrscene_ and the reply comes back', async (t) => {
  const { emu, client, close } = await start()
  t.teardown(close)
  const qr = await client.openapi.officialAccount.qrcode.create({ actionName: 'QR_LIMIT_STR_SCENE', actionInfo: { scene: { sceneStr: 'shop-7' } } })
  client.push.on('subscribe', (event) => cloud.replies.news(event, [{ title: `来自 ${event.EventKey}`, url: 'https://example.com' }]))
  const followed = await emu.scanQrcode(APP.appid, { openid: 'o-new-follower-0000000000000', ticket: qr.ticket })
  t.is(followed.event, 'subscribe')
  t.is(followed.reply.MsgType, 'news')
  t.is(followed.reply.Articles.item.Title, '来自 qrscene_shop-7')
  const info = await client.openapi.officialAccount.user.info({ openid: 'o-new-follower-0000000000000' })
  t.like(info, { subscribe: 1, subscribeScene: 'ADD_SCENE_QR_CODE', qrSceneStr: 'shop-7' })

  client.push.on('text', (message) => cloud.replies.text(message, `你说：${message.Content}`))
  const said = await emu.userMessage(APP.appid, { openid: 'o-new-follower-0000000000000', msgType: 'text', fields: { Content: '你好' } })
  t.is(said.reply.Content, '你说：你好')
})

test('bad input is refused before any I/O, naming the field', async (t) => {
  const { emu, client, close } = await start()
  t.teardown(close)
  const oa = client.openapi.officialAccount
  const missing = await t.throwsAsync(oa.tags.batchTagging({ openidList: ['o1'] }))
  t.is(missing.errCode, -601002)
  t.regex(missing.message, /tagid/)
  const wrong = await t.throwsAsync(oa.qrcode.create({ actionName: 'QR_SCENE', actionInfo: { scene: { sceneId: 'seven' } } }))
  t.regex(wrong.message, /scene_id|sceneId/)
  t.is(await emu.requestCount('officialAccount.tags.batchTagging'), 0)
  t.throws(() => cloud.replies.text({ ToUserName: 'gh_1', FromUserName: 'o1' }, ''), { message: /content/ })
})
