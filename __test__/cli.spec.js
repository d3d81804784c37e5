'use strict'
// The wechat-openapi command, run as a child process: results, typed errors, exit codes, and no credential
// in anything it prints.

const test = require('ava')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { cli, emulatorProcess } = require('./helpers/cli.js')
const { startEmulator, DEMO_APP } = require('../emulator.js')

const fixtures = require('../crates/protocol/src/crypto/fixtures/wechatpy.json').cases
const ticketPush = fixtures.find((c) => c.name === 'component_verify_ticket')

test.serial('--help on the command and on each subcommand exits 0', async (t) => {
  const top = await cli(['--help'])
  t.is(top.code, 0)
  t.regex(top.stdout, /Exit codes: 0 ok, 1 the operation failed/)
  for (const command of ['call', 'request', 'emulator', 'decrypt', 'token', 'list']) {
    const r = await cli([command, '--help'])
    t.is(r.code, 0, command)
    t.true(r.stdout.startsWith(`Usage: wechat-openapi ${command}`), command)
  }
})

test.serial('--version prints the package version; list prints the table, filtered', async (t) => {
  const version = await cli(['--version'])
  t.is(version.code, 0)
  t.is(version.stdout, `${require('../package.json').version}\n`)
  const all = await cli(['list'])
  t.is(all.code, 0)
  t.is(all.stdout.trim().split('\n').length, require('../api/endpoints.json').length)
  const some = await cli(['list', 'quota'])
  t.is(some.code, 0)
  const names = some.stdout.trim().split('\n').map((l) => l.split(' ')[0])
  t.true(names.includes('auth.getApiQuota') && names.includes('logistics.getQuota'), some.stdout)
  t.true(names.every((n) => /quota/i.test(n) || some.stdout.includes('quota')))
  const none = await cli(['list', 'zzz-nothing'])
  t.is(none.code, 1)
  t.regex(none.stderr, /no API matches "zzz-nothing"/)
})

test.serial('usage errors exit 2 and say what is wrong', async (t) => {
  const none = await cli([])
  t.is(none.code, 2)
  const unknown = await cli(['fly'])
  t.is(unknown.code, 2)
  t.is(unknown.stderr, "wechat-openapi: unknown command \"fly\"\nRun 'wechat-openapi --help' for usage.\n")
  const api = await cli(['call', 'logistics.getAllAcount', '--emulator'])
  t.is(api.code, 2)
  t.regex(api.stderr, /unknown API "logistics.getAllAcount" \(did you mean logistics.getAllAccount\?\); `list` shows them all/)
  const json = await cli(['call', 'logistics.getAllAccount', '{nope', '--emulator'])
  t.is(json.code, 2)
  t.regex(json.stderr, /the parameters must be a JSON object/)
  const flag = await cli(['call', 'logistics.getAllAccount', '--emulater'])
  t.is(flag.code, 2)
  t.regex(flag.stderr, /unknown option --emulater\nRun 'wechat-openapi call --help' for usage/)
})

test.serial('call --emulator prints the camelCase result', async (t) => {
  const r = await cli(['call', 'logistics.getAllAccount', '--emulator'])
  t.is(r.code, 0, r.stderr)
  const result = JSON.parse(r.stdout)
  t.is(result.count, 2)
  t.deepEqual(result.list.map((a) => [a.bizId, a.deliveryId]), [['demo_sf_monthly', 'SF'], ['demo_zto_shop', 'ZTO']])
  t.is(result.errMsg, 'openapi.logistics.getAllAccount:ok')
  t.is(r.stderr, '')
})

test.serial('call reads parameters from stdin and prints a typed API error with exit 1', async (t) => {
  const r = await cli(['call', 'logistics.getQuota', '-', '--emulator'], { input: '{"deliveryId":"SF","bizId":"not_bound"}' })
  t.is(r.code, 1)
  t.is(r.stdout, '')
  const error = JSON.parse(r.stderr)
  t.is(error.name, 'OpenApiError')
  t.is(error.errCode, 9300525)
  t.is(error.api, 'logistics.getQuota')
  t.regex(error.errMsg, /^openapi\.logistics\.getQuota:fail /)
})

test.serial('no credentials is a config error (3); a wrong secret is an API error (1) that never shows the secret', async (t) => {
  const none = await cli(['call', 'logistics.getAllAccount'])
  t.is(none.code, 3)
  t.regex(none.stderr, /no credentials: give --appid and --secret/)
  const badMode = await cli(['call', 'logistics.getAllAccount', '--appid', 'wx1', '--secret', 's', '--token-mode', 'fast'])
  t.is(badMode.code, 3)
  t.regex(badMode.stderr, /tokenMode must be 'stable' or 'classic'/)
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const wrong = 'wrongsecret-0123456789-do-not-print'
  const r = await cli(['call', 'logistics.getAllAccount', '--api-base', emu.url], { env: { WECHAT_APPID: DEMO_APP.appid, WECHAT_SECRET: wrong } })
  t.is(r.code, 1)
  t.is(JSON.parse(r.stderr).errCode, 40125)
  t.false((r.stdout + r.stderr).includes(wrong))
})

