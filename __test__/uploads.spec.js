'use strict'
// File uploads as wx-server-sdk takes them (`media: { contentType, value: Buffer }`): multipart/form-data through
// the one exchange, bytes intact, size checked before anything is sent, retried and scrubbed like any call.
// The rows' happy paths and documented errors are in catalogue/cases.js.

const test = require('ava')
const { cloud, APP, emulator, pngBytes, sha256, everythingAbout } = require('./helpers.js')
const { rawServer, withToken } = require('./hostile/raw-server.js')

const TOKEN = 'T'.repeat(120)
/** Every byte value, CR LF and what looks like a multipart boundary: what a careless encoder would spoil. */
const NASTY = Buffer.concat([Buffer.from([...Array(256).keys()]), Buffer.from('\r\n--boundary\r\n\r\n--'), Buffer.from([0, 0, 255, 13, 10])])
const settled = () => new Promise((resolve) => setImmediate(resolve))

/** The one file part of a multipart body: its headers and bytes, read from the raw body. */
function filePart(request) {
  const boundary = /boundary=("?)([^";]+)\1/.exec(request.headers['content-type'])[2]
  const raw = request.raw
  const start = raw.indexOf(`--${boundary}\r\n`)
  const headEnd = raw.indexOf('\r\n\r\n', start)
  const end = raw.indexOf(`\r\n--${boundary}--`, headEnd)
  t_assert(start === 0 && headEnd > 0 && end > headEnd, 'one part, closed')
  return { head: raw.subarray(start, headEnd).toString('latin1'), bytes: raw.subarray(headEnd + 4, end) }
}

/** A client of a fresh emulator, and the request/response events it reports. */
async function emulatorClient(t) {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const client = cloud.createClient({ ...APP, apiBase: emu.url })
  const seen = []
  client.on('request', (e) => seen.push(['request', e.api]))
  client.on('response', (e) => seen.push(['response', e.api, e.errCode]))
  return { emu, client, seen }
}

function t_assert(ok, what) {
  if (!ok) throw new Error(`malformed multipart body: ${what}`)
}

test('a Buffer with every byte value reaches the emulator byte for byte', async (t) => {
  const { emu, client, seen } = await emulatorClient(t)
  const image = pngBytes(NASTY)
  const res = await client.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media: { contentType: 'image/png', value: image } })
  t.is(res.errMsg, 'openapi.customerServiceMessage.uploadTempMedia:ok')
  const [stored] = await emu.tempMedia({ appid: APP.appid, mediaId: res.mediaId })
  t.true(Buffer.from(stored.base64, 'base64').equals(image), 'the stored bytes are the Buffer sent')
  t.is(stored.sha256, sha256(image))
  t.is(stored.size, image.length)
  await settled()
  t.deepEqual(seen, [['request', 'customerServiceMessage.uploadTempMedia'], ['response', 'customerServiceMessage.uploadTempMedia', 0]])

  // A view into a larger buffer sends only its own bytes; an ArrayBuffer is accepted too.
  const big = Buffer.concat([Buffer.from('before'), image, Buffer.from('after')])
  const view = new Uint8Array(big.buffer, big.byteOffset + 6, image.length)
  const fromView = await client.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media: { contentType: 'image/png', value: view } })
  const copy = image.buffer.slice(image.byteOffset, image.byteOffset + image.length)
  const fromArrayBuffer = await client.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media: { contentType: 'image/png', value: copy, filename: 'x.png' } })
  const media = await emu.tempMedia({ appid: APP.appid })
  t.deepEqual(media.map((m) => m.sha256), [sha256(image), sha256(image), sha256(image)])
  t.is(media.find((m) => m.media_id === fromArrayBuffer.mediaId).filename, 'x.png')
  t.truthy(fromView.mediaId)
})

