'use strict'
// The house rules the compiler does not check. No Rust module and no JS file imports one that imports it back:
// Rust crates cannot form circles (Cargo refuses), but modules inside one crate can; this finds them from the
// `use` trees and `crate::`/`super::` paths of every file. Test code (`#[cfg(test)]` files, `tests/`) is left out:
// a test may look anywhere. And the doors (`findDoorViolations`): one push intake, one crossing for every promise
// the binding returns, no arrow from lib/ up to the root files, a CLI that uses only what the package exports.
// Run `node scripts/layout.js` to print every breach; the test fails on any.

const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')

/** Every `.rs` file of a crate's `src/` → its module path (`client/answer.rs` → `client::answer`). */
function rustModules(srcDir) {
  const modules = new Map()
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.rs')) {
        const rel = path.relative(srcDir, full).replace(/\\/g, '/').replace(/\.rs$/, '')
        const parts = rel.split('/')
        const last = parts[parts.length - 1]
        if (last === 'mod' || (parts.length === 1 && (last === 'lib' || last === 'main'))) parts.pop()
        if (parts[0] === 'bin') continue
        modules.set(parts.join('::'), full)
      }
    }
  }
  walk(srcDir)
  return modules
}

/** The modules a file's test-only parts declare: `#[cfg(test)] mod x;` — not part of the house. */
function testOnlyChildren(text) {
  const out = []
  const re = /#\[cfg\((?:test|any\(test[^\]]*)\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;/g
  for (const m of text.matchAll(re)) out.push(m[1])
  return out
}

/** The code outside `#[cfg(test)] mod tests { ... }` blocks and comments. */
function productionText(text) {
  let out = text.replace(/\/\/[^\n]*/g, '')
  const marker = /#\[cfg\(test\)\]\s*mod\s+\w+\s*\{/g
  let m
  while ((m = marker.exec(out))) {
    let depth = 1
    let i = m.index + m[0].length
    while (i < out.length && depth > 0) {
      if (out[i] === '{') depth++
      else if (out[i] === '}') depth--
      i++
    }
    out = out.slice(0, m.index) + out.slice(i)
    marker.lastIndex = m.index
  }
  return out
}

/** Expands a use tree (`crate::{a::B, c::{d, e}}`) into its paths. */
function expandUseTree(tree) {
  tree = tree.replace(/\s+/g, '')
  const brace = tree.indexOf('{')
  if (brace < 0) return [tree]
  const prefix = tree.slice(0, brace)
  const inner = tree.slice(brace + 1, tree.lastIndexOf('}'))
  const items = []
  let depth = 0
  let start = 0
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '{') depth++
    else if (inner[i] === '}') depth--
    else if (inner[i] === ',' && depth === 0) {
      items.push(inner.slice(start, i))
      start = i + 1
    }
  }
  items.push(inner.slice(start))
  return items.filter(Boolean).flatMap((item) => expandUseTree(item).map((p) => prefix + p))
}

/** Module paths a file refers to, absolute within its crate. */
function rustReferences(text, self) {
  const paths = []
  for (const m of text.matchAll(/\buse\s+([^;]+);/g)) paths.push(...expandUseTree(m[1]))
  for (const m of text.matchAll(/\b(?:crate|super)(?:::\w+)+/g)) paths.push(m[0])
  const selfParts = self ? self.split('::') : []
  return paths.map((p) => {
    const parts = p.split('::')
    let base
    if (parts[0] === 'crate') base = []
    else if (parts[0] === 'super') {
      base = selfParts.slice()
      while (parts[0] === 'super') {
        base.pop()
        parts.shift()
      }
      parts.unshift('super')
    } else if (parts[0] === 'self') base = selfParts.slice()
    else return null
    return base.concat(parts.slice(1).filter((x) => x !== 'self' && x !== '*'))
  }).filter(Boolean)
}

function rustGraph(crateSrc) {
  const modules = rustModules(crateSrc)
  const testOnly = new Set()
  for (const [name, file] of modules) {
    for (const child of testOnlyChildren(fs.readFileSync(file, 'utf8'))) testOnly.add(name ? `${name}::${child}` : child)
  }
  const graph = new Map()
  for (const [name, file] of modules) {
    if ([...testOnly].some((t) => name === t || name.startsWith(`${t}::`))) continue
    const deps = new Set()
    for (const parts of rustReferences(productionText(fs.readFileSync(file, 'utf8')), name)) {
      // The deepest module the path names; an item path (`client::Outcome`) resolves to its module.
      for (let n = parts.length; n > 0; n--) {
        const candidate = parts.slice(0, n).join('::')
        if (modules.has(candidate) && !testOnly.has(candidate)) {
          // A module and its own ancestors are one room: a child reaching into its parent's items is not a circle.
          if (candidate !== name && !name.startsWith(`${candidate}::`) && !candidate.startsWith(`${name}::`)) deps.add(candidate)
          break
        }
      }
    }
    graph.set(name, deps)
  }
  return graph
}