test.serial('WECHAT_OPENAPI_LOG=debug logs one line per call and per token fetch, without credentials', async (t) => {
  const r = await cli(['call', 'logistics.getAllDelivery', '--emulator'], { env: { WECHAT_OPENAPI_LOG: 'debug' } })
  t.is(r.code, 0)
  const lines = r.stderr.trim().split('\n')
  t.is(lines.length, 2)
  t.regex(lines[0], /^\[wechat-openapi\] token fetch appid=wxdemoappid0000001 errcode=0 duration=\d+ms expires=\d{4}-\d\d-\d\dT/)
  t.regex(lines[1], /^\[wechat-openapi\] logistics\.getAllDelivery status=200 errcode=0 attempts=1 duration=\d+ms rid=-$/)
  t.false(r.stderr.includes(DEMO_APP.secret))
  t.false(/access_token|[A-Za-z0-9_-]{60,}/.test(r.stderr))
})

test.serial('emulator serves until stopped; call and token work against it over HTTP; the token is never printed', async (t) => {
  const emu = await emulatorProcess(['--port', '0'])
  t.teardown(() => emu.child.kill())
  t.regex(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  // The start-up lines name the console, with this start's token; it opens.
  while (!emu.stderr().includes('control API:')) await new Promise((resolve) => setTimeout(resolve, 20))
  const consoleUrl = emu.stderr().match(/^console: (\S+)$/m)[1]
  t.true(consoleUrl.startsWith(`${emu.url}/__emulator/ui?token=`), consoleUrl)
  const page = await fetch(consoleUrl)
  t.is(page.status, 200)
  t.regex(await page.text(), /<title>WeChat emulator console<\/title>/)
  const seeded = await fetch(`${emu.url}/__emulator/seedAccounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ accounts: [{ bizId: 'cli_biz', deliveryId: 'YTO' }] }),
  }).then((r) => r.json())
  t.true(seeded.ok)
  const env = { WECHAT_APPID: DEMO_APP.appid, WECHAT_SECRET: DEMO_APP.secret, WECHAT_API_BASE: emu.url }
  const call = await cli(['call', 'logistics.getAllAccount'], { env })
  t.is(call.code, 0, call.stderr)
  t.deepEqual(JSON.parse(call.stdout).list.map((a) => a.bizId), ['demo_sf_monthly', 'demo_zto_shop', 'cli_biz'])

  const before = Date.now()
  const token = await cli(['token'], { env })
  t.is(token.code, 0, token.stderr)
  const [report] = JSON.parse(token.stdout)
  t.like(report, { kind: 'app', appid: DEMO_APP.appid, cached: true })
  const lifetime = (Date.parse(report.expiresAt) - before) / 1000
  t.true(lifetime > 7100 && lifetime <= 7201, String(lifetime))
  const state = await fetch(`${emu.url}/__emulator/state`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.json())
  t.false(/[A-Za-z0-9_-]{60,}/.test(token.stdout), 'no token-like value')
  t.truthy(state.ok)

  const cold = await cli(['token', '--no-fetch'], { env })
  t.deepEqual(JSON.parse(cold.stdout), [{ kind: 'app', appid: DEMO_APP.appid, cached: false, expiresAt: null }])
  const classic = await cli(['token', '--token-mode', 'classic'], { env })
  t.is(classic.code, 2)
  const wrong = await cli(['token'], { env: { ...env, WECHAT_SECRET: 'wrong-secret-value-0001' } })
  t.is(wrong.code, 1)
  t.is(JSON.parse(wrong.stderr).errCode, 40125)
  t.is(await emu.stop(), 0)
})

test.serial('emulator: a config file that does not exist is a config error (3)', async (t) => {
  const r = await cli(['emulator', '--config', path.join(os.tmpdir(), 'no-such-emulator-config.json')])
  t.is(r.code, 3)
  t.regex(r.stderr, /cannot read --config .*ENOENT/)
})

test.serial('decrypt opens a third-party push (wechatpy fixture) from its query string and body', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-openapi-decrypt-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const body = path.join(dir, 'push.xml')
  fs.writeFileSync(body, ticketPush.body_xml)
  const query = `timestamp=${ticketPush.timestamp}&nonce=${ticketPush.nonce}&msg_signature=${ticketPush.msg_signature}&encrypt_type=aes`
  const env = { WECHAT_COMPONENT_TOKEN: ticketPush.token, WECHAT_COMPONENT_AES_KEY: ticketPush.encoding_aes_key }
  const ok = await cli(['decrypt', '--appid', ticketPush.appid, '--query', `/wechat/events?${query}`, '--body', body], { env })
  t.is(ok.code, 0, ok.stderr)
  t.is(ok.stdout, ticketPush.plaintext + '\n')

  const fromStdin = await cli(['decrypt', '--appid', ticketPush.appid, '--query', query, '--body', '-'], { env, input: ticketPush.body_xml })
  t.is(fromStdin.stdout, ticketPush.plaintext + '\n')

  const tampered = await cli(['decrypt', '--appid', ticketPush.appid, '--query', query.replace(/nonce=\d/, 'nonce=9'), '--body', body], { env })
  t.is(tampered.code, 1)
  t.is(tampered.stderr, 'wechat-openapi: the push does not open: signature mismatch\n')

  const badKey = await cli(['decrypt', '--appid', ticketPush.appid, '--query', query, '--body', body, '--aes-key', 'short'], { env })
  t.is(badKey.code, 3)
  t.false(badKey.stderr.includes(ticketPush.token))
  const missing = await cli(['decrypt', '--query', query, '--body', body], { env })
  t.is(missing.code, 2)
  t.regex(missing.stderr, /--appid is required/)
})

test.serial('--file attaches a file from disk to an upload API and to request; the bytes arrive intact', async (t) => {
  const emu = await startEmulator()
  t.teardown(() => emu.close())
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wechat-cli-file-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const image = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.from([...Array(256).keys()]), Buffer.from('\r\n--x\r\n')])
  const png = path.join(dir, 'photo.PNG')
  fs.writeFileSync(png, image)
  const env = { WECHAT_APPID: DEMO_APP.appid, WECHAT_SECRET: DEMO_APP.secret, WECHAT_API_BASE: emu.url }
  const sha = require('node:crypto').createHash('sha256').update(image).digest('hex')

  // An upload API: the row's own field when only a path is given; the type from the extension.
  const call = await cli(['call', 'customerServiceMessage.uploadTempMedia', '{"type":"image"}', '--file', png], { env })
  t.is(call.code, 0, call.stderr)
  const [viaCall] = await emu.tempMedia({ mediaId: JSON.parse(call.stdout).mediaId })
  t.like(viaCall, { sha256: sha, filename: 'photo.PNG', content_type: 'image/png' })

  // The raw request: the field named, the type given for a name that does not say it.
  const bin = path.join(dir, 'upload.bin')
  fs.writeFileSync(bin, image)
  const raw = await cli(['request', '/cgi-bin/media/upload', '{"type":"image"}', '--file', `media=${bin}`, '--content-type', 'image/png'], { env })
  t.is(raw.code, 0, raw.stderr)
  const answer = JSON.parse(raw.stdout)
  t.is(answer.errMsg, 'openapi.request:ok')
  const [viaRequest] = await emu.tempMedia({ mediaId: answer.mediaId })
  t.like(viaRequest, { sha256: sha, filename: 'upload.bin', content_type: 'image/png' })

  // Mistakes are usage errors (exit 2) before anything is sent.
  const usage = [
    [['call', 'logistics.getAllAccount', '--file', png], /logistics\.getAllAccount takes no file/],
    [['call', 'security.imgSecCheck', '--file', `img=${png}`], /security\.imgSecCheck takes its file as media: --file media=/],
    [['call', 'security.imgSecCheck', '--file', path.join(dir, 'missing.png')], /missing\.png: no such file/],
    [['call', 'security.imgSecCheck', '--file', bin], /cannot tell the content type of .*upload\.bin from its extension: give --content-type/],
    [['call', 'security.imgSecCheck', '--content-type', 'image/png'], /--content-type describes the file --file attaches/],
    [['request', '/cgi-bin/media/uploadimg', '--file', png], /--file needs the form-data field: --file media=\.\/a\.jpg/],
    [['request', '/cgi-bin/media/uploadimg', '--method', 'GET', '--file', `media=${png}`], /a file is sent by POST/],
  ]
  for (const [args, pattern] of usage) {
    const r = await cli(args, { env })
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    t.regex(r.stderr, pattern)
  }
  // The core's own check still names the field: a file name WeChat could not read back.
  const quoted = path.join(dir, 'a"b.png')
  fs.writeFileSync(quoted, image)
  const refused = await cli(['request', '/cgi-bin/media/uploadimg', '--file', `media=${quoted}`], { env })
  t.is(refused.code, 1)
  t.regex(JSON.parse(refused.stderr).errMsg, /file\.filename must be a plain file name/)
  t.is((await emu.tempMedia({})).length, 2, 'only the two good uploads were stored')
})
