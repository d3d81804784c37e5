'use strict'
// Run by secrets.spec.js in a child process with every debug switch on: drives the failure paths with known
// credentials and prints everything the library hands back (errors, inspected clients, emulator objects and
// dumps) to stdout and stderr. The credentials go to the parent over IPC only; the parent searches the output.

const http = require('node:http')
const net = require('node:net')
const util = require('node:util')
const cloud = require('../..')

const APP = { appid: 'wxsecretsapp000001', secret: 'APPSECRET-d41d8cd98f00b204e9800998ecf8427e' }
const COMPONENT = {
  appid: 'wxsecretscomponent1',
  secret: 'COMPONENTSECRET-9e107d9d372bb6826bd81d3542a419d6',
  token: 'VERIFYTOKEN-e4d909c290d0fb1ca068ffaddf22cbd0',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
}
const TICKET = 'ticket@@@TICKETVALUE-2fd4e1c67a2d28fced849ee1bb76e7391b93eb12'

const show = (label, value) => {
  const text = util.inspect(value, { showHidden: true, depth: 8, getters: true })
  console.log(`${label}: ${text}`)
  console.error(`${label}: ${text}`)
  if (value instanceof Error) console.log(`${label} as JSON: ${JSON.stringify(value)} ${value.stack}`)
}

/** Local servers for the ways WeChat can fail; the echo one repeats the whole request back as an error. */
async function servers() {
  const make = (handler) => new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => { body += c })
      req.on('end', () => handler(req, res, body))
    })
    s.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${s.address().port}`, s }))
  })
  const echo = await make((req, res, body) => {
    const token = new URL(req.url, 'http://x').searchParams.get('access_token')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ errcode: 47001, errmsg: `echo ${req.method} ${req.url} ${body} token ${token}` }))
  })
  const hang = await make(() => {})
  const down = await make((req, res) => { res.writeHead(500, { 'content-type': 'text/html' }); res.end(`<html>500 ${req.url}</html>`) })
  const garbage = await make((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(`{"errcode":0,${req.url}`) })
  const silent = await new Promise((resolve) => {
    const s = net.createServer(() => {})
    s.listen(0, '127.0.0.1', () => resolve({ url: `https://127.0.0.1:${s.address().port}`, s }))
  })
  const all = { echo, hang, down, garbage, silent }
  return { urls: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.url])), close: () => Object.values(all).forEach((x) => x.s.close()) }
}