function jsGraph(files) {
  const graph = new Map()
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8')
    const deps = new Set()
    for (const m of text.matchAll(/require\((['"])(\.{1,2}\/[^'"]+)\1\)/g)) {
      let target = path.resolve(path.dirname(file), m[2])
      if (!target.endsWith('.js') && fs.existsSync(`${target}.js`)) target += '.js'
      deps.add(path.relative(root, target))
    }
    graph.set(path.relative(root, file), deps)
  }
  return graph
}

/** Strongly connected components of more than one node: the circles. */
function circles(graph) {
  let index = 0
  const stack = []
  const on = new Set()
  const idx = new Map()
  const low = new Map()
  const found = []
  const visit = (v) => {
    idx.set(v, index)
    low.set(v, index++)
    stack.push(v)
    on.add(v)
    for (const w of graph.get(v) || []) {
      if (!graph.has(w)) continue
      if (!idx.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v), low.get(w)))
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
    }
    if (low.get(v) === idx.get(v)) {
      const scc = []
      let w
      do {
        w = stack.pop()
        on.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1) found.push(scc.sort())
    }
  }
  for (const v of graph.keys()) if (!idx.has(v)) visit(v)
  return found
}

/** Circles at every depth: files, and the folders they make up (`token` <-> `client` though no two files are). */
function rustCircles(graph) {
  const depth = Math.max(1, ...[...graph.keys()].map((m) => m.split('::').length))
  const out = []
  for (let d = 1; d <= depth; d++) {
    const at = (m) => m.split('::').slice(0, d).join('::')
    const collapsed = new Map()
    for (const [from, deps] of graph) {
      const node = at(from)
      if (!collapsed.has(node)) collapsed.set(node, new Set())
      for (const to of deps) {
        const target = at(to)
        if (target !== node && !node.startsWith(`${target}::`) && !target.startsWith(`${node}::`)) collapsed.get(node).add(target)
      }
    }
    out.push(...circles(collapsed))
  }
  return out
}

function listJs(dir) {
  const out = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...listJs(full))
    else if (entry.name.endsWith('.js')) out.push(full)
  }
  return out
}

/** Every circle in the house: `{ where, members }`. */
function findCircles() {
  const found = []
  const crates = [['binding', path.join(root, 'src')]]
  for (const name of fs.readdirSync(path.join(root, 'crates'))) crates.push([name, path.join(root, 'crates', name, 'src')])
  for (const [name, src] of crates) {
    const seen = new Set()
    for (const members of rustCircles(rustGraph(src))) {
      if (seen.has(members.join())) continue
      seen.add(members.join())
      found.push({ where: `crate ${name}`, members })
    }
  }
  const js = ['index.js', 'emulator.js'].map((f) => path.join(root, f)).concat(listJs(path.join(root, 'lib')), listJs(path.join(root, 'bin')))
  for (const members of circles(jsGraph(js.filter((f) => fs.existsSync(f))))) found.push({ where: 'js', members })
  return found
}

/** Every `.rs` file under `dir`, as [path relative to the root, production text]. */
function rustSources(dir) {
  const out = []
  const walk = (at) => {
    for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.rs')) out.push([path.relative(root, full).replace(/\\/g, '/'), productionText(fs.readFileSync(full, 'utf8'))])
    }
  }
  walk(dir)
  return out
}

// What opens a push (envelope, signature, decryption), and the one place each may be used outside the protocol
// crate that defines it: the intake opens, and `decrypt_push` survives only as the public `cloud.crypto` primitive.
const PUSH_OPENERS = [
  { name: 'push_message::open', pattern: /\bpush_message::open\b|\bpush_message::\{[^}]*\bopen\b/, allowed: ['crates/client/src/push/receiver.rs'] },
  { name: 'decrypt_push', pattern: /\bdecrypt_push\b/, allowed: ['src/crypto.rs'] },
  { name: 'PushEvent (a second reader)', pattern: /\bPushEvent\b/, allowed: [] },
]