test('on the wire: multipart/form-data, one part named by the row, the other fields in the query string', async (t) => {
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json({ errcode: 0, errmsg: 'ok', type: 'image', media_id: 'M1', created_at: 1 })))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ accessToken: TOKEN, apiBase: wx.url })
  const image = pngBytes(NASTY)
  const res = await client.openapi.customerServiceMessage.uploadTempMedia({ type: 'image', media: { header: { 'Content-Type': 'application/octet-stream' }, contentType: 'image/png', value: image } })
  t.like(res, { type: 'image', mediaId: 'M1', createdAt: 1, errCode: 0 })
  const [req] = wx.requests
  t.is(req.method, 'POST')
  t.is(req.path, '/cgi-bin/media/upload')
  t.deepEqual(req.query, { access_token: TOKEN, type: 'image' })
  t.regex(req.headers['content-type'], /^multipart\/form-data; boundary=/)
  t.is(Number(req.headers['content-length']), req.raw.length, 'a known length, not chunked')
  const part = filePart(req)
  t.regex(part.head, /Content-Disposition: form-data; name="media"; filename="media\.png"/i)
  t.regex(part.head, /Content-Type: image\/png/i)
  t.true(part.bytes.equals(image))

  // OCR by URL: no body at all, the URL in the query string (WeChat answers 41005 for one in the body).
  await client.openapi.ocr.printedText({ imgUrl: 'https://img.example/a b.png' })
  const byUrl = wx.requests[1]
  t.deepEqual(byUrl.query, { access_token: TOKEN, img_url: 'https://img.example/a b.png' })
  t.is(byUrl.raw.length, 0)
  t.falsy(byUrl.headers['content-type'])
})

test('an upload that meets a reset is sent again whole: the body is rebuilt for every attempt', async (t) => {
  let n = 0
  const wx = await rawServer(withToken(TOKEN, (req, reply) => (++n === 1 ? reply.reset() : reply.json({ errcode: 0, errmsg: 'ok' }))))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ accessToken: TOKEN, apiBase: wx.url, maxAttempts: 3 })
  const retries = []
  client.on('retry', (e) => retries.push(e))
  const image = pngBytes(NASTY)
  const res = await client.openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: image } })
  t.deepEqual(res, { errMsg: 'openapi.security.imgSecCheck:ok', errCode: 0 })
  await settled()
  t.is(wx.requests.length, 2)
  t.is(retries.length, 1)
  t.is(retries[0].api, 'security.imgSecCheck')
  for (const req of wx.requests) t.true(filePart(req).bytes.equals(image), 'every attempt carries the whole file')
})

test('sizes and shapes are checked before anything is sent, naming the field and the limit', async (t) => {
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json({ errcode: 0, errmsg: 'ok' })))
  t.teardown(() => wx.close())
  const { openapi } = cloud.createClient({ accessToken: TOKEN, apiBase: wx.url })
  const refused = async (call, pattern) => {
    const err = await t.throwsAsync(call)
    t.is(err.errCode, -601002, err.message)
    t.regex(err.errMsg, pattern)
    return err
  }
  const oneMb = 1024 * 1024
  await refused(openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: pngBytes(Buffer.alloc(oneMb)) } }),
    /media\.value is \d+ bytes: WeChat's limit for openapi\.security\.imgSecCheck is at most 1 MB \(1048576 bytes at most\)/)
  await refused(openapi.ocr.printedText({ img: { contentType: 'image/png', value: Buffer.alloc(2 * oneMb) } }), /img\.value is 2097152 bytes: .*less than 2 MB/)
  await refused(openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: 'aGVsbG8=' } }), /media\.value must be a Buffer or Uint8Array, got string/)
  await refused(openapi.security.imgSecCheck({ media: { value: pngBytes() } }), /media\.contentType is required/)
  await refused(openapi.security.imgSecCheck({ media: { contentType: 'png', value: pngBytes() } }), /media\.contentType must be a MIME type like image\/png/)
  await refused(openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: Buffer.alloc(0) } }), /media\.value is empty/)
  await refused(openapi.security.imgSecCheck({}), /media is required/)
  await refused(openapi.ocr.idcard({ type: 'photo' }), /give img \(the image as \{ contentType, value: Buffer \}\) or imgUrl/)
  await refused(openapi({ convertCase: false }).ocr.idcard({}), /give img .* or img_url/)
  // A value shaped like a JSON-serialised Buffer is not one: the placeholder cannot be forged from data.
  await refused(openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: JSON.parse(JSON.stringify(pngBytes())) } }), /media\.value must be a Buffer or Uint8Array, got object/)
  t.is(wx.requests.length, 0, 'nothing was sent')
  // Exactly at the limit is sent.
  await openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: pngBytes(Buffer.alloc(oneMb - pngBytes().length)) } })
  t.is(wx.requests.length, 1)
})