async function main() {
  const emu = await cloud.startEmulator({ port: 0, apps: [APP], components: [COMPONENT] })
  await emu.setTicket(COMPONENT.appid, TICKET)
  const raw = cloud.createClient({ apiBase: emu.url })
  const { accessToken } = await raw.openapi.auth.getStableAccessToken({ grantType: 'client_credential', appid: APP.appid, secret: APP.secret })
  const { componentAccessToken } = await raw.openapi.component.getComponentAccessToken({
    componentAppid: COMPONENT.appid, componentAppsecret: COMPONENT.secret, componentVerifyTicket: TICKET,
  })
  const { authorizationCode } = await emu.authorize({ componentAppid: COMPONENT.appid, authorizerAppid: APP.appid, permissionSets: [45] })
  const auth = await (await fetch(`${emu.url}/cgi-bin/component/api_query_auth?component_access_token=${componentAccessToken}`, {
    method: 'POST', body: JSON.stringify({ component_appid: COMPONENT.appid, authorization_code: authorizationCode }),
  })).json()
  const refreshToken = auth.authorization_info.authorizer_refresh_token
  const authorizerToken = auth.authorization_info.authorizer_access_token
  process.send({ secrets: [APP.secret, COMPONENT.secret, COMPONENT.token, COMPONENT.encodingAesKey, TICKET, accessToken, componentAccessToken, refreshToken, authorizerToken] })

  const hosts = await servers()
  const clientsFor = (apiBase) => [
    cloud.createClient({ ...APP, apiBase, timeout: 400, connectTimeout: 200 }),
    cloud.createClient({ ...APP, apiBase, timeout: 400, tokenMode: 'classic' }),
    cloud.createClient({ accessToken, apiBase, timeout: 400 }),
    cloud.createClient({ accessToken: authorizerToken, apiBase, timeout: 400 }),
    cloud.createClient({ apiBase, timeout: 400, getAccessToken: () => ({ accessToken, expiresIn: 7200 }) }),
  ]
  const calls = (c) => [
    c.openapi.logistics.getAllAccount({}),
    c.openapi.logistics.addOrder({ orderId: 'o1', openid: 'x' }),
    c.openapi.openPlatform.createOpenAccount({ appid: APP.appid }),
    c.openapi.auth.getAccessToken({ grantType: 'client_credential', appid: APP.appid, secret: APP.secret }),
    c.openapi.auth.getStableAccessToken({ grantType: 'client_credential', appid: APP.appid, secret: APP.secret, forceRefresh: 'no' }),
    c.openapi.component.getComponentAccessToken({ componentAppid: COMPONENT.appid, componentAppsecret: COMPONENT.secret, componentVerifyTicket: TICKET }),
    c.openapi.component.startPushTicket({ componentAppid: COMPONENT.appid, componentSecret: COMPONENT.secret }),
    c.openapi.component.getAuthorizerAccessToken({ componentAppid: COMPONENT.appid, authorizerAppid: APP.appid, authorizerRefreshToken: refreshToken }),
    c.openapi.request({ method: 'POST', path: '/cgi-bin/component/api_authorizer_token', data: { componentAppid: COMPONENT.appid, authorizerRefreshToken: refreshToken, componentAccessToken } }),
    c.openapi.request({ method: 'GET', path: '/cgi-bin/token', data: { appid: APP.appid, secret: APP.secret, ticket: TICKET } }),
    c.openapi.__probe.panic({ secret: APP.secret }),
  ]
  let errors = 0
  const bases = [...Object.values(hosts.urls), 'http://127.0.0.1:9', emu.url]
  for (const apiBase of bases) {
    const clients = clientsFor(apiBase)
    for (const c of clients) {
      for (const outcome of await Promise.allSettled(calls(c))) {
        if (outcome.status === 'rejected') {
          errors += 1
          show(`error from ${apiBase}`, outcome.reason)
        }
      }
    }
    show('clients', clients)
  }
  // The emulator's own failures, with secrets in what it was given.
  await emu.revokeToken(APP.appid)
  show('revoked', await cloud.createClient({ accessToken, apiBase: emu.url }).openapi.logistics.getAllAccount({}).catch((e) => e))
  show('wrong ticket', await raw.openapi.component.getComponentAccessToken({ componentAppid: COMPONENT.appid, componentAppsecret: COMPONENT.secret, componentVerifyTicket: `${TICKET}x` }).catch((e) => e))
  for (const config of [
    { port: 0, apps: [APP, APP] },
    { port: 0, apps: [APP], components: [{ ...COMPONENT, appid: '' }] },
    { port: 0, tokenTtl: 0, apps: [APP] },
    { port: 0, apps: [{ appid: APP.appid, secret: APP.secret, extra: TICKET }] },
  ]) {
    show('emulator config error', await cloud.startEmulator(config).catch((e) => e))
  }
  for (const config of [
    { appid: APP.appid, secret: `${APP.secret} ` },
    { accessToken: `${accessToken}\n` },
    { appid: APP.appid, secret: APP.secret, accessToken },
    { appid: APP.appid, secret: APP.secret, Secret: APP.secret },
    { appid: APP.appid, secret: APP.secret, apiBase: `ftp://${APP.secret}` },
    { appid: APP.appid, secret: APP.secret, ca: APP.secret },
  ]) {
    try {
      cloud.createClient(config)
    } catch (e) {
      errors += 1
      show('config error', e)
    }
  }
  show('emulator', emu)
  show('emulator state', await emu.state())
  show('module', cloud)
  show('openapi', cloud.openapi)
  console.log(`errors shown: ${errors}`)
  hosts.close()
  await emu.close()
}

main().catch((e) => {
  console.error('secrets child failed', e)
  process.exitCode = 1
})