/** A second push intake: production code outside the protocol crate that opens a push anywhere but the intake. */
function pushIntakeBreaches(file, text) {
  if (file.startsWith('crates/protocol/') || /(^|\/)tests?\//.test(file) || /_tests?\.rs$|fuzz/.test(file)) return []
  return PUSH_OPENERS.filter((o) => o.pattern.test(text) && !o.allowed.includes(file)).map(
    (o) => `${file}: opens a push with ${o.name} outside the one intake (${o.allowed.join(', ') || 'the protocol crate'})`,
  )
}

// The emulator's handle is not a client: its control calls run on the emulator's own runtime, which serves its
// HTTP while JS is busy, and take no call options, AbortSignal or token (they are test-bench controls, not calls).
const OWN_RUNTIME = ['src/emulator.rs']

/** The `#[napi…]` functions of a binding file: `{ attr, signature, body }`. */
function napiFunctions(text) {
  const out = []
  const re = /#\[napi(\([^\]]*\))?\]\s*((?:pub(?:\([^)]*\))?\s+)?(?:async\s+)?fn\s+\w+[^{;]*)\{/g
  for (const m of text.matchAll(re)) {
    let depth = 1
    let i = m.index + m[0].length
    while (i < text.length && depth > 0) {
      if (text[i] === '{') depth++
      else if (text[i] === '}') depth--
      i++
    }
    out.push({ attr: m[1] || '', signature: m[2], body: text.slice(m.index + m[0].length, i - 1) })
  }
  return out
}

/** A promise made outside the one crossing (`NativeClient::start` → delivery): an async napi function, a napi
 *  promise type, or a method that says it returns a promise without going through `start`. */
function crossingBreaches(file, text) {
  if (OWN_RUNTIME.includes(file)) return []
  const out = []
  for (const f of napiFunctions(text)) {
    const name = f.signature.match(/fn\s+(\w+)/)[1]
    if (/\basync\s+fn\b/.test(f.signature)) out.push(`${file}: ${name} is an async napi function (a promise outside start)`)
    else if (/\b(AsyncTask|PromiseRaw|Promise)\s*</.test(f.signature)) out.push(`${file}: ${name} returns a napi promise outside start`)
    else if (/Promise/.test(f.attr) && !/\.start\(|\bdelivery::start\(/.test(f.body)) out.push(`${file}: ${name} returns a promise without going through start`)
  }
  return out
}

/** Requires of a JS file, resolved relative to the root (`lib/errors.js`, `package.json`). */
function jsRequires(file, text) {
  const out = []
  for (const m of text.matchAll(/require\((['"])(\.{1,2}\/[^'"]+)\1\)/g)) {
    let target = path.resolve(path.dirname(path.join(root, file)), m[2])
    if (!/\.(js|json)$/.test(target) && fs.existsSync(`${target}.js`)) target += '.js'
    out.push(path.relative(root, target).replace(/\\/g, '/'))
  }
  return out
}

// What the CLI may require from the package: the public entries only (and its own files under bin/).
const CLI_MAY_REQUIRE = ['index.js', 'emulator.js', 'package.json']

/** An arrow up from lib/ to the root files, or a CLI reaching past the package's exports. */
function facadeBreaches(file, text) {
  const out = []
  for (const target of jsRequires(file, text)) {
    if (file.startsWith('lib/') && !target.startsWith('lib/') && target.endsWith('.js')) out.push(`${file}: requires ${target}, above lib/ (an upward arrow)`)
    if (file.startsWith('bin/') && !target.startsWith('bin/') && !CLI_MAY_REQUIRE.includes(target)) {
      out.push(`${file}: requires ${target}; the CLI uses only what the package exports (${CLI_MAY_REQUIRE.join(', ')})`)
    }
  }
  return out
}

/** Every breach of the doors' rules, as lines. */
function findDoorViolations() {
  const out = []
  const rust = [...rustSources(path.join(root, 'src'))]
  for (const name of fs.readdirSync(path.join(root, 'crates'))) rust.push(...rustSources(path.join(root, 'crates', name, 'src')))
  for (const [file, text] of rust) {
    out.push(...pushIntakeBreaches(file, text))
    if (file.startsWith('src/')) out.push(...crossingBreaches(file, text))
  }
  const js = listJs(path.join(root, 'lib')).concat(listJs(path.join(root, 'bin')))
  for (const full of js) out.push(...facadeBreaches(path.relative(root, full).replace(/\\/g, '/'), fs.readFileSync(full, 'utf8')))
  return out
}

module.exports = { findCircles, findDoorViolations, pushIntakeBreaches, crossingBreaches, facadeBreaches, rustGraph, jsGraph, circles }

if (require.main === module) {
  const found = findCircles()
  for (const c of found) console.log(`${c.where}: ${c.members.join(' <-> ')}`)
  console.log(found.length === 0 ? 'no circles' : `${found.length} circle(s)`)
  const doors = findDoorViolations()
  for (const d of doors) console.log(d)
  console.log(doors.length === 0 ? 'no door breached' : `${doors.length} door breach(es)`)
  process.exitCode = found.length === 0 && doors.length === 0 ? 0 : 1
}