test('without case conversion the file is { content_type, value } or { contentType, value }', async (t) => {
  const emu = await emulator()
  t.teardown(() => emu.close())
  const raw = cloud.createClient({ ...APP, apiBase: emu.url }).openapi({ convertCase: false })
  const a = await raw.customerServiceMessage.uploadTempMedia({ type: 'image', media: { content_type: 'image/png', value: pngBytes('a') } })
  const b = await raw.customerServiceMessage.uploadTempMedia({ type: 'image', media: { contentType: 'image/gif', value: Buffer.from('GIF89a-b') } })
  t.truthy(a.media_id && b.media_id)
  const kinds = (await emu.tempMedia({ appid: APP.appid })).map((m) => m.content_type)
  t.deepEqual(kinds, ['image/png', 'image/gif'])
})

test('junk answered to an upload is the same error as junk answered to any call; a token it echoes is scrubbed', async (t) => {
  const junk = '<html>502 upstream</html>'
  const wx = await rawServer(withToken(TOKEN, (req, reply) => {
    if (req.query.echo) return reply.json({ errcode: 40097, errmsg: `invalid args ${req.target} rid: 5f0a1b2c-00000001-00000002` })
    return reply.send({ headers: { 'Content-Type': 'text/html' }, body: junk })
  }))
  t.teardown(() => wx.close())
  const { openapi } = cloud.createClient({ accessToken: TOKEN, apiBase: wx.url, maxAttempts: 1 })
  const upload = await t.throwsAsync(openapi.security.imgSecCheck({ media: { contentType: 'image/png', value: pngBytes() } }))
  const json = await t.throwsAsync(openapi.security.msgSecCheck({ content: 'x', version: 2, scene: 1, openid: 'o' }))
  for (const key of ['errCode', 'category', 'retryable', 'httpStatus', 'raw']) t.deepEqual(upload[key], json[key], key)
  t.is(upload.errCode, -601001)
  t.is(upload.errMsg.replace('imgSecCheck', 'msgSecCheck'), json.errMsg)

  const echoed = await t.throwsAsync(openapi.customerServiceMessage.uploadTempMedia({ type: 'image', echo: '1', media: { contentType: 'image/png', value: pngBytes() } }))
  t.is(echoed.errCode, 40097)
  t.false(everythingAbout(echoed).includes(TOKEN), 'the token the answer echoed is not in the error')
})

