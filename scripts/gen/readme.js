'use strict'
// The README's API section: one table per namespace, between the api-table markers.

const START = '<!-- api-table:start -->'
const END = '<!-- api-table:end -->'

function cell(text) {
  return String(text).replace(/\|/g, '\\|')
}

function row(r) {
  const call = `\`cloud.openapi.${r.name}\`${r.wxServerSdk ? ' ✓' : ''}`
  const retry = r.idempotent ? 'yes (retried)' : r.reconcile ? `no (reconciled with \`${r.reconcile.with.split('.').pop()}\`)` : 'no'
  const http = `\`${r.http} ${r.path}\``
  const upload = r.upload ? ` (multipart \`${r.upload.field}\` ${r.upload.limit}${r.upload.alternative ? `, or \`${r.upload.alternative}\`` : ''})` : ''
  const cells = [`\`${r.name}\``, http + upload, call, retry, r.permissionSet || '—', r.summary]
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

/** The migration section's list: every documented cloud call, with its state here. The table's cloud calls are
 * supported; the names in api/not-cloud.json answer -604100 before any I/O, saying why and what instead: retired
 * by WeChat (→ the replacement), callable only from a CloudBase environment, or not a cloud call at all. */
function cloudCalls(byNs, notCloud) {
  const all = [...byNs.values()].flat().filter((r) => r.wxServerSdk)
  const calls = all.map((r) => `\`${r.name}\`${r.answer === 'image' ? ' (image)' : ''}${r.upload ? ' (file upload)' : ''}`)
  const out = [`Supported cloud calls (${all.length}): ${calls.join(', ')}.`]
  const groups = [
    ['retired', 'Retired by WeChat (they answer -604100 naming the replacement):', (n) => `- \`${n.name}\` (${/^\d/.test(n.since) ? `retired ${n.since}` : n.since}) → ${n.instead}.`],
    ['cloudbase-only', 'CloudBase only (WeChat answers them for a CloudBase environment; they answer -604100 saying what to do):', (n) => `- \`${n.name}\`: ${n.instead}.`],
    ['not-cloud', 'Not cloud calls (WeChat says so; they answer -604100 naming what to use instead):', (n) => `- \`${n.name}\`: ${n.instead}.`],
  ]
  for (const [kind, title, line] of groups) {
    const names = notCloud.filter((n) => n.kind === kind)
    if (names.length) out.push('', title, ...names.map(line))
  }
  return out.join('\n')
}

function replaceBetween(readme, start, end, text) {
  const a = readme.indexOf(start)
  const b = readme.indexOf(end)
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${start} … ${end} markers`)
  return `${readme.slice(0, a + start.length)}\n${text}\n${readme.slice(b)}`
}

/** The README with its API section and its list of cloud calls replaced; throws when the markers are missing. */
function withApiTable(readme, byNs, notCloud = []) {
  return replaceBetween(withCloudCalls(readme, byNs, notCloud), START, END, apiTable(byNs))
}

/** A README with only its list of cloud calls replaced (examples/cloud-function/README.md). */
function withCloudCalls(readme, byNs, notCloud = []) {
  return replaceBetween(readme, '<!-- cloud-calls:start -->', '<!-- cloud-calls:end -->', cloudCalls(byNs, notCloud))
}

module.exports = { withApiTable, withCloudCalls }
