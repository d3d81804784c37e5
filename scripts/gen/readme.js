'use strict'
// The README's API section: one table per namespace, between the api-table markers.

const START = '<!-- api-table:start -->'
const END = '<!-- api-table:end -->'

function cell(text) {
  return String(text).replace(/\|/g, '\\|')
}

function row(r) {
  const call = `\`cloud.openapi.${r.name}\`${r.wxServerSdk ? ' ✓' : ''}`
  const retry = r.idempotent ? 'yes (retried)' : r.reconcile ? `no (reconciled with \`${r.reconcile.with.split('.')[1]}\`)` : 'no'
  const cells = [`\`${r.name}\``, `\`${r.http} ${r.path}\``, call, retry, r.permissionSet || '—', r.summary]
  return `| ${cells.map(cell).join(' | ')} |`
}

function apiTable(byNs) {
  const all = [...byNs.values()].flat()
  const inSdk = all.filter((r) => r.wxServerSdk).length
  const out = [
    `${all.length} endpoints in ${byNs.size} namespaces. The ${inSdk} marked ✓ are in wx-server-sdk too, so cloud functions calling`,
    'them move over unchanged. Idempotent calls are retried after a transient failure; the others only with `retryUnsafe`,',
    'except that a reconciled one whose outcome is unknown is looked up first and sent again only when provably absent.',
  ]
  for (const [ns, rows] of byNs) {
    out.push('', `### ${ns}`, '')
    out.push('| endpoint | HTTP | cloud call | idempotent | permission set | what it does |')
    out.push('| --- | --- | --- | --- | --- | --- |')
    out.push(...rows.map(row))
  }
  return out.join('\n')
}

/** The README with its API section replaced; throws when the markers are missing. */
function withApiTable(readme, byNs) {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`)
  return `${readme.slice(0, start + START.length)}\n${apiTable(byNs)}\n${readme.slice(end)}`
}

module.exports = { withApiTable }