test('an AbortSignal stops an upload like any call', async (t) => {
  const wx = await rawServer(withToken(TOKEN, () => {})) // never answers an upload
  t.teardown(() => wx.close())
  const { openapi } = cloud.createClient({ accessToken: TOKEN, apiBase: wx.url })
  const controller = new AbortController()
  const call = openapi({ signal: controller.signal }).security.imgSecCheck({ media: { contentType: 'image/png', value: pngBytes(NASTY) } })
  while (wx.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  controller.abort()
  const err = await t.throwsAsync(call)
  t.is(err.api, 'security.imgSecCheck')
  t.is(err.errMsg, "openapi.security.imgSecCheck:fail aborted by the caller's AbortSignal")
})

// openapi.request({ ..., file }): a path the table lacks takes a file the way an upload row does.

test('openapi.request with a file reaches the emulator byte for byte, data in the query, events like any call', async (t) => {
  const { emu, client, seen } = await emulatorClient(t)
  const image = pngBytes(NASTY)
  const res = await client.openapi.request({ method: 'POST', path: '/cgi-bin/media/upload', data: { type: 'image' }, file: { field: 'media', contentType: 'image/png', value: image } })
  t.like(res, { type: 'image', errCode: 0, errMsg: 'openapi.request:ok' })
  const [stored] = await emu.tempMedia({ appid: APP.appid, mediaId: res.mediaId })
  t.is(stored.sha256, sha256(image))
  t.true(Buffer.from(stored.base64, 'base64').equals(image), 'the stored bytes are the Buffer sent')
  t.is(stored.filename, 'media.png')
  await settled()
  t.deepEqual(seen, [['request', 'request'], ['response', 'request', 0]])

  // A Uint8Array view sends only its own bytes; the file name given is the part's; snake_case works unconverted.
  const big = Buffer.concat([Buffer.from('before'), image, Buffer.from('after')])
  const view = new Uint8Array(big.buffer, big.byteOffset + 6, image.length)
  const raw = client.openapi({ convertCase: false })
  const fromView = await raw.request({ path: '/cgi-bin/media/upload', data: { type: 'image' }, file: { field: 'media', content_type: 'image/png', value: view, filename: 'x.png' } })
  const [again] = await emu.tempMedia({ appid: APP.appid, mediaId: fromView.media_id })
  t.is(again.sha256, sha256(image))
  t.is(again.filename, 'x.png')
})

test('openapi.request with a file on the wire: one part named by file.field, data in the query, not retried unless idempotent', async (t) => {
  let n = 0
  const wx = await rawServer(withToken(TOKEN, (req, reply) => (++n <= 2 ? reply.reset() : reply.json({ errcode: 0, errmsg: 'ok', url: 'http://mmbiz.qpic.cn/x' }))))
  t.teardown(() => wx.close())
  const client = cloud.createClient({ accessToken: TOKEN, apiBase: wx.url, maxAttempts: 3 })
  const image = pngBytes(NASTY)
  const file = { field: 'img', contentType: 'image/png', value: image, filename: 'scan.png' }
  // Reset on the first attempt: an upload may have run, so it is not sent again...
  const once = await t.throwsAsync(client.openapi.request({ path: '/wxa/custom_upload', data: { scene: 2, strict: true }, file }))
  t.is(once.api, 'request')
  t.is(wx.requests.length, 1)
  // ...unless the caller says it is safe; every attempt then carries the whole file.
  const res = await client.openapi.request({ path: '/wxa/custom_upload', data: { scene: 2 }, file, idempotent: true })
  t.is(res.url, 'http://mmbiz.qpic.cn/x')
  t.is(wx.requests.length, 3)
  for (const req of wx.requests) {
    t.is(req.method, 'POST')
    t.is(req.path, '/wxa/custom_upload')
    t.regex(req.headers['content-type'], /^multipart\/form-data; boundary=/)
    t.is(Number(req.headers['content-length']), req.raw.length, 'a known length, not chunked')
    const part = filePart(req)
    t.regex(part.head, /Content-Disposition: form-data; name="img"; filename="scan\.png"/i)
    t.regex(part.head, /Content-Type: image\/png/i)
    t.true(part.bytes.equals(image), 'the whole file')
  }
  t.deepEqual(wx.requests[0].query, { access_token: TOKEN, scene: '2', strict: 'true' })
})

test('openapi.request with a bad file is refused before any I/O, naming the field', async (t) => {
  const wx = await rawServer(withToken(TOKEN, (req, reply) => reply.json({ errcode: 0, errmsg: 'ok' })))
  t.teardown(() => wx.close())
  const { openapi } = cloud.createClient({ accessToken: TOKEN, apiBase: wx.url })
  const media = { field: 'media', contentType: 'image/png', value: pngBytes() }
  const cases = [
    [{ file: { ...media, value: 'aGVsbG8=' } }, /^openapi\.request:fail file\.value must be a Buffer or Uint8Array, got string$/],
    [{ file: { ...media, value: JSON.parse(JSON.stringify(pngBytes())) } }, /file\.value must be a Buffer or Uint8Array, got object/],
    [{ file: { ...media, value: undefined } }, /file\.value is required: the file's bytes as a Buffer/],
    [{ file: { ...media, value: Buffer.alloc(0) } }, /file\.value is empty/],
    [{ file: { ...media, field: undefined } }, /file\.field is required: the form-data name WeChat reads the file from, like media/],
    [{ file: { ...media, field: 'a"b' } }, /file\.field must be a form-data name like media, got "a\\"b"/],
    [{ file: { ...media, field: 1 } }, /file\.field must be a string, got number/],
    [{ file: { ...media, contentType: undefined } }, /file\.contentType is required/],
    [{ file: { ...media, contentType: 'png' } }, /file\.contentType must be a MIME type like image\/png/],
    [{ file: { ...media, filename: 'a\r\nb' } }, /file\.filename must be a plain file name/],
    [{ file: 'a.png' }, /file must be an object \{ field, contentType, value: Buffer \}/],
    [{ method: 'GET', file: media }, /a file is sent by POST: method must be POST when file is given/],
    [{ data: { description: { title: 't' } }, file: media }, /data\.description must be a string, number or boolean, got object: with a file, data goes in the query string/],
    [{ file: { ...media, get value() { throw new Error('no bytes today') } } }, /request cannot be read: .*no bytes today/],
  ]
  for (const [req, pattern] of cases) {
    const err = await t.throwsAsync(openapi.request({ path: '/cgi-bin/media/uploadimg', ...req }))
    t.is(err.errCode, -601002, err.message)
    t.regex(err.errMsg, pattern)
  }
  t.is(wx.requests.length, 0, 'nothing was sent')
})

test('a hostile server echoing a raw upload does not leak the token or the secret', async (t) => {
  const SECRET = 'S3cr3t-' + 'x'.repeat(25)
  const wx = await rawServer(async (req, reply) => {
    if (req.path === '/cgi-bin/stable_token' || req.path === '/cgi-bin/token') return reply.json({ access_token: TOKEN, expires_in: 7200 })
    // Echoes everything it got: the request line with the token, the headers, the body.
    return reply.json({ errcode: 40097, errmsg: `invalid args ${req.method} ${req.target} ${JSON.stringify(req.headers)} ${req.body} ${SECRET} rid: 5f0a1b2c-00000001-00000002` })
  })
  t.teardown(() => wx.close())
  const client = cloud.createClient({ appid: 'wxhostile00000001', secret: SECRET, apiBase: wx.url, maxAttempts: 1 })
  const events = []
  for (const name of ['request', 'response', 'retry', 'token']) client.on(name, (e) => events.push(e))
  const file = { field: 'media', contentType: 'image/png', value: pngBytes(Buffer.from(`${TOKEN} ${SECRET}`)) }
  const err = await t.throwsAsync(client.openapi.request({ path: '/cgi-bin/media/uploadimg', data: { note: TOKEN }, file }))
  t.is(err.errCode, 40097)
  t.is(err.rid, '5f0a1b2c-00000001-00000002')
  await settled()
  const everything = everythingAbout(err) + JSON.stringify(events)
  t.false(everything.includes(TOKEN), 'the token is not in the error or the events')
  t.false(everything.includes(SECRET), 'the secret is not in the error or the events')
  t.true(filePart(wx.requests.find((r) => r.path === '/cgi-bin/media/uploadimg')).bytes.includes(SECRET), 'the echo did carry them')
})
