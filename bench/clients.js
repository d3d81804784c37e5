'use strict'
// The three clients measured (ours, undici, fetch), behind one shape: `make(kind, target)` → `(endpoint, params) => Promise<answer>`.

const path = require('node:path')
const { ENDPOINTS } = require('./fixtures.js')

function make(kind, { url, appid, secret }) {
  if (kind === 'ours') {
    const cloud = require(path.join(__dirname, '..'))
    const client = cloud.createClient({ appid, secret, apiBase: url })
    return (name, params) => {
      const [ns, method] = ENDPOINTS[name].api.split('.')
      return client.openapi[ns][method](params)
    }
  }
  if (kind === 'undici' || kind === 'fetch') {
    const Client = kind === 'undici' ? require('./undici-client.js').UndiciClient : require('./baseline-client.js').BaselineClient
    const client = new Client({ appid, secret, apiBase: url })
    return (name, params) => {
      const { api, verb, path: p } = ENDPOINTS[name]
      return client.call(api, verb, p, params)
    }
  }
  throw new Error(`unknown client ${kind}`)
}

module.exports = { make }
