'use strict'
// The cloud calls wx-server-sdk users make: image answers as wx-server-sdk returns them, and names WeChat documents
// as not callable from cloud refused helpfully. The rows themselves are tested in catalogue/rows.spec.js.

const test = require('ava')
const { cloud, localServer } = require('./helpers.js')

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])

async function imageCall(t, answer) {
  const server = await localServer(() => answer)
  t.teardown(() => server.close())
  const c = cloud.createClient({ accessToken: 'h'.repeat(100), apiBase: server.url, maxAttempts: 1 })
  return { result: c.openapi.wxacode.getUnlimited({ scene: 'a=1' }), server }
}

test('an image row answers { contentType, buffer, errMsg, errCode } with the bytes as sent', async (t) => {
  const { result, server } = await imageCall(t, { headers: { 'content-type': 'image/png' }, body: PNG })
  const res = await result
  t.deepEqual(Object.keys(res), ['contentType', 'buffer', 'errMsg', 'errCode'])
  t.is(res.contentType, 'image/png')
  t.true(Buffer.isBuffer(res.buffer))
  t.deepEqual(res.buffer, PNG)
  t.is(res.errMsg, 'openapi.wxacode.getUnlimited:ok')
  t.is(res.errCode, 0)
  t.deepEqual(JSON.parse(server.seen[0].body), { scene: 'a=1' })
  t.regex(server.seen[0].url, /^\/wxa\/getwxacodeunlimit\?access_token=/)
})

test('a JSON answer to an image row is the error WeChat sent, not a buffer', async (t) => {
  const { result } = await imageCall(t, { body: '{"errcode":41030,"errmsg":"invalid page rid: 6a1b2c3d-00000001-00000002"}' })
  const err = await t.throwsAsync(result)
  t.true(err instanceof cloud.OpenApiError)
  t.is(err.errCode, 41030)
  t.is(err.meaning, 'page does not exist, or the mini program is not published')
})

test('a non-image, non-JSON answer to an image row is -601001', async (t) => {
  const { result } = await imageCall(t, { headers: { 'content-type': 'text/plain' }, body: 'hello' })
  const err = await t.throwsAsync(result)
  t.is(err.errCode, -601001)
  t.regex(err.errMsg, /neither an image nor JSON \(text\/plain\)/)
})

test('code2Session is a row of the table but not a wx-server-sdk cloud call; an unknown name answers -604100', async (t) => {
  const row = cloud.catalogue.get('auth.code2Session')
  t.is(row.path, '/sns/jscode2session?grant_type=authorization_code')
  t.false(row.wxServerSdk)
  const c = cloud.createClient({ accessToken: 'h'.repeat(100), apiBase: 'http://127.0.0.1:9' })
  const unknown = await t.throwsAsync(c.openapi.auth.nope({}))
  t.is(unknown.errCode, -604100)
  t.true(unknown.errMsg.startsWith('openapi.auth.nope:fail unknown API openapi.auth.nope'), unknown.errMsg)
  t.false(unknown.errMsg.includes('not a cloud call'))
})

test('retired and CloudBase-only names answer -604100 before any I/O, saying since when and what instead', async (t) => {
  const server = await localServer(() => ({ body: '{"errcode":0}' }))
  t.teardown(() => server.close())
  const c = cloud.createClient({ accessToken: 'h'.repeat(100), apiBase: server.url })
  const notCloud = require('../api/not-cloud.json')
  const expected = {
    retired: /^openapi\.(\S+) was retired by WeChat \((\d{4}-\d{2}-\d{2}|withdrawn)\): .+\. Instead, /,
    'cloudbase-only': /^openapi\.(\S+) is callable only from a CloudBase environment: .+\. Instead, /,
    'not-cloud': /^openapi\.(\S+) is not a cloud call: /,
  }
  for (const entry of notCloud) {
    const [ns, method] = entry.name.split('.')
    const err = await t.throwsAsync(c.openapi[ns][method]({}))
    t.true(err instanceof cloud.OpenApiError, entry.name)
    t.is(err.errCode, -604100, entry.name)
    t.is(err.category, 'invalid-argument', entry.name)
    const said = err.errMsg.slice(`openapi.${entry.name}:fail `.length)
    t.regex(said, expected[entry.kind], entry.name)
    t.true(said.includes(entry.instead), entry.name)
  }
  const retired = await t.throwsAsync(c.openapi.uniformMessage.send({ touser: 'o' }))
  t.regex(retired.errMsg, /2023-09-20/)
  t.regex(retired.errMsg, /45109/)
  t.regex(retired.errMsg, /subscribeMessage\.send/)
  for (const m of ['send', 'addTemplate', 'deleteTemplate', 'getTemplateLibraryById', 'getTemplateLibraryList', 'getTemplateList']) {
    const err = await t.throwsAsync(c.openapi.templateMessage[m]({}))
    t.regex(err.errMsg, /retired by WeChat \(2020-01-10\).*subscribeMessage\./)
  }
  t.regex((await t.throwsAsync(c.openapi.img.superresolution({ imgUrl: 'https://a/b.png' }))).errMsg, /retired by WeChat \(withdrawn\)/)
  t.regex((await t.throwsAsync(c.openapi.cloudbase.sendSms({}))).errMsg, /CloudBase environment/)
  t.is(server.seen.length, 0, 'nothing was sent')
})
