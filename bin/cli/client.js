'use strict'
// The client a command talks through: built from flags, then the environment, or (--emulator) a fresh
// in-process emulator with its demo app. Shared by `call` and `token`.

const { configProblem, usage } = require('./args.js')

const CONFIG_FLAGS = ['appid', 'secret', 'api-base', 'token-mode', 'access-token']

const CONFIG_HELP = `Configuration (flags win over the environment):
  --appid <id>            WECHAT_APPID
  --secret <secret>       WECHAT_SECRET (prefer the variable: flags end up in shell history)
  --api-base <url>        WECHAT_API_BASE (default https://api.weixin.qq.com)
  --token-mode <mode>     stable (default) or classic
  --access-token <token>  a token you manage yourself, instead of --secret
  --emulator              use a fresh in-process emulator and its demo app instead`

/** @returns {Promise<{ client: object, close: () => Promise<void> }>} */
async function openClient(values, env = process.env) {
  const cloud = require('../../index.js')
  if (values.emulator) {
    const given = CONFIG_FLAGS.filter((f) => values[f.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] !== undefined)
    if (given.length) throw usage(`--emulator uses its demo app; drop --${given.join(', --')}`)
    const { startEmulator, DEMO_APP } = require('../../emulator.js')
    const emu = await startEmulator()
    const client = build(cloud, { ...DEMO_APP, apiBase: emu.url })
    return { client, close: () => emu.close() }
  }
  const config = {}
  const appid = values.appid ?? env.WECHAT_APPID
  const secret = values.secret ?? (values.accessToken ? undefined : env.WECHAT_SECRET)
  if (appid) config.appid = appid
  if (secret) config.secret = secret
  if (values.accessToken) config.accessToken = values.accessToken
  if (values.tokenMode) config.tokenMode = values.tokenMode
  const apiBase = values.apiBase ?? env.WECHAT_API_BASE
  if (apiBase) config.apiBase = apiBase
  if (!config.secret && !config.accessToken) {
    throw configProblem('no credentials: give --appid and --secret (or WECHAT_APPID / WECHAT_SECRET), --access-token, or --emulator')
  }
  return { client: build(cloud, config), close: async () => {} }
}

function build(cloud, config) {
  try {
    return cloud.createClient(config)
  } catch (e) {
    throw configProblem(e.errMsg ? e.errMsg.replace(/^openapi\.createClient:fail /, '') : e.message)
  }
}

module.exports = { openClient, CONFIG_FLAGS, CONFIG_HELP }
